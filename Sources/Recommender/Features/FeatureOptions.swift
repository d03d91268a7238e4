/// Settings of the leak-free feature builder.
///
/// Prior weights shrink a mean toward the global value as if `weight` extra ratings at the global
/// value had been seen: `shrunk = (sum + weight · global) / (count + weight)`. They keep the
/// statistics of rarely rated movies (and light users) from being noise.
public struct FeatureOptions: Sendable, Equatable {
    /// A rating ≥ this is a "like" (the classifier's positive class).
    public var likeThreshold: Float = 4
    /// Inner folds over the training rows for their out-of-fold statistics (≥ 2).
    public var innerFolds = 5
    /// Prior weight (pseudo-ratings at the global mean) of the movie mean and like rate.
    public var moviePrior: Double = 10
    /// Prior weight of the user mean and like rate.
    public var userPrior: Double = 3
    /// Prior weight (pseudo-ratings at the user's own mean) of the user's per-genre deviation.
    public var genrePrior: Double = 5
    /// Whether to add the biased matrix-factorisation prediction and its parts as features.
    public var matrixFactorization = true
    /// Hyper-parameters of that factorisation.
    public var mf = BiasedMFParameters()
    /// Whether to add user-cluster features (genre clusters, rating clusters, cluster × movie affinity).
    public var clusters = true
    /// Clusters of users by their genre averages.
    public var genreClusters = 8
    /// Clusters of users by their (mean-centred) ratings.
    public var ratingClusters = 8
    /// KMeans restarts of each clustering (the lowest inertia is kept).
    public var clusterRestarts = 2
    /// Maximum Lloyd iterations of each KMeans restart.
    public var clusterIterations = 50
    /// Contexts fitted on more than this many ratings cluster with mini-batch KMeans instead of
    /// full Lloyd (`ClusterContext.clusterer`); smaller ones (every context up to ~2.5M-rating
    /// data sets) are unchanged.
    public var clusterMiniBatchRatings = 2_000_000
    /// Prior weight of a cluster's mean rating / like rate of a movie (pseudo-ratings at the global value).
    public var clusterShrinkage: Double = 5
    /// Seed of the inner folds and of the factorisation.
    public var seed: UInt64 = 0
    /// Threads for the per-inner-fold work.
    public var threads: Int? = nil

    public init() {}

    func validate() throws {
        guard innerFolds >= 2, innerFolds <= 255 else { throw RecommenderError.invalidArgument("inner folds must be between 2 and 255, got \(innerFolds)") }
        guard !clusters || (clusterRestarts >= 1 && clusterIterations >= 1) else {
            throw RecommenderError.invalidArgument("cluster restarts and iterations must be ≥ 1")
        }
        guard clusterMiniBatchRatings >= 0 else { throw RecommenderError.invalidArgument("the mini-batch cluster threshold must be ≥ 0") }
        guard !clusters || (genreClusters >= 1 && ratingClusters >= 1) else { throw RecommenderError.invalidArgument("cluster counts must be ≥ 1") }
        guard moviePrior >= 0, userPrior >= 0, genrePrior >= 0 else { throw RecommenderError.invalidArgument("prior weights must be ≥ 0") }
    }
}
