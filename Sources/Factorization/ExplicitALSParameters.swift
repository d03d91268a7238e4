import LinearAlgebra

/// Settings of explicit-feedback ALS with user and item biases (rating regression):
/// `r̂ᵤᵢ = μ + bᵤ + bᵢ + xᵤ·yᵢ`, fitted to the observed ratings only.
///
/// Regularisation is weighted by the number of ratings (Zhou et al. 2008, "weighted-λ"): a row
/// with n ratings adds `λ·n` to its normal equations (factors and bias alike), so heavy raters
/// are not under-regularised and light raters not over-regularised.
public struct ExplicitALSParameters: Sendable, Equatable {
    /// Latent factors per user and item.
    public var factors = 32
    /// λ of the weighted-λ penalty `λ·n·(‖x‖² + b²)`.
    public var regularization: Float = 0.08
    /// Alternating sweeps (users then items).
    public var iterations = 10
    /// Backend of the per-row Cholesky solves.
    public var backend: Backend = .default
    /// Seed of the factor initialisation.
    public var seed: UInt64 = 42
    /// Threads (nil = `Threads.defaultCount`). Results do not depend on it.
    public var threads: Int? = nil

    public init() {}

    /// Checks every field, naming the first one out of range.
    public func validate() throws(ALSError) {
        guard factors >= 0, factors <= 4096 else { throw .invalidParameter("factors must be in 0...4096, got \(factors)") }
        guard regularization > 0, regularization.isFinite else {
            throw .invalidParameter("regularization must be finite and > 0, got \(regularization)")
        }
        guard iterations >= 0 else { throw .invalidParameter("iterations must be ≥ 0, got \(iterations)") }
        if let threads, threads < 0 { throw .invalidParameter("threads must be ≥ 0, got \(threads)") }
    }
}
