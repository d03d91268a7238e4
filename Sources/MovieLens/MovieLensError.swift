/// Why a MovieLens directory could not be loaded at all. Row-level problems do not throw: they are
/// counted in the `CleaningReport`. These errors name the file (and line where there is one).
public enum MovieLensError: Error, CustomStringConvertible, Equatable {
    /// The path does not exist or is not a directory.
    case notADirectory(path: String)
    /// No known MovieLens file layout was found in the directory.
    case noMovieLensFiles(directory: String, found: [String])
    /// A file the format needs is absent.
    case missingFile(path: String)
    /// A file could not be read.
    case unreadable(path: String, reason: String)
    /// The file is empty (no data rows).
    case emptyFile(path: String)
    /// The file is not a MovieLens file of the expected kind: `line` (1-based) shows why.
    case notMovieLens(path: String, line: Int, reason: String)
    /// Nothing usable was left after cleaning: every data row of the file was dropped.
    case noUsableRows(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .notADirectory(let path): return "\(path): no such directory"
        case .noMovieLensFiles(let dir, let found):
            let listing = found.isEmpty ? "it is empty" : "it holds " + found.prefix(8).joined(separator: ", ") + (found.count > 8 ? ", …" : "")
            return "\(dir): no MovieLens files (expected ratings.csv, u.data or ratings.dat); \(listing)"
        case .missingFile(let path): return "\(path): file is missing"
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .emptyFile(let path): return "\(path):1: file is empty"
        case .notMovieLens(let path, let line, let reason): return "\(path):\(line): not a MovieLens file: \(reason)"
        case .noUsableRows(let path, let line, let reason): return "\(path):\(line): no usable rows; the first was dropped for: \(reason)"
        }
    }

    /// The file the error is about.
    public var path: String {
        switch self {
        case .notADirectory(let p), .missingFile(let p), .unreadable(let p, _), .emptyFile(let p): return p
        case .noMovieLensFiles(let d, _): return d
        case .notMovieLens(let p, _, _), .noUsableRows(let p, _, _): return p
        }
    }
}
