import MovieLens

/// The columns of the feature matrix, in order, for one data set.
///
/// The layout depends only on the data set's shape (its genre vocabulary and whether it has
/// demographics) and the options, never on which rows are in a fold.
public struct FeatureSchema: Sendable, Equatable {
    /// Column names, in matrix order.
    public let names: [String]
    /// Number of genres (one 0/1 column each, named `genre_<name>`).
    let genreCount: Int
    /// Whether the demographic columns are present.
    let demographics: Bool
    /// Whether the factorisation columns are present.
    let factorization: Bool
    /// Whether the cluster columns are present.
    let clusters: Bool

    init(dataset: Dataset, options: FeatureOptions) {
        genreCount = min(dataset.genreNames.count, 32)
        demographics = dataset.hasDemographics
        factorization = options.matrixFactorization
        clusters = options.clusters
        var n = [
            "user_count", "user_mean", "user_std", "user_like_rate",
            "movie_count", "movie_mean", "movie_std", "movie_like_rate",
            "year", "movie_age_at_rating", "genre_count",
        ]
        n += dataset.genreNames.prefix(32).map { "genre_" + FeatureSchema.columnSafe($0) }
        n += ["genre_affinity_mean", "genre_affinity_min", "genre_affinity_max", "genre_exposure"]
        if demographics { n += ["gender", "age", "occupation"] }
        if factorization { n += ["mf_prediction", "mf_user_bias", "mf_movie_bias", "mf_interaction"] }
        if clusters {
            n += ["genre_cluster", "genre_cluster_movie_mean", "genre_cluster_movie_like_rate",
                  "rating_cluster", "rating_cluster_movie_mean", "rating_cluster_movie_like_rate"]
        }
        names = n
    }

    /// Number of columns.
    public var count: Int { names.count }

    /// A genre name made safe for a CSV header (letters, digits, `_`).
    static func columnSafe(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
