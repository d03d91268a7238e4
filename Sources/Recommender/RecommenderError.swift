/// Errors of the Recommender module.
public enum RecommenderError: Error, CustomStringConvertible, Equatable {
    /// A caller-supplied option is out of range (names the option and the value).
    case invalidArgument(String)
    /// The data cannot support the requested computation (too few ratings, …).
    case insufficientData(String)
    /// A model engine failed (the message of the underlying error).
    case training(String)

    public var description: String {
        switch self {
        case .invalidArgument(let what): return "invalid argument: \(what)"
        case .insufficientData(let what): return "insufficient data: \(what)"
        case .training(let what): return "training failed: \(what)"
        }
    }
}
