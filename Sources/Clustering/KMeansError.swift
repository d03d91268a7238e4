/// Why a KMeans fit or prediction was refused. Every case names the offending value.
public enum KMeansError: Error, CustomStringConvertible, Equatable {
    /// `k` is not in `1...n`.
    case invalidClusterCount(k: Int, samples: Int)
    /// The input has no rows or no columns.
    case emptyInput(rows: Int, columns: Int)
    /// A parameter is out of its range (name, value, expected range).
    case invalidParameter(name: String, value: String, expected: String)
    /// Sample weights: wrong count, negative, non-finite, or all zero.
    case invalidWeights(reason: String)
    /// The input holds a NaN or infinity.
    case nonFiniteValue(row: Int, column: Int)
    /// A prediction input has a different number of columns than the centres.
    case dimensionMismatch(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .invalidClusterCount(let k, let n):
            return "invalid number of clusters k=\(k): need 1 ≤ k ≤ number of samples (\(n))"
        case .emptyInput(let r, let c):
            return "cannot cluster an empty matrix (\(r) rows × \(c) columns)"
        case .invalidParameter(let name, let value, let expected):
            return "invalid \(name)=\(value): expected \(expected)"
        case .invalidWeights(let reason):
            return "invalid sample weights: \(reason)"
        case .nonFiniteValue(let r, let c):
            return "non-finite value at row \(r), column \(c)"
        case .dimensionMismatch(let e, let g):
            return "dimension mismatch: the model has \(e) features, the input has \(g)"
        }
    }
}
