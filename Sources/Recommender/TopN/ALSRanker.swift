import Factorization
import LinearAlgebra
import Runtime

/// Implicit-feedback ALS (the `Factorization` engine) as a top-N ranker: score = `xᵤ · yᵢ`.
/// The reason of each movie is the user's highly rated movie whose item factor is closest
/// (cosine) to the recommended one: "because you rated Heat 5★".
public struct ALSRanker: TopNRanker {
    public var name: String { "als" }
    /// The fitted factors.
    public let model: ALSModel
    /// The training ratings of every user (for the reasons).
    public let history: RatingLists
    /// Unit-length item factors (for the reasons), items × factors.
    let unitItems: [Float]

    /// Wraps a fitted model and the ratings it was fitted on.
    public init(model: ALSModel, history: RatingLists) {
        self.model = model
        self.history = history
        let k = model.factors
        var unit = model.itemFactors.storage
        for i in 0..<model.items {
            var s: Float = 0
            for f in 0..<k { s += unit[i * k + f] * unit[i * k + f] }
            let inv: Float = s > 0 ? 1 / s.squareRoot() : 0
            for f in 0..<k { unit[i * k + f] *= inv }
        }
        unitItems = unit
    }

    /// Fits ALS on the training ratings.
    public static func fit(_ train: RatingLists, parameters: ImplicitALSParameters = ImplicitALSParameters(),
                           progress: (any ProgressReporter)? = nil) throws -> ALSRanker {
        let matrix = try train.sparseMatrix()
        do {
            return ALSRanker(model: try ImplicitALS.fit(matrix, parameters: parameters, progress: progress), history: train)
        } catch {
            throw RecommenderError.training("ALS: \(error)")
        }
    }

    /// The raw ALS scores of the `count` best catalogue movies not in `seen`.
    func scored(user: Int, excluding seen: [Int32], count: Int) -> [(item: Int32, score: Float)] {
        guard count > 0 else { return [] }
        let sortedSeen = seen.sorted()
        if user >= 0, user < model.users, let list = try? model.recommend(user: user, count: count, excluding: sortedSeen) {
            return list
        }
        // A user the model does not know: the most-interacted items.
        var allowed = model.itemInteractionCounts.map { $0 > 0 }
        for m in seen where m >= 0 && Int(m) < allowed.count { allowed[Int(m)] = false }
        return TopSelection.top(scores: model.itemInteractionCounts.map { Float($0) }, allowed: allowed, count: count)
            .map { (item: $0.movie, score: $0.score) }
    }

    public func recommend(user: Int, excluding seen: [Int32], count: Int) -> [RankedMovie] {
        scored(user: user, excluding: seen, count: count).map {
            RankedMovie(movie: $0.item, score: $0.score, reason: reason(user: user, movie: $0.item))
        }
    }

    /// The user's best-rated training movie (ties: the one closest to `movie` in factor space).
    func reason(user: Int, movie: Int32) -> RecommendationReason {
        let movies = history.movies(of: user), values = history.values(of: user)
        guard let top = values.max(), Int(movie) < model.items else { return .popular }
        let k = model.factors, target = Int(movie) * k
        var best: Int32 = -1, bestCos = -Float.infinity
        for (m, v) in zip(movies, values) where v == top && Int(m) < model.items {
            var c: Float = 0
            let b = Int(m) * k
            for f in 0..<k { c += unitItems[b + f] * unitItems[target + f] }
            if c > bestCos { bestCos = c; best = m }
        }
        return best >= 0 ? .becauseYouRated(movie: best, rating: top) : .popular
    }
}

extension RatingLists {
    /// The users × movies CSR matrix of these ratings (stored value = the star rating).
    public func sparseMatrix() throws -> SparseMatrix {
        do {
            return try SparseMatrix(rows: userCount, cols: movieCount, rowOffsets: offsets.map { Int64($0) },
                                    columns: movies, values: values)
        } catch {
            throw RecommenderError.invalidArgument("ratings matrix: \(error)")
        }
    }
}
