import Boosting
import LinearAlgebra

/// Settings of `ModelTrainer.train` (what `movierec train` exposes).
public struct TrainingOptions: Sendable {
    /// Seed of every model (features, trees, clusters).
    public var seed: UInt64 = 42
    /// Threads (nil = `Threads.defaultCount`).
    public var threads: Int? = nil
    /// Kernel backend of the linear-algebra steps (TF-IDF neighbours, clusters).
    public var backend: Backend = .default
    /// Feature settings (the same as cross-validation's by default).
    public var features = FeatureOptions()
    /// The like-classifier's parameters.
    public var classifier = EvaluationOptions.defaultClassifier
    /// The rating regressor's parameters.
    public var regressor = EvaluationOptions.defaultRegressor
    /// Similar movies kept per movie in the bundle.
    public var similarNeighbours = 50
    /// Whether to train the top-N rankers (ALS, two-stage hybrid, notebook hybrid).
    public var rankers = true
    /// The two-stage hybrid's settings (its feature options are `features`; its ALS is the bundle's ALS).
    public var hybrid = TwoStageHybridOptions()
    /// Users on whose validation lists the notebook hybrid's weight is tuned (0 = all).
    public var notebookTuningUsers = 300
    /// Above this many ratings the classifier and the regressor train on a seeded sample of this
    /// many ratings, described by a context fitted on all the other ratings (`TrainingRows`).
    public var boostRowLimit = 2_000_000
    /// Above this many ratings the notebook hybrid's weight is tuned on a seeded sample of whole
    /// users holding about this many ratings (`UserSubset`).
    public var notebookTuningRatings = 1_000_000
    /// Above this many ratings the two-stage hybrid keeps its negative training candidates at
    /// `hybrid.negativeRate × hybridNegativeRatings / ratings` (every positive is kept; a pointwise
    /// ranker orders the same under uniform negative subsampling, only its intercept moves).
    public var hybridNegativeRatings = 5_000_000
    /// Where the data came from (recorded in the manifest).
    public var source = ""

    public init() {}

    /// The options as display strings for the manifest.
    var parameterStrings: [String: String] {
        func gbt(_ p: BoostingParameters) -> String {
            "rounds=\(p.rounds) eta=\(p.eta) max_depth=\(p.maxDepth) min_child_weight=\(p.minChildWeight) subsample=\(p.subsample) colsample_bytree=\(p.colsampleBytree)"
        }
        let f = features
        return [
            "seed": String(seed), "threads": String(threads ?? 0), "backend": backend.rawValue,
            "classifier": gbt(classifier), "regressor": gbt(regressor),
            "features": "like_threshold=\(f.likeThreshold) inner_folds=\(f.innerFolds) movie_prior=\(f.moviePrior) user_prior=\(f.userPrior) genre_prior=\(f.genrePrior) mf=\(f.matrixFactorization) mf_factors=\(f.mf.factors) clusters=\(f.clusters) genre_clusters=\(f.genreClusters) rating_clusters=\(f.ratingClusters) cluster_shrinkage=\(f.clusterShrinkage) cluster_minibatch_above_ratings=\(f.clusterMiniBatchRatings)",
            "similar_neighbours": String(similarNeighbours),
            "rankers": String(rankers),
            "boost_row_limit": String(boostRowLimit),
            "notebook_tuning": "users=\(notebookTuningUsers) ratings=\(notebookTuningRatings)",
            "hybrid_negative_ratings": String(hybridNegativeRatings),
            "als": "factors=\(hybrid.als.factors) regularization=\(hybrid.als.regularization) alpha=\(hybrid.als.alpha) iterations=\(hybrid.als.iterations)",
            "hybrid": "als_candidates=\(hybrid.alsCandidates) cluster_candidates=\(hybrid.clusterCandidates) popular_candidates=\(hybrid.popularCandidates) rounds=\(hybrid.booster.rounds)",
        ]
    }
}
