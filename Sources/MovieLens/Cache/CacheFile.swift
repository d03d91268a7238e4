import Foundation
import Runtime

/// What a cache file says about itself: which build wrote it, for which format, from which
/// source files.
struct CacheHeader: Equatable, Sendable {
    var producer: String
    var format: DataFormat
    var sources: [SourceFile]
}

/// The framing of a dataset cache file (all integers little-endian):
///
/// ```
/// magic "MRDSCACH" (8 bytes) · u32 format version · u32 reserved (0) · u64 header length H
/// header (H bytes): producer, format name, source files (name, size, mtime ns, edge CRC-32C)
/// u32 CRC-32C of the header
/// u32 section count, then per section:
///   name · u64 payload length L · L payload bytes · u32 chunk count · u32 CRC-32C per 4 MiB chunk
/// ```
///
/// The header is read and checked on its own (a stale cache costs a few hundred bytes of I/O);
/// the payload checksums are per chunk so they can be verified on several threads.
enum CacheFile {
    static let magic: [UInt8] = Array("MRDSCACH".utf8)
    static let version: UInt32 = 1
    static let chunkSize = 4 << 20
    static let prefixLength = 8 + 4 + 4 + 8
    /// Headers are small (a name, sizes and times per source file); anything bigger is damage.
    static let maxHeaderLength: UInt64 = 1 << 20

    static func encode(header: CacheHeader, sections: [(name: String, payload: Data)]) -> Data {
        var h = BinaryWriter()
        h.write(header.producer)
        h.write(header.format.rawValue)
        h.write(UInt64(header.sources.count))
        for f in header.sources {
            h.write(f.name)
            h.write(f.size)
            h.write(f.modifiedNanos)
            h.write(f.edgeChecksum)
        }
        var w = BinaryWriter()
        w.append(Data(magic))
        w.write(version)
        w.write(UInt32(0))
        w.write(UInt64(h.data.count))
        w.append(h.data)
        w.write(h.data.withUnsafeBytes { CRC32C.checksum($0) })
        w.write(UInt32(sections.count))
        for (name, payload) in sections {
            w.write(name)
            w.write(UInt64(payload.count))
            w.append(payload)
            let chunks = chunkRanges(payload.count)
            w.write(UInt32(chunks.count))
            payload.withUnsafeBytes { raw in
                for r in chunks { w.write(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[r]))) }
            }
        }
        return w.data
    }

    static func chunkRanges(_ length: Int) -> [Range<Int>] {
        stride(from: 0, to: length, by: chunkSize).map { $0..<min(length, $0 + chunkSize) }
    }

    /// Reads and checks only the prefix and header of the file at `path`.
    static func readHeader(path: String) throws -> CacheHeader {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw BinaryFormatError.invalid("cannot open \(path)")
        }
        defer { try? handle.close() }
        let prefix = (try? handle.read(upToCount: prefixLength)) ?? Data()
        let headerLength = try checkPrefix(prefix)
        let rest = (try? handle.read(upToCount: Int(headerLength) + 4)) ?? Data()
        var all = prefix
        all.append(rest)
        return try parseHeader(all)
    }

    /// Validates magic and version; returns the header length.
    private static func checkPrefix(_ data: Data) throws -> UInt64 {
        guard data.count >= prefixLength else { throw BinaryFormatError.truncated(what: "cache prefix", offset: data.count) }
        guard Array(data.prefix(8)) == magic else {
            throw BinaryFormatError.badMagic(expected: "movierec dataset cache", found: String(decoding: data.prefix(8).map { $0 >= 32 && $0 < 127 ? $0 : 63 }, as: UTF8.self))
        }
        var r = BinaryReader(data, offset: 8)
        let v = try r.read(UInt32.self, "version")
        guard v == version else { throw BinaryFormatError.unsupportedVersion(found: v, supported: version) }
        let reserved = try r.read(UInt32.self, "reserved")
        guard reserved == 0 else { throw BinaryFormatError.invalid("reserved field is \(reserved), expected 0") }
        let length = try r.read(UInt64.self, "header length")
        guard length <= maxHeaderLength else { throw BinaryFormatError.invalid("header length \(length) is implausible") }
        return length
    }

    /// Parses prefix + header + header CRC from the start of `data`; returns the header.
    private static func parseHeader(_ data: Data) throws -> CacheHeader {
        let length = Int(try checkPrefix(data))
        guard data.count >= prefixLength + length + 4 else { throw BinaryFormatError.truncated(what: "cache header", offset: data.count) }
        let start = data.startIndex + prefixLength
        let body = data[start..<(start + length)]
        var r = BinaryReader(data, offset: prefixLength + length)
        let stored = try r.read(UInt32.self, "header checksum")
        guard body.withUnsafeBytes({ CRC32C.checksum($0) }) == stored else { throw BinaryFormatError.checksumMismatch(section: "header") }
        var h = BinaryReader(Data(body))
        let producer = try h.readString("producer")
        let formatName = try h.readString("format")
        guard let format = DataFormat(rawValue: formatName) else { throw BinaryFormatError.invalid("unknown format '\(formatName)'") }
        let count = try h.read(UInt64.self, "source count")
        guard count <= UInt64(h.remaining / 28) else { throw BinaryFormatError.truncated(what: "source files", offset: h.offset) }
        var sources: [SourceFile] = []
        for _ in 0..<Int(count) {
            let name = try h.readString("source name")
            let size = try h.read(UInt64.self, "source size")
            let mtime = try h.read(Int64.self, "source mtime")
            let crc = try h.read(UInt32.self, "source checksum")
            sources.append(SourceFile(name: name, size: size, modifiedNanos: mtime, edgeChecksum: crc))
        }
        return CacheHeader(producer: producer, format: format, sources: sources)
    }

    /// Parses a whole cache file held in `bytes`: checks the header, the section table and every
    /// chunk checksum (on `threads` threads). Returns the header and each section's byte range.
    static func parse(_ bytes: UnsafeRawBufferPointer, threads: Int) throws -> (CacheHeader, [String: Range<Int>]) {
        let headerEnd = prefixLength + Int(try checkPrefix(Data(bytes.prefix(prefixLength)))) + 4
        guard bytes.count >= headerEnd else { throw BinaryFormatError.truncated(what: "cache header", offset: bytes.count) }
        let header = try parseHeader(Data(bytes.prefix(headerEnd)))
        var r = ColumnReader(UnsafeRawBufferPointer(rebasing: bytes[headerEnd...]), section: "table")
        let count = try r.scalar(UInt32.self, "section count")
        guard count <= 64 else { throw BinaryFormatError.invalid("\(count) sections") }
        var sections: [String: Range<Int>] = [:]
        var checks: [(range: Range<Int>, crc: UInt32, section: String)] = []
        for _ in 0..<count {
            let nameLength = try r.count(elementSize: 1, "section name")
            guard nameLength <= 64 else { throw BinaryFormatError.invalid("section name of \(nameLength) bytes") }
            let nameStart = headerEnd + r.offset
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<(nameStart + nameLength)]), as: UTF8.self)
            _ = try r.skip(nameLength, "section name")
            let length = try r.count(elementSize: 1, name)
            let start = headerEnd + r.offset
            _ = try r.skip(length, name)
            let chunks = chunkRanges(length)
            let stored = try r.scalar(UInt32.self, "\(name) chunk count")
            guard stored == chunks.count else { throw BinaryFormatError.invalid("section \(name) has \(stored) checksums for \(chunks.count) chunks") }
            for c in chunks {
                let crc = try r.scalar(UInt32.self, "\(name) checksum")
                checks.append(((start + c.lowerBound)..<(start + c.upperBound), crc, name))
            }
            guard sections[name] == nil else { throw BinaryFormatError.invalid("section \(name) appears twice") }
            sections[name] = start..<(start + length)
        }
        guard r.remaining == 0 else { throw BinaryFormatError.invalid("\(r.remaining) bytes after the last section") }
        // Verify every chunk; each result goes to its own slot.
        var ok = [Bool](repeating: false, count: checks.count)
        ok.withUnsafeMutableBufferPointer { slots in
            let out = UnsafeSendable(slots)
            let src = UnsafeSendable(bytes)
            parallelFor(chunks: checks.count, threads: threads) { i in
                out.value[i] = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: src.value[checks[i].range])) == checks[i].crc
            }
        }
        if let bad = ok.firstIndex(of: false) { throw BinaryFormatError.checksumMismatch(section: checks[bad].section) }
        return (header, sections)
    }
}

extension ColumnReader {
    /// Skips `n` bytes, which must be present.
    mutating func skip(_ n: Int, _ what: String) throws -> Int {
        guard n >= 0, n <= remaining else { throw BinaryFormatError.truncated(what: "\(section).\(what)", offset: offset) }
        let at = offset
        advance(n)
        return at
    }
}
