import Clustering
import LinearAlgebra
import MovieLens
import Runtime

/// User clusters fitted on one context's ratings, with their cluster × movie affinity:
/// - genre clusters: KMeans over the users × genres average matrix (`UserGenreMatrix`);
/// - rating clusters: KMeans over the sparse users × movies ratings (`UserMovieMatrix`, mean-centred);
/// - for each, the cluster's shrunk mean rating and like rate of each movie (`ClusterMovieAffinity`).
///
/// Everything is computed from `rows` only (a sub-dataset holding just those ratings), so a
/// rating outside `rows` influences neither a user's cluster nor any affinity.
struct ClusterContext {
    let genreLabels: [Int32]
    let ratingLabels: [Int32]
    let genreAffinity: ClusterMovieAffinity
    let ratingAffinity: ClusterMovieAffinity

    /// Fits both clusterings on the ratings `rows` (sorted dataset indices). The seeds depend on
    /// the options only, so the result is a function of the ratings in `rows` (not of `threads`).
    ///
    /// Above `options.clusterMiniBatchRatings` ratings both clusterings are mini-batch KMeans
    /// (`clusterer(k:seed:ratings:options:threads:)`): a full Lloyd run costs
    /// restarts × iterations × stored ratings × k, a mini-batch run a few thousand batches and
    /// one assignment pass.
    static func fit(dataset: Dataset, rows: [Int], options: FeatureOptions, threads: Int = 1) throws -> ClusterContext {
        var sub = dataset
        sub.ratingUser = Column(rows.map { dataset.ratingUser[$0] })
        sub.ratingMovie = Column(rows.map { dataset.ratingMovie[$0] })
        sub.ratingValue = Column(rows.map { dataset.ratingValue[$0] })
        sub.ratingTime = Column(rows.map { dataset.ratingTime[$0] })
        let seed = options.seed ^ 0xD1B5_4A32_D192_ED03
        let users = dataset.userCount
        let kg = max(1, min(options.genreClusters, users)), kr = max(1, min(options.ratingClusters, users))
        let raw = try UserMovieMatrix.build(sub, values: .raw)
        let centred = raw.centeredRows().matrix     // = UserMovieMatrix.build(sub, values: .meanCentred)
        let genreMatrix = UserGenreMatrix(sub).matrix
        let genreModel = try clusterer(k: kg, seed: seed, ratings: rows.count, options: options, threads: threads).fit(genreMatrix)
        let ratingModel = try clusterer(k: kr, seed: seed &+ 1, ratings: rows.count, options: options, threads: threads).fit(centred)
        return try ClusterContext(raw: raw, genreLabels: genreModel.labels, genreClusters: kg,
                                  ratingLabels: ratingModel.labels, ratingClusters: kr, options: options, threads: threads)
    }

    /// The KMeans of a context of `ratings` ratings: full Lloyd (`clusterRestarts` restarts of at
    /// most `clusterIterations` iterations) up to `options.clusterMiniBatchRatings` ratings,
    /// mini-batch KMeans (batches of 4,096 users, at most `clusterIterations` passes, 3 seedings)
    /// above. Either result depends on the seed only, not on `threads`.
    static func clusterer(k: Int, seed: UInt64, ratings: Int, options: FeatureOptions, threads: Int) -> any KMeansFitting {
        if ratings > options.clusterMiniBatchRatings {
            return MiniBatchKMeans(k: k, batchSize: 4096, maxIter: options.clusterIterations, maxNoImprovement: 10, nInit: 3,
                                   seed: seed, threads: threads)
        }
        return KMeans(k: k, nInit: options.clusterRestarts, maxIter: options.clusterIterations, seed: seed, threads: threads)
    }

    /// (cluster, shrunk mean rating, shrunk like rate) of user `u` and movie `m` under the genre clustering.
    func genre(user u: Int, movie m: Int) -> (Float, Float, Float) {
        Self.lookup(genreLabels, genreAffinity, u, m)
    }

    /// The same under the rating clustering.
    func rating(user u: Int, movie m: Int) -> (Float, Float, Float) {
        Self.lookup(ratingLabels, ratingAffinity, u, m)
    }

    private static func lookup(_ labels: [Int32], _ a: ClusterMovieAffinity, _ u: Int, _ m: Int) -> (Float, Float, Float) {
        guard u >= 0, u < labels.count, m >= 0, m < a.rating.columns else { return (.nan, .nan, .nan) }
        let c = Int(labels[u])
        guard c >= 0, c < a.k else { return (.nan, .nan, .nan) }
        return (Float(c), a.rating.shrunkMeans[c, m], a.like.shrunkMeans[c, m])
    }
}

extension ClusterContext {
    /// The context of given cluster labels: both cluster × movie affinities from the raw
    /// users × movies ratings, shrunk and thresholded as `options` say.
    init(raw: SparseMatrix, genreLabels: [Int32], genreClusters kg: Int, ratingLabels: [Int32], ratingClusters kr: Int,
         options: FeatureOptions, threads: Int = 1) throws {
        self.init(
            genreLabels: genreLabels, ratingLabels: ratingLabels,
            genreAffinity: try ClusterMovieAffinity(ratings: raw, assignments: genreLabels, k: kg, shrinkage: options.clusterShrinkage,
                                                    likeThreshold: options.likeThreshold, threads: threads),
            ratingAffinity: try ClusterMovieAffinity(ratings: raw, assignments: ratingLabels, k: kr, shrinkage: options.clusterShrinkage,
                                                     likeThreshold: options.likeThreshold, threads: threads))
    }
}
