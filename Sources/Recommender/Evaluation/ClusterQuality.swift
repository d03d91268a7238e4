import Clustering
import Foundation
import LinearAlgebra
import MovieLens
import Runtime

/// Settings of the cluster-quality stage.
public struct ClusterQualityOptions: Sendable, Equatable {
    /// Clusters of model 2 (users by genre averages); clamped to the number of rated users.
    public var genreClusters = 8
    /// Clusters of model 3 (users by their sparse, mean-centred ratings); clamped likewise.
    public var ratingClusters = 8
    /// KMeans restarts (the lowest inertia is kept).
    public var nInit = 10
    /// Maximum Lloyd iterations per restart.
    public var maxIter = 300
    /// Users sampled (seeded) for the silhouette; 0 skips it.
    public var silhouetteSample = 2000
    /// Above this many users mini-batch KMeans replaces Lloyd.
    public var miniBatchAbove = 50_000
    /// What model 3 clusters: mean-centred ratings (as the feature builder's rating clusters) or raw stars.
    public var ratingValues: UserMovieMatrix.Values = .meanCentred

    public init() {}
}

/// How good one KMeans clustering of users is.
public struct ClusterQuality: Sendable, Equatable {
    /// `genre` (model 2) or `ratings` (model 3).
    public var name: String
    /// What the rows and columns are, for a reader.
    public var matrix: String
    /// Rows clustered (users with at least one rating) and columns.
    public var users: Int, features: Int
    public var k: Int
    /// Sum of squared distances to the nearest centre.
    public var inertia: Double
    /// Mean silhouette on a seeded sample; nil when skipped or fewer than two clusters are used.
    public var silhouette: Double?
    /// Users the silhouette was computed on.
    public var silhouetteSample: Int
    /// Users per cluster.
    public var sizes: [Int]
    public var iterations: Int
    public var converged: Bool
    /// `lloyd` or `minibatch`.
    public var algorithm: String
    /// Wall-clock seconds of the fit and the silhouette.
    public var seconds: Double

    /// Model 2: KMeans of users on their genre averages (`UserGenreMatrix`).
    public static func genre(dataset: Dataset, options: ClusterQualityOptions, seed: UInt64, backend: Backend,
                             threads: Int?) throws -> ClusterQuality {
        let start = DispatchTime.now().uptimeNanoseconds
        let rated = RatedUsers(dataset)
        try requireUsers(rated)
        let x = UserGenreMatrix(dataset, rows: rated).matrix
        let k = max(1, min(options.genreClusters, rated.count))
        return try measure(
            name: "genre", matrix: "users × genres average rating", users: rated.count, features: x.cols, k: k,
            options: options, start: start,
            fit: { miniBatch in
                try clusterer(miniBatch: miniBatch, k: k, options: options, seed: seed, backend: backend, threads: threads).fit(x)
            },
            silhouette: { labels, sample in
                try Silhouette.score(x, labels: labels, sampleSize: sample, seed: seed, backend: backend, threads: threads)
            })
    }

    /// Mini-batch KMeans (at most 3 seedings) or Lloyd KMeans with the options' restarts.
    static func clusterer(miniBatch: Bool, k: Int, options: ClusterQualityOptions, seed: UInt64, backend: Backend,
                          threads: Int?) -> any KMeansFitting {
        miniBatch
            ? MiniBatchKMeans(k: k, nInit: min(options.nInit, 3), seed: seed, backend: backend, threads: threads)
            : KMeans(k: k, nInit: options.nInit, maxIter: options.maxIter, seed: seed, backend: backend, threads: threads)
    }

    /// Model 3: KMeans of users on the sparse users × movies ratings (`UserMovieMatrix`).
    public static func ratings(dataset: Dataset, options: ClusterQualityOptions, seed: UInt64, backend: Backend,
                               threads: Int?) throws -> ClusterQuality {
        let start = DispatchTime.now().uptimeNanoseconds
        let rated = RatedUsers(dataset)
        try requireUsers(rated)
        let x = try UserMovieMatrix.build(dataset, values: options.ratingValues, rows: rated)
        let k = max(1, min(options.ratingClusters, rated.count))
        let what = options.ratingValues == .meanCentred ? "mean-centred ratings" : "ratings"
        return try measure(
            name: "ratings", matrix: "users × movies \(what) (sparse)", users: rated.count, features: x.cols, k: k,
            options: options, start: start,
            fit: { miniBatch in
                try clusterer(miniBatch: miniBatch, k: k, options: options, seed: seed, backend: backend, threads: threads).fit(x)
            },
            silhouette: { labels, sample in
                try Silhouette.score(x, labels: labels, sampleSize: sample, seed: seed, backend: backend, threads: threads)
            })
    }

    /// Fits (Lloyd, or mini-batch above `options.miniBatchAbove` users), scores a sampled
    /// silhouette when there are two or more clusters, and packages the result — the part both
    /// models share; `fit` and `silhouette` run on the model's own (dense or sparse) matrix.
    private static func measure(
        name: String, matrix: String, users: Int, features: Int, k: Int, options: ClusterQualityOptions,
        start: UInt64, fit: (_ miniBatch: Bool) throws -> KMeansModel,
        silhouette score: (_ labels: [Int32], _ sample: Int) throws -> Double
    ) throws -> ClusterQuality {
        let miniBatch = users > options.miniBatchAbove
        let model = try fit(miniBatch)
        let sample = min(options.silhouetteSample, users)
        let silhouette = sample >= 2 && Set(model.labels).count >= 2 ? try score(model.labels, sample) : nil
        return ClusterQuality(
            name: name, matrix: matrix, users: users, features: features, k: k,
            inertia: model.inertia, silhouette: silhouette, silhouetteSample: silhouette == nil ? 0 : sample, sizes: model.sizes,
            iterations: model.iterations, converged: model.converged, algorithm: miniBatch ? "minibatch" : "lloyd",
            seconds: elapsed(since: start))
    }

    private static func requireUsers(_ rated: RatedUsers) throws {
        guard rated.count >= 1 else { throw RecommenderError.insufficientData("cannot cluster users: no user has a rating") }
    }

    private static func elapsed(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9
    }
}
