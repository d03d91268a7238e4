/// Why `movierec data synth` cannot generate or expand a data set.
public enum SynthError: Error, CustomStringConvertible, Equatable {
    /// A parameter is out of its valid range; `name` is the CLI option, `reason` says what is allowed.
    case invalidParameter(name: String, reason: String)
    /// The output directory exists and `overwrite` was not given.
    case outputExists(path: String)
    /// A file or directory of the output could not be written.
    case cannotWrite(path: String, reason: String)
    /// The data set to expand could not be read or has nothing to expand.
    case cannotExpand(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let reason): return "\(name): \(reason)"
        case .outputExists(let path): return "\(path) already exists (pass --force to replace it)"
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        case .cannotExpand(let path, let reason): return "cannot expand \(path): \(reason)"
        }
    }
}
