import Foundation

/// Downloads a MovieLens release from GroupLens (or a mirror), verifies it against the published
/// MD5 and unpacks it into `<dataDirectory>/<name>`.
///
/// Failure guarantees:
/// - `<dataDirectory>/<name>` is never half-written: the archive is unpacked into a temporary
///   directory beside it and renamed into place only when complete.
/// - An interrupted download keeps `<dataDirectory>/.<name>.zip.part`; the next fetch resumes it
///   with an HTTP `Range` request.
/// - A download whose MD5 differs from the published digest is deleted.
public struct DatasetFetcher: Sendable {
    /// Where archives are downloaded from; `<baseURL>/<archive>.zip` and `<baseURL>/<archive>.zip.md5`.
    public var baseURL: String
    /// The directory that receives `<name>/` (the CLI's `--dir`, default `data`).
    public var dataDirectory: String
    /// Download and replace even when `<dataDirectory>/<name>` exists.
    public var force: Bool
    /// The HTTP client (its idle timeout).
    public var downloader: HTTPDownloader

    public init(
        dataDirectory: String = "data", baseURL: String = MovieLensRelease.defaultBaseURL,
        force: Bool = false, downloader: HTTPDownloader = HTTPDownloader()
    ) {
        self.dataDirectory = dataDirectory
        self.baseURL = baseURL
        self.force = force
        self.downloader = downloader
    }

    /// Progress of a fetch, reported in order.
    public enum Event: Sendable, Equatable {
        /// Bytes of the archive on disk so far, of `total` when the server announced it.
        case downloading(received: Int64, total: Int64?)
        /// Computing the archive's MD5.
        case verifying
        /// `done` of `total` archive entries unpacked.
        case unpacking(done: Int, total: Int)
    }

    /// What a fetch did.
    public struct Outcome: Sendable, Equatable {
        /// The release's directory (`<dataDirectory>/<name>`).
        public let directory: String
        /// True when the directory existed and nothing was downloaded (no `force`).
        public let alreadyPresent: Bool
        /// Bytes of an earlier partial download that were resumed (0 for a fresh download).
        public let resumedFrom: Int64
        /// Size of the archive in bytes (0 when `alreadyPresent`).
        public let archiveBytes: Int64
        /// The verified MD5 of the archive ("" when `alreadyPresent`).
        public let md5: String
        /// Regular files unpacked.
        public let files: Int
    }

    /// The final directory of `release`.
    public func destination(of release: MovieLensRelease) -> String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent(release.name).path
    }

    /// The partial-download file of `release`.
    public func partialFile(of release: MovieLensRelease) -> String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent(".\(release.name).zip.part").path
    }

    /// Fetches `release`; see the type's documentation for the failure guarantees.
    public func fetch(
        _ release: MovieLensRelease, progress: (@Sendable (Event) -> Void)? = nil
    ) async throws -> Outcome {
        let fm = FileManager.default
        let dest = destination(of: release)
        if !force, fm.fileExists(atPath: dest) {
            return Outcome(directory: dest, alreadyPresent: true, resumedFrom: 0, archiveBytes: 0, md5: "", files: 0)
        }
        do {
            try fm.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw FetchError.fileSystem(path: dataDirectory, reason: "cannot create directory: \(error.localizedDescription)")
        }

        // 1. The published digest (small; fetched first so a bad mirror fails fast).
        let md5URL = release.checksumURL(base: baseURL)
        let md5Data = try await downloader.fetchData(md5URL, limit: 64 * 1024)
        let md5Text = String(decoding: md5Data, as: UTF8.self)
        guard let expected = DatasetFetcher.parseMD5File(md5Text) else {
            throw FetchError.badChecksumFile(url: md5URL, content: md5Text)
        }

        // 2. The archive, resuming a partial download.
        let part = partialFile(of: release)
        let transfer = try await downloader.download(release.archiveURL(base: baseURL), to: part) { received, total in
            progress?(.downloading(received: received, total: total))
        }

        // 3. Verify.
        progress?(.verifying)
        let actual = try DatasetFetcher.md5(ofFile: part)
        guard actual == expected else {
            try? fm.removeItem(atPath: part)
            throw FetchError.checksumMismatch(file: part, expected: expected, actual: actual)
        }

        // 4. Unpack beside the destination, then rename into place.
        let staging = URL(fileURLWithPath: dataDirectory)
            .appendingPathComponent(".\(release.name).unpack-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? fm.removeItem(atPath: staging) }
        let files = try ArchiveUnpacker.unpack(archive: part, into: staging) { done, total in
            progress?(.unpacking(done: done, total: total))
        }
        let root = try DatasetFetcher.contentRoot(in: staging, expected: release.archiveRoot, archive: part)
        try DatasetFetcher.install(root, at: dest)
        try? fm.removeItem(atPath: part)
        return Outcome(directory: dest, alreadyPresent: false, resumedFrom: transfer.resumedFrom,
                       archiveBytes: transfer.size, md5: actual, files: files)
    }

    /// Extracts the digest from an `.md5` file: BSD style `MD5 (file) = hex` or GNU style
    /// `hex  file` — the first run of exactly 32 hexadecimal digits, lowercased.
    public static func parseMD5File(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        func isHex(_ b: UInt8) -> Bool { (48...57).contains(b) || (97...102).contains(b) || (65...70).contains(b) }
        var i = 0
        while i < bytes.count {
            guard isHex(bytes[i]) else { i += 1; continue }
            var j = i
            while j < bytes.count, isHex(bytes[j]) { j += 1 }
            // A digest is a whole token: exactly 32 digits, not part of a longer word.
            let boundedLeft = i == 0 || !(bytes[i - 1] == 95 || (bytes[i - 1] | 0x20) >= 97 && (bytes[i - 1] | 0x20) <= 122)
            if j - i == 32, boundedLeft {
                return String(decoding: bytes[i..<j], as: UTF8.self).lowercased()
            }
            i = j
        }
        return nil
    }

    /// MD5 of a file, read in 1 MiB chunks.
    public static func md5(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FetchError.fileSystem(path: path, reason: "cannot open for reading")
        }
        defer { try? handle.close() }
        var md5 = MD5()
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch {
                throw FetchError.fileSystem(path: path, reason: "read failed: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            md5.update(chunk)
        }
        return md5.hexDigest
    }

    /// The directory holding the release's files inside the unpacked staging directory: the
    /// expected top-level directory, else the only top-level directory, else the staging
    /// directory itself when the archive has files at its top level.
    static func contentRoot(in staging: String, expected: String, archive: String) throws -> String {
        let fm = FileManager.default
        let entries = ((try? fm.contentsOfDirectory(atPath: staging)) ?? []).filter { $0 != "__MACOSX" }
        guard !entries.isEmpty else { throw FetchError.unexpectedLayout(archive: archive, reason: "the archive is empty") }
        func isDir(_ name: String) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: staging + "/" + name, isDirectory: &d) && d.boolValue
        }
        if entries.contains(expected), isDir(expected) { return staging + "/" + expected }
        if entries.count == 1, isDir(entries[0]) { return staging + "/" + entries[0] }
        return staging
    }

    /// Renames `source` to `dest`, replacing an existing `dest` only after the new one is ready:
    /// the old directory is first renamed aside, and put back if the second rename fails.
    static func install(_ source: String, at dest: String) throws {
        let fm = FileManager.default
        var aside: String?
        if fm.fileExists(atPath: dest) {
            let old = dest + ".old-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            guard rename(dest, old) == 0 else {
                throw FetchError.fileSystem(path: dest, reason: "cannot move the old copy aside: \(String(cString: strerror(errno)))")
            }
            aside = old
        }
        if rename(source, dest) != 0 {
            let reason = String(cString: strerror(errno))
            if let aside { _ = rename(aside, dest) }
            throw FetchError.fileSystem(path: dest, reason: "cannot move the unpacked release into place: \(reason)")
        }
        if let aside { try? fm.removeItem(atPath: aside) }
    }
}
