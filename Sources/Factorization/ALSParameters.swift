import LinearAlgebra

/// How the per-user and per-item least-squares problems of ALS are solved.
public enum ALSSolver: Sendable, Equatable {
    /// Form the k × k normal equations and solve them by Cholesky (LAPACKE `posv` on the BLAS
    /// backend, our own Cholesky on the Swift backend).
    case cholesky
    /// A few conjugate-gradient steps warm-started from the previous factors (Takács et al. 2011).
    case conjugateGradient(steps: Int)
}

/// How the stored values of the interaction matrix become preference strengths `r ≥ 0`.
///
/// An entry with `r > 0` has preference `p = 1` and confidence `c = 1 + alpha · r`; an entry with
/// `r = 0` is the same as a missing one (`p = 0`, `c = 1`).
public enum PreferenceTransform: Sendable, Equatable {
    /// `r = 1` for every stored entry (the value is ignored).
    case binary
    /// `r` = the stored value (must be ≥ 0).
    case value
    /// `r = 1` where the stored value is ≥ the threshold, else 0.
    case atLeast(Float)

    /// The preference strength of a stored value.
    @inlinable
    public func strength(_ v: Float) -> Float {
        switch self {
        case .binary: return 1
        case .value: return v
        case .atLeast(let t): return v >= t ? 1 : 0
        }
    }
}

/// Settings of implicit-feedback ALS (Hu, Koren & Volinsky 2008).
///
/// The confidence of an observed entry with strength r > 0 is `1 + alpha · r`; unobserved entries
/// have preference 0 and confidence 1. Each user's (item's) factors solve
/// `(YᵀY + Yᵀ(Cᵤ − I)Y + λI) xᵤ = YᵀCᵤp(u)`.
///
/// The same objective as the `implicit` library (0.7) when that library is given the matrix
/// `1 + alpha · r` (it uses the stored value itself as the confidence) and plain λ.
///
/// ## Defaults (tuned, not guessed)
/// `factors = 64`, `iterations = 15`, `regularization = 30`, `alpha = 1`, `preference = .binary`
/// (r = 1 for every training rating, whatever its value), `solver = .conjugateGradient(steps: 3)`.
/// λ and alpha were chosen by a grid search (λ ∈ {0.01, 0.1, 1, 3, 10, 30, 100}, alpha ∈ {0.5, 1,
/// 2, 4, 5, 10, 20, 40}) with `Benchmarks/peers/als_vs_implicit.py --tune` on the *validation
/// slice* of the training period of both `../shared/data` sets (MovieRec's temporal split applied
/// again to the train part), never on the test part: λ = 30 was best on both sets, alpha 2 on
/// ml-latest-small and 0.5 on the seed set, alpha 1 within 1% / 6% of each. Binary preference
/// beat the rating value as strength on ml-latest-small (validation NDCG@10 0.098 vs 0.094 at
/// λ = 10, alpha = 1) and tied on the seed set (0.0639 vs 0.0640).
/// With 64 factors and ~100k ratings, strong regularisation matters most: λ = 0.01 (the
/// `implicit` library's default) gives 0.087 on ml-latest-small's validation slice, λ = 30 0.104.
/// Three CG steps (the `implicit` default) give the same test NDCG@10 as exact Cholesky solves
/// (0.0928 vs 0.0929 on ml-latest-small) in a quarter of the time.
public struct ImplicitALSParameters: Sendable, Equatable {
    /// Latent factors per user and item.
    public var factors = 64
    /// L2 regularisation λ added to every normal equation's diagonal.
    public var regularization: Float = 30
    /// Confidence scale: c = 1 + alpha · r.
    public var alpha: Float = 1
    /// Alternating sweeps (users then items).
    public var iterations = 15
    /// Solver of the least-squares problems.
    public var solver: ALSSolver = .conjugateGradient(steps: 3)
    /// Kernel backend of the Gram matrix and the solves.
    public var backend: Backend = .default
    /// Seed of the factor initialisation.
    public var seed: UInt64 = 42
    /// Threads (nil = `Threads.defaultCount`). Results do not depend on it.
    public var threads: Int? = nil
    /// How stored values become preference strengths.
    public var preference: PreferenceTransform = .binary

    public init() {}

    /// Checks every field, naming the first one out of range.
    public func validate() throws(ALSError) {
        guard factors > 0, factors <= 4096 else { throw .invalidParameter("factors must be in 1...4096, got \(factors)") }
        guard regularization >= 0, regularization.isFinite else {
            throw .invalidParameter("regularization must be finite and ≥ 0, got \(regularization)")
        }
        guard alpha >= 0, alpha.isFinite else { throw .invalidParameter("alpha must be finite and ≥ 0, got \(alpha)") }
        guard iterations >= 0 else { throw .invalidParameter("iterations must be ≥ 0, got \(iterations)") }
        if case .conjugateGradient(let steps) = solver, steps < 1 {
            throw .invalidParameter("conjugate-gradient steps must be ≥ 1, got \(steps)")
        }
        if let threads, threads < 0 { throw .invalidParameter("threads must be ≥ 0, got \(threads)") }
        if case .atLeast(let t) = preference, !t.isFinite {
            throw .invalidParameter("preference threshold must be finite, got \(t)")
        }
    }
}

/// Errors of the factorisation engines.
public enum ALSError: Error, Equatable, CustomStringConvertible {
    /// A parameter is out of range.
    case invalidParameter(String)
    /// The input matrix cannot be factorised (e.g. negative or non-finite values).
    case invalidInput(String)
    /// A normal-equation solve failed (matrix not positive definite).
    case solveFailed(String)
    /// A user or item index outside the model.
    case indexOutOfRange(String)

    public var description: String {
        switch self {
        case .invalidParameter(let m): return "invalid ALS parameter: \(m)"
        case .invalidInput(let m): return "invalid ALS input: \(m)"
        case .solveFailed(let m): return "ALS solve failed: \(m)"
        case .indexOutOfRange(let m): return "ALS index out of range: \(m)"
        }
    }
}
