import Boosting
import Foundation
import MovieLens
import Runtime

/// Everything `movierec train` produces and `recommend` / `similar` / `predict` read: the trained
/// models and the statistics they need at serving time.
///
/// Components (one file each in the bundle directory, see `BundleStore`):
/// - `catalog.bin`: movies (ids, titles, years, genres), users (ids, demographics), each user's ratings;
/// - `classifier.gbt`, `regressor.gbt`: the like-classifier and the rating regressor (`BoostedModel` format);
/// - `features.bin`: the feature options and the whole-data statistics (`ServingFeatures`): rating
///   sums, the biased factorisation, genre and rating cluster labels (the cluster × movie affinity is
///   rebuilt from them and verified against its recorded checksum);
/// - `clusters.bin`: the genre clusters' centres in genre-average space (cold start);
/// - `similar.bin`: TF-IDF neighbour lists of every movie;
/// - `popularity.bin`: ratings, likes and mean rating per movie;
/// - `hybrid.bin`, `notebook.bin` (and `als.bin` when the ALS ranker is not the hybrid's): the
///   top-N rankers (`RankerComponents`).
public struct ModelBundle: Sendable {
    public var manifest: BundleManifest
    public var catalog: Catalog
    public var classifier: BoostedModel
    public var regressor: BoostedModel
    var features: ServingFeatures
    public var genreCentroids: GenreCentroids
    public var similar: NeighbourLists
    public var popularity: Popularity
    /// ALS, the two-stage hybrid and the notebook hybrid (nil when trained without them).
    var rankers: RankerComponents?

    /// The models this bundle serves (`recommend --model`), the default first.
    public var servableModels: [ServingModel] {
        (rankers != nil ? [.hybrid] : []) + [.cluster, .popularity, .classifier, .regressor]
            + (rankers != nil ? [.als, .notebookHybrid] : [])
    }

    /// Feature column names.
    public var featureNames: [String] { features.schema.names }
    /// The like threshold the models were trained with.
    public var likeThreshold: Float { features.options.likeThreshold }
    /// Genre cluster of each user (dense index), if clusters were trained.
    public var genreLabels: [Int32]? { features.clusters?.genreLabels }
    /// Rating cluster of each user, if clusters were trained.
    public var ratingLabels: [Int32]? { features.clusters?.ratingLabels }

    /// The feature matrix of (user, movie) pairs (dense indices), computed from the bundle's statistics.
    public func featureMatrix(users: [Int32], movies: [Int32]) throws -> FeatureMatrix {
        for u in users where u < 0 || Int(u) >= catalog.userCount { throw ServingError.invalidRequest("user index \(u) out of range") }
        for m in movies where m < 0 || Int(m) >= catalog.movieCount { throw ServingError.invalidRequest("movie index \(m) out of range") }
        guard users.count == movies.count else { throw ServingError.invalidRequest("\(users.count) users for \(movies.count) movies") }
        return try features.matrix(users: users, movies: movies, catalog: catalog)
    }

    /// Like-probability and predicted rating (clipped to the rating scale) of each pair.
    public func predict(users: [Int32], movies: [Int32], threads: Int = 1) throws -> (like: [Float], rating: [Float]) {
        let x = try featureMatrix(users: users, movies: movies)
        let p = try classifier.predict(x, threads: threads)
        let r = try regressor.predict(x, threads: threads).map { min(max($0, ratingRange.lowerBound), ratingRange.upperBound) }
        return (p, r)
    }

    /// The lowest and highest training rating (predicted ratings are clipped to it).
    public var ratingRange: ClosedRange<Float> {
        let lo = catalog.seenRating.min() ?? 0.5, hi = catalog.seenRating.max() ?? 5
        return min(lo, hi)...max(lo, hi)
    }

    /// The cluster × movie affinity (like rate) row of a genre cluster, if clusters were trained.
    func genreClusterLikeRate(_ c: Int) -> [Float]? {
        guard let a = features.clusters?.genreAffinity, c >= 0, c < a.k else { return nil }
        return a.like.shrunkMeans.row(c)
    }
}
