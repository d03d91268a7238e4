import Runtime

/// The rating model of `movierec data synth` and its calibration.
///
/// A rating of movie m by user u starts from a latent score
///
///     s = b_u + b_m + ⟨p_u, q_m⟩ + Σ_{g ∈ genres(m)} (γ_{u,g} + μ_g) / √|genres(m)| + ε
///
/// with user bias b_u, movie bias b_m (correlated ρ = 0.35 with the movie's log-popularity, so
/// popular movies are rated higher, as in MovieLens), rank-8 factors p_u, q_m, a per-user genre
/// taste γ_{u,g}, a small fixed genre effect μ_g, and noise ε. The variance shares of s are
/// user bias 0.18, movie bias 0.18, factors 0.22, genre taste 0.10, noise 0.32 — about two
/// thirds of the variance is learnable, matching ml-latest-small where the per-user and per-movie
/// mean ratings have standard deviations of 0.48 and 0.44 stars on a 1.04-star spread.
///
/// The score becomes a half-star rating through nine thresholds (an ordinal-probit link). The
/// thresholds are calibrated per data set: a pilot of 2¹⁷ (user, movie) scores drawn exactly as
/// the generator draws them (movies by popularity) is sorted, and threshold k is put at the
/// pilot's quantile for ml-latest-small's cumulative share of ratings ≤ k half-stars. The star
/// distribution of the output therefore matches ml-latest-small's (mean 3.50, mode 4.0) up to
/// sampling error, whatever the sizes.
struct SynthModel: Sendable {
    var userBiasSD = 0.18.squareRoot()
    var movieBiasSD = 0.18.squareRoot()
    /// Each of the 8 factor entries has this SD, so ⟨p, q⟩ has variance 8·sd⁴ = 0.22.
    var factorSD = (0.22 / 8).squareRoot().squareRoot()
    var genreTasteSD = 0.10.squareRoot()
    var noiseSD = Float(0.32).squareRoot()
    var popularityQuality = 0.35
    /// Upper thresholds of half-star levels 1…9 on the latent scale (level 10 = above the last).
    var thresholds: [Float] = []

    /// ml-latest-small's share of each rating 0.5, 1.0, …, 5.0.
    static let targetShare: [Double] = [0.013586, 0.027877, 0.017762, 0.074884, 0.055040,
                                        0.198808, 0.130271, 0.265957, 0.084801, 0.131015]

    /// Half stars (1…10) of latent score `s`.
    @inline(__always)
    func halfStars(_ s: Float) -> Int {
        var level = 1
        for t in thresholds where s > t { level += 1 }
        return level
    }

    /// Sets `thresholds` from a pilot sample of latent scores (with noise): threshold k is the
    /// sample's quantile at the target share of ratings ≤ k half stars.
    mutating func calibrate(pilotScores scores: [Float]) {
        let scores = scores.sorted()
        var cumulative = 0.0
        thresholds = []
        guard !scores.isEmpty else { thresholds = [Float](repeating: 0, count: 9); return }
        for k in 0..<9 {
            cumulative += SynthModel.targetShare[k]
            let index = min(scores.count - 1, max(0, Int((cumulative * Double(scores.count)).rounded(.down))))
            thresholds.append(scores[index])
        }
    }
}

/// One user's latent parameters.
struct UserTaste {
    var bias: Float
    var factors: (Float, Float, Float, Float, Float, Float, Float, Float)
    /// γ_{u,g} + μ_g per genre bit.
    var genre: [Float]

    static func draw(_ g: inout SplitMix64, model: SynthModel) -> UserTaste {
        let bias = Float(model.userBiasSD * g.nextGaussian())
        let s = model.factorSD
        let f = (Float(s * g.nextGaussian()), Float(s * g.nextGaussian()), Float(s * g.nextGaussian()), Float(s * g.nextGaussian()),
                 Float(s * g.nextGaussian()), Float(s * g.nextGaussian()), Float(s * g.nextGaussian()), Float(s * g.nextGaussian()))
        var genre = [Float](repeating: 0, count: SynthVocabulary.genreMean.count)
        for i in genre.indices {
            genre[i] = Float(model.genreTasteSD * g.nextGaussian() + SynthVocabulary.genreMean[i])
        }
        return UserTaste(bias: bias, factors: f, genre: genre)
    }

    /// The noiseless score of movie `m`.
    @inline(__always)
    func score(movie m: Int, movies: MovieCatalog) -> Float {
        movies.factors.withUnsafeBufferPointer { q in
            let b = m &* 8
            var dot = factors.0 * q[b] + factors.1 * q[b + 1] + factors.2 * q[b + 2] + factors.3 * q[b + 3]
            dot += factors.4 * q[b + 4] + factors.5 * q[b + 5] + factors.6 * q[b + 6] + factors.7 * q[b + 7]
            var bits = movies.genres[m]
            var taste: Float = 0
            while bits != 0 {
                let i = bits.trailingZeroBitCount
                taste += genre[i]
                bits &= bits &- 1
            }
            return bias + movies.bias[m] + dot + taste * movies.genreScale[m]
        }
    }
}
