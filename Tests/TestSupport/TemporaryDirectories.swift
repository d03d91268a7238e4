import Foundation

/// Scratch directories made for one test and removed after it: a test case keeps one, calls
/// `make` for each directory it needs and `removeAll()` in `tearDown`. Permissions a test took
/// away (read-only directories) are restored first, so removal never fails on them.
public final class TemporaryDirectories {
    private var made: [URL] = []

    public init() {}

    /// A new, empty directory under the system's temporary directory, named after `label`.
    public func make(_ label: String) throws -> URL {
        let url = try TestData.temporaryDirectory(label)
        made.append(url)
        return url
    }

    /// Deletes every directory made so far (errors ignored: the system cleans its temp dir too).
    public func removeAll() {
        let files = FileManager.default
        for url in made {
            try? files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            for sub in (try? files.subpathsOfDirectory(atPath: url.path)) ?? [] {
                try? files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.appendingPathComponent(sub).path)
            }
            try? files.removeItem(at: url)
        }
        made = []
    }
}
