/// The models `movierec recommend --model` can name.
public enum ServingModel: String, Sendable, CaseIterable {
    /// The two-stage hybrid (ALS + cluster + popularity candidates, re-ranked by a GBDT).
    case hybrid
    /// Unseen movies by the like-classifier's probability.
    case classifier
    /// Unseen movies by the regressor's predicted rating.
    case regressor
    /// The movies most liked overall.
    case popularity
    /// The movies the user's genre cluster likes most (shrunk cluster × movie like rate).
    case cluster
    /// Implicit ALS matrix factorisation.
    case als
    /// The notebook's hybrid: classifier probability boosted by the cluster affinity.
    case notebookHybrid = "notebook-hybrid"

    /// What `recommend` uses without `--model` (a bundle trained without the top-N rankers
    /// falls back to `cluster`, see `ModelBundle.servableModels`).
    public static let defaultModel: ServingModel = .hybrid
}

/// One recommended movie, ready to print.
public struct Recommendation: Sendable, Equatable, Codable {
    /// Original MovieLens id.
    public var movieId: Int64
    /// "Title (year)".
    public var title: String
    public var genres: [String]
    /// The model's score (comparable within one model only).
    public var score: Float
    /// A short reason, e.g. "because you rated Heat (1995) 5★".
    public var reason: String

    public init(movieId: Int64, title: String, genres: [String], score: Float, reason: String) {
        self.movieId = movieId
        self.title = title
        self.genres = genres
        self.score = score
        self.reason = reason
    }
}
