import Foundation

/// Errors from decoding MovieRec's binary files.
public enum BinaryFormatError: Error, CustomStringConvertible, Equatable {
    case truncated(what: String, offset: Int)
    case badMagic(expected: String, found: String)
    case unsupportedVersion(found: UInt32, supported: UInt32)
    case checksumMismatch(section: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .truncated(let what, let offset): return "file is truncated: reading \(what) at byte \(offset)"
        case .badMagic(let expected, let found): return "not a \(expected) file (found magic \"\(found)\")"
        case .unsupportedVersion(let found, let supported): return "format version \(found) is not supported (this build reads version \(supported))"
        case .checksumMismatch(let section): return "checksum mismatch in \(section): the file is corrupted"
        case .invalid(let message): return "invalid file: \(message)"
        }
    }
}

/// Appends little-endian values and arrays of plain values to a byte buffer.
public struct BinaryWriter {
    public private(set) var data = Data()
    public init() {}

    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }
    public mutating func write(_ value: Float) { write(value.bitPattern) }
    public mutating func write(_ value: Double) { write(value.bitPattern) }
    public mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }
    public mutating func write(_ string: String) {
        let bytes = Array(string.utf8)
        write(UInt64(bytes.count))
        data.append(contentsOf: bytes)
    }
    /// Writes a count and the raw bytes of a plain-value array (little-endian hosts only).
    public mutating func write<T: BitwiseCopyable>(array: [T]) {
        write(UInt64(array.count))
        array.withUnsafeBytes { data.append(contentsOf: $0) }
    }
    public mutating func write(strings: [String]) {
        write(UInt64(strings.count))
        for s in strings { write(s) }
    }
    public mutating func append(_ bytes: Data) { data.append(bytes) }
}

/// Reads what `BinaryWriter` wrote, with bounds checks: a short or corrupted buffer throws
/// `BinaryFormatError.truncated` instead of trapping.
public struct BinaryReader {
    public let data: Data
    public private(set) var offset: Int

    public init(_ data: Data, offset: Int = 0) {
        self.data = data
        self.offset = offset
    }

    public var remaining: Int { data.count - offset }

    public mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: String = "integer") throws -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining else { throw BinaryFormatError.truncated(what: what, offset: offset) }
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { dst in
            data.withUnsafeBytes { src in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[(src.startIndex + offset)..<(src.startIndex + offset + size)]))
            }
        }
        offset += size
        return T(littleEndian: value)
    }
    public mutating func readFloat(_ what: String = "float") throws -> Float { Float(bitPattern: try read(UInt32.self, what)) }
    public mutating func readDouble(_ what: String = "double") throws -> Double { Double(bitPattern: try read(UInt64.self, what)) }
    public mutating func readBool(_ what: String = "bool") throws -> Bool { try read(UInt8.self, what) != 0 }

    /// Reads a count and validates it against the bytes left, so a corrupted count cannot make
    /// us allocate terabytes.
    mutating func readCount(elementSize: Int, _ what: String) throws -> Int {
        let raw = try read(UInt64.self, what + " count")
        guard raw <= UInt64(Int.max), elementSize == 0 || Int(raw) <= remaining / max(1, elementSize) else {
            throw BinaryFormatError.truncated(what: what, offset: offset)
        }
        return Int(raw)
    }

    public mutating func readString(_ what: String = "string") throws -> String {
        let n = try readCount(elementSize: 1, what)
        let bytes = data[(data.startIndex + offset)..<(data.startIndex + offset + n)]
        offset += n
        guard let s = String(bytes: bytes, encoding: .utf8) else { throw BinaryFormatError.invalid("\(what) is not UTF-8") }
        return s
    }
    public mutating func readArray<T: BitwiseCopyable>(_: T.Type, _ what: String = "array") throws -> [T] {
        let stride = MemoryLayout<T>.stride
        let n = try readCount(elementSize: stride, what)
        let out = [T](unsafeUninitializedCapacity: n) { buf, count in
            data.withUnsafeBytes { src in
                let start = src.startIndex + offset
                UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(rebasing: src[start..<(start + n * stride)]))
            }
            count = n
        }
        offset += n * stride
        return out
    }
    public mutating func readStrings(_ what: String = "strings") throws -> [String] {
        let n = try readCount(elementSize: 8, what)
        var out: [String] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try readString(what)) }
        return out
    }
}
