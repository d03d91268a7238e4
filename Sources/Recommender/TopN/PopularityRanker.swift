import Runtime

/// Recommends the movies most liked overall: score = number of training ratings ≥ the like
/// threshold, or (`damping` > 0) the like rate shrunk toward the global like rate,
/// `(likes + damping · λ) / (ratings + damping)`. The same list for everyone.
public struct PopularityRanker: TopNRanker {
    public var name: String { "popularity" }
    /// Score per dense movie index (NaN outside the catalogue).
    public let scores: [Float]
    /// Movies with at least one training rating.
    public let catalogue: [Bool]

    /// Builds the ranker from its stored scores (NaN = not in the catalogue).
    public init(scores: [Float]) {
        self.scores = scores
        self.catalogue = scores.map { !$0.isNaN }
    }

    /// Fits the scores on the training ratings `train`.
    /// - Parameters:
    ///   - likeThreshold: a rating ≥ this is a like.
    ///   - damping: 0 = count of likes; > 0 = damped like rate with that many pseudo-ratings.
    public static func fit(_ train: RatingLists, likeThreshold: Float = 4, damping: Float = 0) -> PopularityRanker {
        var likes = [Float](repeating: 0, count: train.movieCount)
        var count = [Float](repeating: 0, count: train.movieCount)
        var totalLikes: Float = 0
        for (m, v) in zip(train.movies, train.values) {
            count[Int(m)] += 1
            if v >= likeThreshold { likes[Int(m)] += 1; totalLikes += 1 }
        }
        let lambda = train.movies.isEmpty ? 0 : totalLikes / Float(train.movies.count)
        let scores = (0..<train.movieCount).map { m -> Float in
            guard count[m] > 0 else { return .nan }
            return damping > 0 ? (likes[m] + damping * lambda) / (count[m] + damping) : likes[m]
        }
        return PopularityRanker(scores: scores)
    }

    public func recommend(user: Int, excluding seen: [Int32], count: Int) -> [RankedMovie] {
        TopSelection.top(scores: scores, allowed: TopSelection.allowedMask(catalogue: catalogue, seen: seen), count: count)
            .map { RankedMovie(movie: $0.movie, score: $0.score, reason: .popular) }
    }

    /// Writes the scores.
    public func write(to w: inout BinaryWriter) { w.write(array: scores) }

    /// Reads what `write` wrote.
    public static func read(from r: inout BinaryReader) throws -> PopularityRanker {
        PopularityRanker(scores: try r.readArray(Float.self, "popularity scores"))
    }
}
