#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The first bytes of a file mapped read-only (`mmap` with `PROT_READ`, `MAP_PRIVATE`):
/// the bytes come straight from the page cache, with no copy and no freshly zeroed memory.
/// Unmapped when the last reference goes (a `Column` viewing the mapping keeps it alive).
///
/// Lifetime: the mapping stays valid after the file is closed, deleted, or replaced by an
/// atomic rename (the old inode lives on until unmapped). Truncating the file *in place* while
/// it is mapped would make reads past the new end fault (`SIGBUS`), as for any `mmap` reader:
/// files that are mapped must only ever be replaced by rename, never rewritten in place.
public final class FileMapping: @unchecked Sendable {
    // @unchecked: the pointer is immutable after init and the memory is never written.
    private let base: UnsafeMutableRawPointer?
    /// The mapped bytes (`length` bytes from offset 0 of the file).
    public let bytes: UnsafeRawBufferPointer

    /// Maps the first `length` bytes of the open file `fd` (which may be closed afterwards).
    /// `path` only names the file in errors. A zero length maps nothing (empty `bytes`).
    public init(fd: Int32, length: Int, path: String) throws {
        guard length >= 0 else { throw FileError.cannotRead(path: path, reason: "cannot map \(length) bytes") }
        guard length > 0 else {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw FileError.cannotRead(path: path, reason: "cannot map \(length) bytes: \(String(cString: strerror(errno)))")
        }
        base = p
        bytes = UnsafeRawBufferPointer(start: p, count: length)
    }

    deinit {
        if let base { munmap(base, bytes.count) }
    }
}
