/// Errors from training and applying boosted trees.
public enum BoostingError: Error, CustomStringConvertible, Equatable {
    /// Parameters out of range (names the parameter and the allowed range).
    case invalidParameter(String)
    /// Data that cannot be trained on or predicted (shape mismatch, NaN labels, …).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .invalidParameter(let m): return "invalid parameter: \(m)"
        case .invalidInput(let m): return "invalid input: \(m)"
        }
    }
}
