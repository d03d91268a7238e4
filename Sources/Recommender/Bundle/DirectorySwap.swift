import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replacing a directory by another, atomically where the OS allows it.
///
/// - Linux: `renameat2(…, RENAME_EXCHANGE)` swaps the two names in one step (glibc ≥ 2.28,
///   looked up at run time), so a reader sees either the old or the new directory, never neither.
/// - Elsewhere, or when the file system refuses the exchange: the old directory is first renamed
///   aside (`.<name>.old-…`), then the new one into place, then the old one is deleted. A crash
///   between the two renames leaves the previous bundle intact under the aside name.
enum DirectorySwap {
    /// Puts `source` at `destination`; the previous `destination` (if any) ends up at the returned
    /// path, which the caller deletes. Returns nil when there was no previous directory.
    static func replace(_ destination: String, with source: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: destination) else {
            guard rename(source, destination) == 0 else { throw failure("rename \(source) → \(destination)") }
            return nil
        }
        if exchange(source, destination) { return source }
        let aside = sibling(of: destination, tag: "old")
        guard rename(destination, aside) == 0 else { throw failure("rename \(destination) → \(aside)") }
        guard rename(source, destination) == 0 else {
            let e = failure("rename \(source) → \(destination)")
            _ = rename(aside, destination)
            throw e
        }
        return aside
    }

    /// A fresh hidden sibling path of `path`: `<dir>/.<name>.<tag>-<pid>-<random>`.
    static func sibling(of path: String, tag: String) -> String {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        return dir + "/.\(url.lastPathComponent).\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// fsync of a directory (so renames and new entries reach the disk).
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = close(fd)
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    private static func exchange(_ a: String, _ b: String) -> Bool {
        #if os(Linux)
        guard let symbol = dlsym(nil, "renameat2") else { return false }
        let f = unsafeBitCast(symbol, to: RenameAt2.self)
        return f(AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */) == 0
        #else
        return false
        #endif
    }

    private static func failure(_ what: String) -> BundleError {
        .writeFailed(path: what, reason: String(cString: strerror(errno)))
    }
}
