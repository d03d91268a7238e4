import Foundation
import Runtime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `open(2)` for reading (the name `open` is taken inside `CacheFile`).
private func openReadOnly(_ path: String) -> Int32 { open(path, O_RDONLY) }

/// What a cache file says about itself: which reader version wrote it, for which format, from
/// which source files, and where its sections are.
struct CacheHeader: Equatable, Sendable {
    var producer: String
    var format: DataFormat
    var sources: [SourceFile]
    /// Section name → byte range inside the body.
    var sections: [String: Range<Int>] = [:]
    /// Length of the body in bytes.
    var bodyLength: Int = 0
    /// `ChunkHash` of each `CacheFile.chunkSize` chunk of the body.
    var chunkChecksums: [UInt32] = []

    /// The fields that decide whether a cache may be used (not where its bytes are).
    func sameKey(as other: CacheHeader) -> Bool {
        producer == other.producer && format == other.format && sources == other.sources
    }
}

/// One section of a cache body: `length` bytes written by `fill`, starting at a multiple of
/// `alignment` bytes of the file.
struct CacheSection {
    let name: String
    let length: Int
    let alignment: Int
    /// Writes the section's `length` bytes (called once, possibly on a worker thread).
    let fill: @Sendable (UnsafeMutableRawBufferPointer) -> Void

    /// A section of encoded bytes (8-byte aligned).
    init(_ name: String, _ payload: Data) {
        self.name = name
        length = payload.count
        alignment = 8
        fill = { dst in payload.withUnsafeBytes { src in dst.copyMemory(from: src) } }
    }

    /// A column stored raw: its values' little-endian layout (integers, or the bit patterns of
    /// floats), page-aligned so that a reader can map it in place (`Column(mapping:byteOffset:count:)`).
    init<T: BitwiseCopyable & Sendable>(raw name: String, _ column: Column<T>) {
        self.name = name
        length = column.count * MemoryLayout<T>.stride
        alignment = CacheFile.pageAlignment
        fill = { dst in
            column.withUnsafeBytes { src in dst.copyMemory(from: src) }
            #if _endian(big)
            // Reverse each value's bytes: the file is little-endian whatever the host.
            let width = MemoryLayout<T>.stride
            for start in stride(from: 0, to: dst.count, by: width) {
                UnsafeMutableRawBufferPointer(rebasing: dst[start..<(start + width)]).reverse()
            }
            #endif
        }
    }
}

/// The framing of a dataset cache file (all integers little-endian):
///
/// ```
/// magic "MRDSCACH" (8 bytes) · u32 layout version · u32 reserved (0) · u64 header length H
/// header (H bytes): producer, format name, source files (name, size, mtime ns, edge CRC-32C),
///                   section table (name, offset, length), body length, `ChunkHash` per 4 MiB of body
/// u32 CRC-32C of the header
/// zero bytes up to the next multiple of `pageAlignment` (16 KiB)
/// body: the sections, each starting at a multiple of 8 bytes (raw columns: of 16 KiB),
///       zero bytes between them
/// ```
///
/// The header is read and checked on its own, so a stale cache costs a few hundred bytes of
/// I/O. The body is memory-mapped (no copy, no fresh memory) and each 4 MiB chunk is
/// checksummed on one of several threads; nothing is used unless every chunk matches. The
/// file's size must match the header exactly and the header padding must be zero.
///
/// Version 2: body chunks checked with `ChunkHash` instead of CRC-32C, body 64-byte aligned.
/// Version 3: source files' edge checksums are `ChunkHash`es combined with CRC-32C (see
/// `SourceFingerprint.edgeChecksum`), so version-2 fingerprints would all look stale.
/// Version 4: the cleaning report section is binary (`ReportCodec`) instead of JSON.
/// Version 5: the rating columns are stored raw at page-aligned offsets (the reader maps them
/// in place instead of decoding them into fresh memory); the body starts at a 16 KiB boundary.
enum CacheFile {
    static let magic: [UInt8] = Array("MRDSCACH".utf8)
    static let version: UInt32 = 5
    /// A multiple of the memory page size of every supported host (4 KiB on x86-64 Linux,
    /// 16 KiB on Apple silicon): the body, and each raw column in it, start at a multiple of it.
    static let pageAlignment = 16 << 10
    /// The body starts at a multiple of this many bytes of the file.
    static let bodyAlignment = pageAlignment
    static let chunkSize = 4 << 20
    static let prefixLength = 8 + 4 + 4 + 8
    /// Headers are small (names, sizes, times, a checksum per 4 MiB); anything bigger is damage.
    static let maxHeaderLength: UInt64 = 4 << 20

    /// The cache file of `sections`: the sections are filled, and the body's chunks hashed, on
    /// `threads` threads, straight into the file's buffer (one copy of the columns).
    static func encode(producer: String, format: DataFormat, sources: [SourceFile],
                       sections: [CacheSection], threads: Int = 1) -> Data {
        var table: [(String, Range<Int>)] = []
        var bodyLength = 0
        for s in sections {
            let a = max(8, s.alignment)
            bodyLength = (bodyLength + a - 1) / a * a
            table.append((s.name, bodyLength..<(bodyLength + s.length)))
            bodyLength += s.length
        }
        let chunks = chunkRanges(bodyLength)
        func header(_ hashes: [UInt32]) -> Data {
            var h = BinaryWriter()
            h.write(producer)
            h.write(format.rawValue)
            h.write(UInt64(sources.count))
            for f in sources {
                h.write(f.name)
                h.write(f.size)
                h.write(f.modifiedNanos)
                h.write(f.edgeChecksum)
            }
            h.write(UInt64(table.count))
            for (name, range) in table {
                h.write(name)
                h.write(UInt64(range.lowerBound))
                h.write(UInt64(range.count))
            }
            h.write(UInt64(bodyLength))
            h.write(UInt64(chunks.count))
            for x in hashes { h.write(x) }
            return h.data
        }
        let headerLength = header([UInt32](repeating: 0, count: chunks.count)).count
        let bodyStart = bodyOffset(headerLength: headerLength)
        let total = bodyStart + bodyLength
        let file = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: pageAlignment)
        guard let base = file.baseAddress else { return Data() }
        // Zero the gaps (header padding, between sections); the sections fill the rest.
        var end = 0
        for (_, range) in table {
            (base + bodyStart + end).initializeMemory(as: UInt8.self, repeating: 0, count: range.lowerBound - end)
            end = range.upperBound
        }
        let shared = UnsafeSendable(file)
        parallelFor(chunks: sections.count, threads: threads) { k in
            sections[k].fill(UnsafeMutableRawBufferPointer(rebasing: shared.value[(bodyStart + table[k].1.lowerBound)..<(bodyStart + table[k].1.upperBound)]))
        }
        var hashes = [UInt32](repeating: 0, count: chunks.count)
        hashes.withUnsafeMutableBufferPointer { out in
            let slots = UnsafeSendable(out)
            parallelFor(chunks: chunks.count, threads: threads) { c in
                let r = chunks[c]
                slots.value[c] = ChunkHash.hash(UnsafeRawBufferPointer(rebasing: shared.value[(bodyStart + r.lowerBound)..<(bodyStart + r.upperBound)]))
            }
        }
        let h = header(hashes)
        var w = BinaryWriter()
        w.append(Data(magic))
        w.write(version)
        w.write(UInt32(0))
        w.write(UInt64(h.count))
        w.append(h)
        w.write(h.withUnsafeBytes { CRC32C.checksum($0) })
        w.data.withUnsafeBytes { file.copyMemory(from: $0) }
        (base + w.data.count).initializeMemory(as: UInt8.self, repeating: 0, count: bodyStart - w.data.count)
        return Data(bytesNoCopy: base, count: total, deallocator: .custom { p, _ in p.deallocate() })
    }

    /// File offset of the body for a header of `headerLength` bytes.
    static func bodyOffset(headerLength: Int) -> Int {
        (prefixLength + headerLength + 4 + bodyAlignment - 1) / bodyAlignment * bodyAlignment
    }

    static func chunkRanges(_ length: Int) -> [Range<Int>] {
        stride(from: 0, to: length, by: chunkSize).map { $0..<min(length, $0 + chunkSize) }
    }

    /// An open cache file whose header has been read and checked.
    struct Opened {
        let fd: Int32
        let header: CacheHeader
        /// File offset of the body.
        let bodyOffset: Int
    }

    /// Opens `path` and reads and checks its prefix and header (not the body). The caller
    /// closes `fd`.
    static func open(path: String) throws -> Opened {
        let fd = openReadOnly(path)
        guard fd >= 0 else { throw BinaryFormatError.invalid("cannot open \(path): \(String(cString: strerror(errno)))") }
        do {
            var st = stat()
            guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw BinaryFormatError.invalid("\(path) is not a regular file") }
            let prefix = try readExactly(fd, at: 0, count: prefixLength, what: "cache prefix")
            let headerLength = try checkPrefix(prefix)
            let rest = try readExactly(fd, at: prefixLength, count: Int(headerLength) + 4, what: "cache header")
            let header = try parseHeader(rest, length: Int(headerLength))
            let bodyOffset = bodyOffset(headerLength: Int(headerLength))
            guard Int(st.st_size) == bodyOffset + header.bodyLength else {
                throw BinaryFormatError.invalid("file is \(st.st_size) bytes, its header describes \(bodyOffset + header.bodyLength)")
            }
            let paddingStart = prefixLength + Int(headerLength) + 4
            let padding = try readExactly(fd, at: paddingStart, count: bodyOffset - paddingStart, what: "header padding")
            guard padding.allSatisfy({ $0 == 0 }) else { throw BinaryFormatError.invalid("header padding is not zero") }
            return Opened(fd: fd, header: header, bodyOffset: bodyOffset)
        } catch {
            close(fd)
            throw error
        }
    }

    private static func readExactly(_ fd: Int32, at offset: Int, count: Int, what: String) throws -> Data {
        var data = Data(count: count)
        let got = data.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in preadFully(fd, raw, at: offset) }
        guard got == count else { throw BinaryFormatError.truncated(what: what, offset: offset + max(0, got)) }
        return data
    }

    /// Reads `buffer.count` bytes at `offset` (retrying short reads); returns the bytes read, or -1.
    static func preadFully(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = pread(fd, base + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                return -1
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Validates magic and version; returns the header length.
    private static func checkPrefix(_ data: Data) throws -> UInt64 {
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

    /// Parses the header bytes followed by their CRC.
    private static func parseHeader(_ data: Data, length: Int) throws -> CacheHeader {
        let body = data.prefix(length)
        var r = BinaryReader(data, offset: length)
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
        let sectionCount = try h.read(UInt64.self, "section count")
        guard sectionCount <= 64 else { throw BinaryFormatError.invalid("\(sectionCount) sections") }
        var table: [(String, UInt64, UInt64)] = []
        for _ in 0..<Int(sectionCount) {
            table.append((try h.readString("section name"), try h.read(UInt64.self, "section offset"), try h.read(UInt64.self, "section length")))
        }
        let bodyLength = try h.read(UInt64.self, "body length")
        guard bodyLength <= UInt64(Int.max / 2) else { throw BinaryFormatError.invalid("body length \(bodyLength)") }
        let chunkCount = try h.read(UInt64.self, "chunk count")
        let chunks = chunkRanges(Int(bodyLength))
        guard chunkCount == UInt64(chunks.count) else { throw BinaryFormatError.invalid("\(chunkCount) checksums for \(chunks.count) chunks") }
        var crcs: [UInt32] = []
        crcs.reserveCapacity(chunks.count)
        for _ in chunks { crcs.append(try h.read(UInt32.self, "chunk checksum")) }
        guard h.remaining == 0 else { throw BinaryFormatError.invalid("\(h.remaining) unread header bytes") }
        var sections: [String: Range<Int>] = [:]
        for (name, offset, len) in table {
            guard offset <= bodyLength, len <= bodyLength - offset, sections[name] == nil else {
                throw BinaryFormatError.invalid("section \(name) lies outside the body or appears twice")
            }
            sections[name] = Int(offset)..<Int(offset + len)
        }
        return CacheHeader(producer: producer, format: format, sources: sources, sections: sections,
                           bodyLength: Int(bodyLength), chunkChecksums: crcs)
    }

    /// The body of an opened file, memory-mapped read-only and not yet checked: the reader
    /// (`DatasetCodec.decode`) verifies each chunk's checksum as it decodes it, and returns
    /// nothing unless all match.
    static func map(_ file: Opened) throws -> MappedBody {
        try MappedBody(fd: file.fd, fileLength: file.bodyOffset + file.header.bodyLength, bodyOffset: file.bodyOffset)
    }
}

/// A cache file mapped read-only (`FileMapping`): the body's bytes come straight from the page
/// cache, with no copy and no freshly zeroed memory; the raw rating columns of a decoded dataset
/// are views of it (`Column`), so it stays mapped as long as they live. (The cache is replaced
/// by atomic rename, never rewritten in place, so the mapped file does not change under the
/// reader.)
final class MappedBody: Sendable {
    /// The whole file (nil when the body is empty).
    let mapping: FileMapping?
    /// File offset of the body.
    let bodyOffset: Int
    /// The body's bytes.
    var body: UnsafeRawBufferPointer {
        guard let mapping else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: mapping.bytes[bodyOffset...])
    }

    init(fd: Int32, fileLength: Int, bodyOffset: Int) throws {
        self.bodyOffset = bodyOffset
        guard fileLength > bodyOffset else {
            mapping = nil
            return
        }
        do {
            mapping = try FileMapping(fd: fd, length: fileLength, path: "the cache")
        } catch {
            throw BinaryFormatError.invalid("\(error)")
        }
    }
}
