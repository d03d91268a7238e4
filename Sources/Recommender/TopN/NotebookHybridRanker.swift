import Boosting
import MovieLens
import Runtime

/// The notebook's hybrid: the like-classifier's probability plus `weight` × the user's cluster's
/// (shrunk) like rate of the movie, over every catalogue movie the user has not rated. The
/// clustering (genre or rating clusters) and the weight are tuned for NDCG@k on the validation
/// slice of the training period.
public struct NotebookHybridRanker: TopNRanker {
    /// Which user clustering supplies the affinity.
    public enum Clustering: String, Sendable, CaseIterable {
        case genre, rating
    }

    public var name: String { "notebook_hybrid" }
    /// The classifier part (fitted on the whole training period).
    public let classifier: ClassifierRanker
    /// Weight of the cluster affinity.
    public let weight: Float
    /// The clustering whose affinity is added.
    public let clustering: Clustering

    /// Assembles the ranker from fitted parts.
    public init(classifier: ClassifierRanker, weight: Float, clustering: Clustering) {
        self.classifier = classifier
        self.weight = weight
        self.clustering = clustering
    }

    /// The weights tried by `fit`.
    public static let weightGrid: [Float] = [0, 0.25, 0.5, 1, 2, 4, 8, 16]

    /// The affinity of (user, movie) under `clustering` (0 when clusters are off or unknown).
    static func affinity(_ c: ClassifierRanker, _ clustering: Clustering, user: Int, movie: Int) -> Float {
        guard let clusters = c.inference.context.clusters else { return 0 }
        let a = clustering == .genre ? clusters.genre(user: user, movie: movie).2 : clusters.rating(user: user, movie: movie).2
        return a.isNaN ? 0 : a
    }

    /// Tunes the clustering and the weight on the validation slice of `trainRows` (a classifier
    /// fitted on the slice's earlier part, `tuningUsers` seeded users with a liked validation
    /// movie; 0 = all), then pairs them with `final`, the classifier fitted on all of `trainRows`.
    public static func fit(dataset: Dataset, trainRows: [Int], final: ClassifierRanker, features: FeatureOptions,
                           booster: BoostingParameters, k: Int = 10, tuningUsers: Int = 0, seed: UInt64 = 42,
                           threads: Int? = nil) throws -> NotebookHybridRanker {
        let slice = try TemporalSplit(dataset: dataset, rows: trainRows)
        let early = try ClassifierRanker.fit(dataset: dataset, trainRows: slice.trainRows, features: features, booster: booster,
                                             threads: threads)
        let seen = RatingLists(dataset: dataset, rows: slice.trainRows)
        let validation = RatingLists(dataset: dataset, rows: slice.testRows)
        let like = features.likeThreshold
        var users: [Int] = [], relevant: [Set<Int32>] = []
        for u in 0..<dataset.userCount {
            let rel = Set(zip(validation.movies(of: u), validation.values(of: u)).filter { $0.1 >= like && early.catalogue[Int($0.0)] }.map(\.0))
            if !rel.isEmpty { users.append(u); relevant.append(rel) }
        }
        let chosen = TopNEvaluation.sample(users.indices.map { $0 }, count: tuningUsers, seed: seed)
        let grid = Clustering.allCases.flatMap { c in weightGrid.map { (c, $0) } }
        var ndcg = [[Double]](repeating: [], count: chosen.count)
        ndcg.withUnsafeMutableBufferPointer { buf in
            let out = UnsafeSendable(buf)
            parallelRanges(chosen.count, threads: Threads.resolve(threads), minBlock: 1) { range in
                for i in range {
                    let u = users[chosen[i]]
                    let (movies, p) = early.probabilities(user: u, excluding: Array(seen.movies(of: u)))
                    let a = Clustering.allCases.map { c in movies.map { affinity(early, c, user: u, movie: Int($0)) } }
                    out.value[i] = grid.map { (c, w) in
                        let ci = c == .genre ? 0 : 1
                        let scored = movies.indices.map { (movie: movies[$0], score: p[$0] + w * a[ci][$0]) }
                        let top = TopSelection.top(candidates: scored, count: k).map(\.movie)
                        return UserRankingMetrics(recommended: top, relevant: relevant[chosen[i]], k: k).ndcg
                    }
                }
            }
        }
        var best = 0, bestScore = -Double.infinity
        for g in grid.indices {
            let s = ndcg.reduce(0.0) { $0 + ($1.count > g ? $1[g] : 0) }
            if s > bestScore { bestScore = s; best = g }
        }
        return NotebookHybridRanker(classifier: final, weight: grid[best].1, clustering: grid[best].0)
    }

    public func recommend(user: Int, excluding seen: [Int32], count: Int) -> [RankedMovie] {
        guard count > 0 else { return [] }
        let (movies, p) = classifier.probabilities(user: user, excluding: seen, threads: classifier.threads)
        guard !movies.isEmpty else { return classifier.recommend(user: user, excluding: seen, count: count) }
        var boost = [Float](repeating: 0, count: movies.count)
        var scored: [(movie: Int32, score: Float)] = []
        scored.reserveCapacity(movies.count)
        for k in movies.indices {
            boost[k] = weight * Self.affinity(classifier, clustering, user: user, movie: Int(movies[k]))
            scored.append((movies[k], p[k] + boost[k]))
        }
        return TopSelection.top(candidates: scored, count: count).map { x in
            // `movies` is ascending: find the candidate's probability and boost.
            var lo = 0, hi = movies.count
            while lo < hi { let mid = (lo + hi) / 2; if movies[mid] < x.movie { lo = mid + 1 } else { hi = mid } }
            let (prob, gain) = lo < movies.count && movies[lo] == x.movie ? (p[lo], boost[lo]) : (x.score, 0)
            let cluster = clustering == .genre
                ? classifier.inference.context.clusters?.genre(user: user, movie: Int(x.movie)).0
                : classifier.inference.context.clusters?.rating(user: user, movie: Int(x.movie)).0
            let reason: RecommendationReason = gain > prob
                ? .lovedBySimilarUsers(cluster: cluster.map { $0.isNaN ? -1 : Int($0) } ?? -1)
                : .predictedLike(probability: prob)
            return RankedMovie(movie: x.movie, score: x.score, reason: reason)
        }
    }
}
