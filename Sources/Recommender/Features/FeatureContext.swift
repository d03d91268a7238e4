import Foundation
import MovieLens

/// Everything the features of a row may be computed from: the statistics of one set of
/// training ratings (and the factorisation fitted on exactly that set), turned into per-user
/// and per-movie values once, then looked up per row.
///
/// A context never sees the ratings it is asked to describe — the builder guarantees that by
/// constructing it from the training set minus the row's inner fold (training rows) or from the
/// whole training set (test rows).
struct FeatureContext: Sendable {
    let schema: FeatureSchema
    let options: FeatureOptions
    let sums: RatingSums
    let mf: BiasedMF?
    let clusters: ClusterContext?
    let globalMean: Double
    let globalLikeRate: Double
    let userMean: [Float], userRawMean: [Double], userStd: [Float], userLikeRate: [Float]
    let movieMean: [Float], movieStd: [Float], movieLikeRate: [Float]

    init(sums: RatingSums, mf: BiasedMF?, clusters: ClusterContext?, schema: FeatureSchema, options: FeatureOptions) {
        self.clusters = clusters
        self.schema = schema
        self.options = options
        self.sums = sums
        self.mf = mf
        let mu = sums.n > 0 ? sums.sum / sums.n : 0
        let like = sums.n > 0 ? sums.likes / sums.n : 0
        globalMean = mu
        globalLikeRate = like
        func shrunk(_ s: Double, _ n: Double, _ prior: Double, _ target: Double) -> Float {
            n + prior > 0 ? Float((s + prior * target) / (n + prior)) : Float(target)
        }
        func std(_ s: Double, _ q: Double, _ n: Double) -> Float {
            guard n >= 2 else { return .nan }
            let m = s / n
            return Float(max(0, q / n - m * m).squareRoot())
        }
        let ku = options.userPrior, km = options.moviePrior
        userMean = sums.userN.indices.map { shrunk(sums.userSum[$0], sums.userN[$0], ku, mu) }
        userRawMean = sums.userN.indices.map { sums.userN[$0] > 0 ? sums.userSum[$0] / sums.userN[$0] : .nan }
        userStd = sums.userN.indices.map { std(sums.userSum[$0], sums.userSq[$0], sums.userN[$0]) }
        userLikeRate = sums.userN.indices.map { shrunk(sums.userLikes[$0], sums.userN[$0], ku, like) }
        movieMean = sums.movieN.indices.map { shrunk(sums.movieSum[$0], sums.movieN[$0], km, mu) }
        movieStd = sums.movieN.indices.map { std(sums.movieSum[$0], sums.movieSq[$0], sums.movieN[$0]) }
        movieLikeRate = sums.movieN.indices.map { shrunk(sums.movieLikes[$0], sums.movieN[$0], km, like) }
    }

    /// Writes the features of rating `r` of `data` into column-major `out` (`rows` rows) at row `i`.
    func fill(rating r: Int, of data: Dataset, into out: UnsafeMutableBufferPointer<Float>, row i: Int, rows: Int) {
        fill(user: Int(data.ratingUser[r]), movie: Int(data.ratingMovie[r]), time: data.ratingTime[r], of: data,
             into: out, row: i, rows: rows)
    }

    /// Writes the features of user `u` (dense index) and movie `m` at Unix time `time` (which
    /// only sets `movie_age_at_rating`) into column-major `out` (`rows` rows) at row `i`.
    /// `u` and `m` must be valid dense indices of `data`.
    func fill(user u: Int, movie m: Int, time: Int64, of data: Dataset, into out: UnsafeMutableBufferPointer<Float>,
              row i: Int, rows: Int) {
        var c = 0
        @inline(__always) func put(_ v: Float) { out[c * rows + i] = v; c += 1 }
        put(Float(sums.userN[u])); put(userMean[u]); put(userStd[u]); put(userLikeRate[u])
        put(Float(sums.movieN[m])); put(movieMean[m]); put(movieStd[m]); put(movieLikeRate[m])
        let year = data.years[m]
        put(year > 0 ? Float(year) : .nan)
        let ratedYear = 1970 + Double(time) / 31_556_952
        put(year > 0 ? Float(ratedYear - Double(year)) : .nan)
        let bits = data.genres[m]
        put(Float(bits.nonzeroBitCount))
        for g in 0..<schema.genreCount { put(bits & (1 << UInt32(g)) != 0 ? 1 : 0) }
        // The user's affinity for the movie's genres: per genre, the shrunk mean deviation of the
        // user's ratings in that genre from the user's own mean; and the share of the user's
        // ratings that fall in the genre (exposure).
        let nu = sums.userN[u]
        var affSum = 0.0, affMin = Double.infinity, affMax = -Double.infinity, exposure = 0.0, genres = 0.0
        if nu > 0 {
            let mean = userRawMean[u]
            var b = bits
            while b != 0 {
                let g = b.trailingZeroBitCount
                b &= b - 1
                guard g < schema.genreCount else { continue }
                let n = sums.userGenreN[u * schema.genreCount + g], s = sums.userGenreSum[u * schema.genreCount + g]
                let dev = (s - n * mean) / (n + options.genrePrior)
                affSum += dev; affMin = min(affMin, dev); affMax = max(affMax, dev)
                exposure += n / nu
                genres += 1
            }
        }
        if genres > 0 {
            put(Float(affSum / genres)); put(Float(affMin)); put(Float(affMax)); put(Float(exposure / genres))
        } else {
            put(.nan); put(.nan); put(.nan); put(.nan)
        }
        if schema.demographics {
            let g = u < data.userGender.count ? data.userGender[u] : 0
            let a = u < data.userAge.count ? data.userAge[u] : -1
            let o = u < data.userOccupation.count ? data.userOccupation[u] : -1
            put(g == 0 ? .nan : Float(g)); put(a < 0 ? .nan : Float(a)); put(o < 0 ? .nan : Float(o))
        }
        if schema.factorization {
            if let mf {
                let (prediction, interaction) = mf.predictionAndInteraction(user: u, item: m)
                put(prediction); put(mf.userBias[u]); put(mf.itemBias[m]); put(interaction)
            } else {
                put(.nan); put(.nan); put(.nan); put(.nan)
            }
        }
        if schema.clusters {
            let g = clusters?.genre(user: u, movie: m) ?? (.nan, .nan, .nan)
            let q = clusters?.rating(user: u, movie: m) ?? (.nan, .nan, .nan)
            put(g.0); put(g.1); put(g.2); put(q.0); put(q.1); put(q.2)
        }
    }
}
