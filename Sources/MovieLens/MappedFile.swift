#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A large file's bytes, memory-mapped read-only so a multi-gigabyte ratings file is not copied.
/// The mapping is not pre-faulted here: readers populate it a range at a time on their worker
/// threads (`Prefault.read`; `MAP_POPULATE` did it all on the calling thread before parsing
/// started, serial work). Small files, and files `mmap` refuses, are read into an array instead.
final class MappedFile: @unchecked Sendable {
    /// Files below this size are simply read.
    static let mapThreshold = 32 << 20

    private let base: UnsafeMutableRawPointer?
    private let length: Int
    private let copy: [UInt8]

    /// Maps `path` when it has at least `mapAtLeast` bytes (default `mapThreshold`), else reads it.
    init(_ path: String, mapAtLeast: Int = MappedFile.mapThreshold) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw MovieLensError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw MovieLensError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw MovieLensError.unreadable(path: path, reason: "not a regular file") }
        let size = Int(st.st_size)
        if size >= max(1, mapAtLeast) {
            if let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED {
                base = p
                length = size
                copy = []
                return
            }
        }
        base = nil
        length = 0
        copy = try FileBytes.read(path)
    }

    deinit {
        if let base { munmap(base, length) }
    }

    /// Whether the bytes are a file mapping (populated on first use or by `Prefault.read`).
    var isMapped: Bool { base != nil }

    /// Calls `body` with the file's bytes.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let base {
            return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: length))
        }
        return try copy.withUnsafeBufferPointer(body)
    }
}
