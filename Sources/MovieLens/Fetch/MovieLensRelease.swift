/// A MovieLens release that `DatasetFetcher` can download from GroupLens.
public struct MovieLensRelease: Sendable, Equatable {
    /// The name used on the command line and as the directory under `data/` (e.g. `ml-25m`).
    public let name: String
    /// The archive's file name on the server (e.g. `ml-25m.zip`).
    public let archiveName: String
    /// The top-level directory inside the archive (e.g. `ml-10M100K` for `ml-10m.zip`).
    public let archiveRoot: String

    /// The default download location: GroupLens' public file server.
    public static let defaultBaseURL = "https://files.grouplens.org/datasets/movielens"

    /// Every release `movierec data fetch` knows, in the order they are listed to users.
    public static let all: [MovieLensRelease] = [
        MovieLensRelease(name: "ml-100k", archiveName: "ml-100k.zip", archiveRoot: "ml-100k"),
        MovieLensRelease(name: "ml-1m", archiveName: "ml-1m.zip", archiveRoot: "ml-1m"),
        MovieLensRelease(name: "ml-10m", archiveName: "ml-10m.zip", archiveRoot: "ml-10M100K"),
        MovieLensRelease(name: "ml-20m", archiveName: "ml-20m.zip", archiveRoot: "ml-20m"),
        MovieLensRelease(name: "ml-25m", archiveName: "ml-25m.zip", archiveRoot: "ml-25m"),
        MovieLensRelease(name: "ml-32m", archiveName: "ml-32m.zip", archiveRoot: "ml-32m"),
        MovieLensRelease(name: "ml-latest-small", archiveName: "ml-latest-small.zip", archiveRoot: "ml-latest-small"),
        MovieLensRelease(name: "ml-latest", archiveName: "ml-latest.zip", archiveRoot: "ml-latest"),
    ]

    /// The names of every known release.
    public static var names: [String] { all.map(\.name) }

    /// The release called `name`, or `FetchError.unknownRelease` listing the valid names.
    public static func named(_ name: String) throws -> MovieLensRelease {
        guard let r = all.first(where: { $0.name == name }) else {
            throw FetchError.unknownRelease(name: name, valid: names)
        }
        return r
    }

    /// URL of the archive under `baseURL` (no trailing slash needed).
    public func archiveURL(base: String) -> String { MovieLensRelease.join(base, archiveName) }

    /// URL of the published MD5 digest of the archive (`NAME.zip.md5`).
    public func checksumURL(base: String) -> String { MovieLensRelease.join(base, archiveName + ".md5") }

    static func join(_ base: String, _ file: String) -> String {
        var b = base
        while b.hasSuffix("/") { b.removeLast() }
        return b + "/" + file
    }
}
