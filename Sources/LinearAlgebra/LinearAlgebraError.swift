/// Errors raised by LinearAlgebra's constructors and kernels. Each case names the operation and
/// the offending sizes or values, so a caller can report it without a stack trace.
public enum LinearAlgebraError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Operand shapes do not fit together, e.g. `gemm: op(A) is 3x4 but op(B) is 5x2`.
    case dimensionMismatch(operation: String, details: String)
    /// A storage array has the wrong number of elements for the declared shape.
    case storageCount(rows: Int, cols: Int, count: Int)
    /// A negative or overflowing dimension.
    case invalidShape(operation: String, details: String)
    /// A COO triplet points outside the declared shape.
    case indexOutOfRange(operation: String, entry: Int, row: Int, col: Int, rows: Int, cols: Int)
    /// A COO input holds the same (row, col) twice and duplicates were declared an error.
    case duplicateEntry(row: Int, col: Int)
    /// A non-finite value (NaN or infinity) where the kernel needs finite input.
    case nonFinite(operation: String, details: String)
    /// Cholesky found the leading minor of this order not positive definite.
    case notPositiveDefinite(order: Int)
    /// A LAPACK routine returned a non-zero `info`.
    case lapackFailure(routine: String, info: Int)
    /// An argument outside its domain (e.g. `k <= 0` for top-k).
    case invalidArgument(operation: String, details: String)
    /// A backend name that is neither `blas` nor `swift`.
    case unknownBackend(String)
    /// The requested operation is not implemented for this backend.
    case unsupportedBackend(operation: String, backend: String)

    public var description: String {
        switch self {
        case .dimensionMismatch(let op, let d): return "\(op): dimension mismatch: \(d)"
        case .storageCount(let r, let c, let n):
            return "matrix storage has \(n) elements but a \(r)x\(c) matrix needs \(r.multipliedReportingOverflow(by: c).partialValue)"
        case .invalidShape(let op, let d): return "\(op): invalid shape: \(d)"
        case .indexOutOfRange(let op, let e, let r, let c, let rows, let cols):
            return "\(op): entry \(e) at (row \(r), column \(c)) is outside the \(rows)x\(cols) matrix"
        case .duplicateEntry(let r, let c): return "duplicate entry at (row \(r), column \(c))"
        case .nonFinite(let op, let d): return "\(op): non-finite value: \(d)"
        case .notPositiveDefinite(let k): return "Cholesky: the leading minor of order \(k) is not positive definite"
        case .lapackFailure(let routine, let info): return "LAPACK \(routine) failed with info = \(info)"
        case .invalidArgument(let op, let d): return "\(op): \(d)"
        case .unknownBackend(let s): return "unknown backend \"\(s)\" (expected blas or swift)"
        case .unsupportedBackend(let op, let b): return "\(op) is not available on the \(b) backend"
        }
    }
}
