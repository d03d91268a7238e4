/// Why a model bundle could not be written, read or used. Every case that concerns a file names it.
public enum BundleError: Error, CustomStringConvertible, Equatable {
    /// The directory is not a MovieRec model bundle (no manifest, or a manifest of something else).
    case notABundle(path: String, reason: String)
    /// The bundle was written by a different, unsupported format version.
    case unsupportedVersion(path: String, found: Int, supported: Int)
    /// A file listed in the manifest is missing.
    case missingFile(path: String)
    /// A file's size differs from the manifest's (truncated or appended to).
    case sizeMismatch(path: String, expected: Int, found: Int)
    /// A file's CRC-32C differs from the manifest's (corrupted).
    case checksumMismatch(path: String, expected: UInt32, found: UInt32)
    /// A file's content cannot be decoded although its checksum matched (foreign or inconsistent).
    case corrupt(path: String, reason: String)
    /// The components disagree with each other (e.g. feature columns of the classifier vs the schema).
    case inconsistent(String)
    /// The bundle could not be written; the previous bundle, if any, is untouched.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .notABundle(let p, let r): return "\(p) is not a MovieRec model bundle: \(r)"
        case .unsupportedVersion(let p, let f, let s):
            return "\(p): bundle format version \(f) is not supported (this build reads version \(s)); retrain with `movierec train`"
        case .missingFile(let p): return "\(p): file is missing from the model bundle"
        case .sizeMismatch(let p, let e, let f): return "\(p): size is \(f) bytes, the manifest says \(e) (truncated or modified file)"
        case .checksumMismatch(let p, let e, let f):
            return "\(p): CRC-32C is \(BundleError.hex(f)), the manifest says \(BundleError.hex(e)) (corrupted file)"
        case .corrupt(let p, let r): return "\(p): \(r)"
        case .inconsistent(let r): return "inconsistent model bundle: \(r)"
        case .writeFailed(let p, let r): return "cannot write the model bundle \(p): \(r) (the previous bundle, if any, is unchanged)"
        }
    }

    static func hex(_ x: UInt32) -> String {
        let s = String(x, radix: 16)
        return String(repeating: "0", count: max(0, 8 - s.count)) + s
    }
}

/// Why a request to a loaded bundle cannot be answered.
public enum ServingError: Error, CustomStringConvertible, Equatable {
    /// The user id is not in the bundle's training data.
    case unknownUser(Int64)
    /// The movie id is not in the bundle's catalogue.
    case unknownMovie(Int64)
    /// A genre name the data set does not use.
    case unknownGenre(String, known: [String])
    /// The requested model is not available in this bundle or build.
    case modelUnavailable(String)
    /// A bad request parameter.
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .unknownUser(let id):
            return "user \(id) is not in the model bundle (it only knows the users of its training data); for a new user, ask by taste with --genres \"Comedy|Romance\""
        case .unknownMovie(let id): return "movie \(id) is not in the model bundle's catalogue"
        case .unknownGenre(let g, let known): return "unknown genre \"\(g)\"; the data set's genres are: " + known.joined(separator: ", ")
        case .modelUnavailable(let what): return what
        case .invalidRequest(let what): return what
        }
    }
}
