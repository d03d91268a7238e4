import Clustering
import LinearAlgebra
import MovieLens

/// Cluster × movie affinity: how each cluster of users rates each movie.
///
/// - `meanRating[c, m]` = (Σ ratings of m by c's users + s·μ) / (raters + s): the cluster's mean
///   rating of the movie shrunk toward the global mean rating μ (over all ratings);
/// - `likeRate[c, m]` = (likes + s·λ) / (raters + s), a like being a rating ≥ `likeThreshold`
///   (default 4 stars) and λ the global like rate;
/// with `s = shrinkage` pseudo-ratings (default 5): a movie rated by one member of a cluster
/// moves only 1/6 of the way from the global value toward that rating.
/// Both come from one-hot(assignments)ᵀ × ratings products (`Clustering.ClusterProfiles`).
public struct ClusterMovieAffinity: Sendable {
    /// Number of clusters.
    public let k: Int
    /// Shrunk mean rating (`k × movies`) with its counts and prior.
    public let rating: ClusterProfiles
    /// Shrunk like rate (`k × movies`).
    public let like: ClusterProfiles
    /// Threshold of a like (rating ≥ threshold).
    public let likeThreshold: Float

    /// Builds the affinity of `assignments` (one cluster per dense user index).
    /// - Parameter ratings: the raw users × movies matrix (`UserMovieMatrix.build(_, values: .raw)`).
    public init(ratings: SparseMatrix, assignments: [Int32], k: Int, shrinkage: Double = 5, likeThreshold: Float = 4,
                backend: Backend = .default, threads: Int? = nil) throws {
        let n = Double(max(ratings.nonZeroCount, 1))
        let mu = ratings.values.reduce(0.0) { $0 + Double($1) } / n
        let likes = ratings.mapValues { $0 >= likeThreshold ? 1 : 0 }
        let lambda = likes.values.reduce(0.0) { $0 + Double($1) } / n
        rating = try ClusterProfiles(ratings, labels: assignments, k: k, prior: mu, shrinkage: shrinkage, backend: backend, threads: threads)
        like = try ClusterProfiles(likes, labels: assignments, k: k, prior: lambda, shrinkage: shrinkage, backend: backend, threads: threads)
        self.k = k
        self.likeThreshold = likeThreshold
    }

    /// The cluster's `count` highest shrunk mean ratings among movies it rated at least
    /// `minRaters` times, best first (ties by movie index).
    public func favouriteMovies(cluster c: Int, count: Int, minRaters: Int = 1) -> [(movie: Int, meanRating: Float, raters: Int)] {
        guard c >= 0, c < k else { return [] }
        var out: [(Int, Float, Int)] = []
        for m in 0..<rating.columns {
            let raters = Int(rating.counts[c, m])
            if raters >= max(minRaters, 1) { out.append((m, rating.shrunkMeans[c, m], raters)) }
        }
        out.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return out.prefix(max(0, count)).map { (movie: $0.0, meanRating: $0.1, raters: $0.2) }
    }
}
