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
    var thresholds: [Float] = [] {
        didSet {
            let t = thresholds + [Float](repeating: .infinity, count: max(0, 9 - thresholds.count))
            cuts = (t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8])
        }
    }
    /// `thresholds` as scalars, for a branch-free level lookup.
    private var cuts: (Float, Float, Float, Float, Float, Float, Float, Float, Float) =
        (.infinity, .infinity, .infinity, .infinity, .infinity, .infinity, .infinity, .infinity, .infinity)

    /// ml-latest-small's share of each rating 0.5, 1.0, …, 5.0.
    static let targetShare: [Double] = [0.013586, 0.027877, 0.017762, 0.074884, 0.055040,
                                        0.198808, 0.130271, 0.265957, 0.084801, 0.131015]

    /// Half stars (1…10) of latent score `s`.
    @inline(__always)
    func halfStars(_ s: Float) -> Int {
        let c = cuts
        var level = 1
        level &+= s > c.0 ? 1 : 0
        level &+= s > c.1 ? 1 : 0
        level &+= s > c.2 ? 1 : 0
        level &+= s > c.3 ? 1 : 0
        level &+= s > c.4 ? 1 : 0
        level &+= s > c.5 ? 1 : 0
        level &+= s > c.6 ? 1 : 0
        level &+= s > c.7 ? 1 : 0
        level &+= s > c.8 ? 1 : 0
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
    /// γ_{u,g} + μ_g per genre bit (32 entries, 19 used).
    var genre: [Float]

    static func draw(_ g: inout SplitMix64, model: SynthModel) -> UserTaste {
        let bias = Float(model.userBiasSD * g.nextGaussian())
        var f = [Float](repeating: 0, count: 8)
        for j in 0..<8 { f[j] = Float(model.factorSD * g.nextGaussian()) }
        var genre = [Float](repeating: 0, count: 32)
        for i in SynthVocabulary.genreMean.indices {
            genre[i] = Float(model.genreTasteSD * g.nextGaussian() + SynthVocabulary.genreMean[i])
        }
        return UserTaste(bias: bias, factors: (f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]), genre: genre)
    }

    /// The noiseless score of a movie; `genre` points at `self.genre`'s 32 entries.
    @inline(__always)
    func score(_ movie: MovieRecord, genre: UnsafePointer<Float>) -> Float {
        // branch-free over the 19 genre bits (a data-dependent loop mispredicts and stalls the
        // overlapping movie-record loads)
        let bits = movie.genres
        var taste: Float = 0
        for i in 0..<19 { taste += genre[i] * Float((bits >> UInt32(i)) & 1) }
        let p = factors, q = movie.factors
        var dot = p.0 * q.0 + p.1 * q.1 + p.2 * q.2 + p.3 * q.3
        dot += p.4 * q.4 + p.5 * q.5 + p.6 * q.6 + p.7 * q.7
        return bias + movie.bias + dot + taste * movie.genreScale
    }

    /// The noiseless score of movie `m` of `movies`.
    func score(movie m: Int, movies: MovieCatalog) -> Float {
        genre.withUnsafeBufferPointer { g in
            guard let base = g.baseAddress else { return 0 }
            return score(movies.records[m], genre: base)
        }
    }
}
