/// Why `movierec data fetch` failed. Every case names the URL or path involved.
public enum FetchError: Error, CustomStringConvertible, Equatable {
    /// The release name is not one GroupLens publishes (lists the valid ones).
    case unknownRelease(name: String, valid: [String])
    /// The base URL or a derived URL does not parse.
    case badURL(String)
    /// The server answered with a non-success HTTP status.
    case httpStatus(url: String, status: Int)
    /// The connection failed or timed out.
    case network(url: String, reason: String)
    /// The transfer ended before the announced length arrived (`received` of `expected` bytes).
    /// The partial file is kept so the next run resumes it.
    case incomplete(url: String, received: Int64, expected: Int64, partialFile: String)
    /// The `.md5` file holds no 32-hex-digit digest.
    case badChecksumFile(url: String, content: String)
    /// The download's MD5 differs from the published one; the download was deleted.
    case checksumMismatch(file: String, expected: String, actual: String)
    /// The archive could not be unpacked (corrupt zip, unsafe path, disk full…).
    case unpack(archive: String, reason: String)
    /// The archive does not contain the expected top-level directory.
    case unexpectedLayout(archive: String, reason: String)
    /// A file-system step (create, rename, remove) failed.
    case fileSystem(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownRelease(let name, let valid):
            return "unknown MovieLens release '\(name)'; valid names: \(valid.joined(separator: ", "))"
        case .badURL(let url):
            return "invalid URL '\(url)'"
        case .httpStatus(let url, let status):
            return "download of \(url) failed: HTTP status \(status)"
        case .network(let url, let reason):
            return "download of \(url) failed: \(reason)"
        case .incomplete(let url, let received, let expected, let partial):
            return "download of \(url) was interrupted after \(received) of \(expected) bytes; "
                + "the partial file \(partial) is kept and the next `movierec data fetch` resumes it"
        case .badChecksumFile(let url, let content):
            return "\(url) does not contain an MD5 digest (starts with \"\(content.prefix(60))\")"
        case .checksumMismatch(let file, let expected, let actual):
            return "MD5 mismatch for \(file): expected \(expected), got \(actual); the download was deleted, run the command again"
        case .unpack(let archive, let reason):
            return "cannot unpack \(archive): \(reason)"
        case .unexpectedLayout(let archive, let reason):
            return "unexpected layout of \(archive): \(reason)"
        case .fileSystem(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
