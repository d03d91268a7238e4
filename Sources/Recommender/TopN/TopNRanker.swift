/// Why a movie was recommended, in a form a front end can render (`text(titles:)`).
public enum RecommendationReason: Sendable, Equatable {
    /// Liked by many users overall.
    case popular
    /// Liked by the users of the user's cluster (`cluster` index).
    case lovedBySimilarUsers(cluster: Int)
    /// Close, in the latent space, to a movie the user rated highly.
    case becauseYouRated(movie: Int32, rating: Float)
    /// Of a genre the user rates above their own average.
    case matchesTaste(genre: String)
    /// The like-classifier's probability that the user likes the movie.
    case predictedLike(probability: Float)

    /// A short English sentence, e.g. "because you rated Heat (1995) 5★".
    /// - Parameter titles: movie titles by dense movie index (a missing title prints as "movie #m").
    public func text(titles: [String]) -> String {
        switch self {
        case .popular: return "popular with everyone"
        case .lovedBySimilarUsers: return "loved by users like you"
        case .becauseYouRated(let m, let r):
            let i = Int(m)
            let title = i >= 0 && i < titles.count && !titles[i].isEmpty ? titles[i] : "movie #\(i)"
            let stars = r == r.rounded() ? String(Int(r)) : String(r)
            return "because you rated \(title) \(stars)★"
        case .matchesTaste(let g): return "matches your taste for \(g)"
        case .predictedLike(let p):
            return "predicted like probability \(Double(Int((Double(p) * 100).rounded())) / 100)"
        }
    }
}

/// One recommended movie.
public struct RankedMovie: Sendable, Equatable {
    /// Dense movie index.
    public var movie: Int32
    /// The ranker's score (higher is better; comparable only within one ranker).
    public var score: Float
    /// Why it was recommended.
    public var reason: RecommendationReason

    public init(movie: Int32, score: Float, reason: RecommendationReason) {
        self.movie = movie
        self.score = score
        self.reason = reason
    }
}

/// A fitted top-N recommender.
///
/// Contract (checked by the tests for every ranker):
/// - never returns a movie in `seen`, nor a movie outside the catalogue it was fitted on
///   (movies with at least one training rating);
/// - returns `min(count, catalogue − seen)` distinct movies, best first;
/// - deterministic: the same fitted ranker gives the same list for the same arguments;
/// - safe for any `user` (an index the ranker does not know gets its cold-start list).
public protocol TopNRanker: Sendable {
    /// The model's key (`popularity`, `classifier`, `notebook_hybrid`, `als`, `hybrid`).
    var name: String { get }
    /// The `count` best movies for dense user `user`, excluding the dense movie indices `seen`.
    func recommend(user: Int, excluding seen: [Int32], count: Int) -> [RankedMovie]
}
