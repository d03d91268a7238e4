#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A large file's bytes, memory-mapped read-only (and, on Linux, pre-faulted with
/// `MAP_POPULATE`) so a multi-gigabyte ratings file is neither copied nor page-faulted line by
/// line. Small files, and files `mmap` refuses, are read into an array instead.
final class MappedFile: @unchecked Sendable {
    /// Files below this size are simply read.
    static let mapThreshold = 32 << 20

    private let base: UnsafeMutableRawPointer?
    private let length: Int
    private let copy: [UInt8]

    init(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw MovieLensError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw MovieLensError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw MovieLensError.unreadable(path: path, reason: "not a regular file") }
        let size = Int(st.st_size)
        if size >= MappedFile.mapThreshold {
            #if os(Linux)
            let flags = MAP_PRIVATE | MAP_POPULATE
            #else
            let flags = MAP_PRIVATE
            #endif
            if let p = mmap(nil, size, PROT_READ, flags, fd, 0), p != MAP_FAILED {
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

    /// Calls `body` with the file's bytes.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let base {
            return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: length))
        }
        return try copy.withUnsafeBufferPointer(body)
    }
}
