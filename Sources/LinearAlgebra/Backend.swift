import Foundation

/// Which implementation a kernel runs: OpenBLAS/LAPACKE (`blas`) or the pure-Swift SIMD twin
/// (`swift`). Both compute the same mathematical result; they agree to within floating-point
/// rounding (summation order differs), which the tests bound.
public enum Backend: String, Sendable, CaseIterable, CustomStringConvertible {
    case blas
    case swift

    /// `MOVIEREC_BACKEND` from the environment (`blas` or `swift`, case-insensitive), else `.blas`.
    /// An unrecognised value falls back to `.blas`; use `Backend(parsing:)` to reject it instead.
    public static var `default`: Backend { fromEnvironment(or: .blas) }

    /// `MOVIEREC_BACKEND` from the environment when it names a backend, else `fallback` (for a
    /// command whose kernels run faster on the other backend, e.g. KMeans's small-k register kernel).
    public static func fromEnvironment(or fallback: Backend) -> Backend {
        if let raw = getenv("MOVIEREC_BACKEND").map({ String(cString: $0) }), let b = try? Backend(parsing: raw) {
            return b
        }
        return fallback
    }

    /// Parses a user-supplied name (`blas` or `swift`, case-insensitive, surrounding spaces ignored).
    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let b = Backend(rawValue: t) else { throw LinearAlgebraError.unknownBackend(text) }
        self = b
    }

    public var description: String { rawValue }
}
