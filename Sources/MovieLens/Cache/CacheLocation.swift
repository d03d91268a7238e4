import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the cache of a release directory lives.
///
/// - Primary: `<directory>/.movierec-cache-v1.bin`, beside the data, when the directory is
///   writable. A directory without any write permission bit (e.g. `chmod a-w`, CI's shared data)
///   counts as read-only even for root, so shared data is never modified.
/// - Fallback: `<user cache>/movierec/<name>-<hash of the absolute path>.bin`, where the user
///   cache is `$MOVIEREC_CACHE_DIR`, else `$XDG_CACHE_HOME`, else `~/.cache`.
struct CacheLocation: Sendable {
    static let fileName = ".movierec-cache-v1.bin"

    /// The cache beside the data.
    let primary: String
    /// The per-user cache (nil when no home or cache directory is known).
    let fallback: String?
    /// Whether the data directory may receive the primary cache.
    let directoryWritable: Bool

    init(directory: String, userCacheDirectory: String?) {
        primary = directory + "/" + CacheLocation.fileName
        let root = userCacheDirectory ?? CacheLocation.defaultUserCacheRoot()
        if let root {
            let absolute = CacheLocation.canonicalPath(directory)
            let name = absolute.split(separator: "/").last.map(String.init) ?? ""
            let key = String(CacheLocation.fnv1a(absolute), radix: 16)
            fallback = URL(fileURLWithPath: root).appendingPathComponent("\(name.isEmpty ? "root" : name)-\(key).bin").path
        } else {
            fallback = nil
        }
        directoryWritable = CacheLocation.isWritable(directory)
    }

    /// Candidate cache files to read, in order.
    var candidates: [String] { [primary] + (fallback.map { [$0] } ?? []) }

    /// `$MOVIEREC_CACHE_DIR`, `$XDG_CACHE_HOME/movierec` or `~/.cache/movierec`.
    static func defaultUserCacheRoot() -> String? {
        func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } }
        if let d = env("MOVIEREC_CACHE_DIR") { return d }
        if let x = env("XDG_CACHE_HOME") { return x + "/movierec" }
        if let h = env("HOME") { return h + "/.cache/movierec" }
        return nil
    }

    /// The absolute path of `path` with symbolic links, `.` and `..` resolved (`realpath`; for
    /// a path that does not exist, Foundation's standardised form).
    static func canonicalPath(_ path: String) -> String {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        return URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    static func isWritable(_ directory: String) -> Bool {
        var st = stat()
        guard stat(directory, &st) == 0 else { return false }
        guard st.st_mode & 0o222 != 0 else { return false }
        return access(directory, W_OK) == 0
    }

    /// 64-bit FNV-1a of the path's UTF-8 bytes (stable across runs and machines).
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}
