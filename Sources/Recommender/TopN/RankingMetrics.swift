import Foundation

/// Top-k ranking metrics of one user's recommendation list against the user's relevant movies.
///
/// - precision@k = hits / k (a list shorter than k still divides by k);
/// - recall@k = hits / |relevant|;
/// - NDCG@k with binary gains: DCG = Σ_{rank r ≤ k, item relevant} 1 / log2(r + 1), divided by
///   the ideal DCG over min(|relevant|, k) relevant items;
/// - hit-rate@k = 1 when at least one of the first k is relevant.
/// All are 0 for a user without relevant movies (such users are skipped by `RankingAccumulator`).
public struct UserRankingMetrics: Sendable, Equatable {
    public var precision: Double, recall: Double, ndcg: Double, hitRate: Double

    /// Scores `recommended` (best first; only the first `k` count) against `relevant`.
    public init(recommended: [Int32], relevant: Set<Int32>, k: Int) {
        precision = 0; recall = 0; ndcg = 0; hitRate = 0
        guard k > 0, !relevant.isEmpty else { return }
        var hits = 0, dcg = 0.0
        var counted = Set<Int32>()
        for (i, m) in recommended.prefix(k).enumerated() where relevant.contains(m) && counted.insert(m).inserted {
            hits += 1
            dcg += 1 / log2(Double(i + 2))
        }
        var idcg = 0.0
        for i in 0..<min(relevant.count, k) { idcg += 1 / log2(Double(i + 2)) }
        precision = Double(hits) / Double(k)
        recall = Double(hits) / Double(relevant.count)
        ndcg = dcg / idcg
        hitRate = hits > 0 ? 1 : 0
    }
}

/// The averages of `UserRankingMetrics` over users, plus catalogue coverage.
public struct RankingMetrics: Sendable, Equatable {
    /// Mean precision@k over the evaluated users.
    public var precision: Double
    /// Mean recall@k.
    public var recall: Double
    /// Mean NDCG@k.
    public var ndcg: Double
    /// Share of users with at least one hit in the first k.
    public var hitRate: Double
    /// Distinct movies recommended (first k, evaluated users) / movies in the training catalogue.
    public var coverage: Double
    /// Users evaluated (those with at least one relevant test movie).
    public var users: Int
}

/// Accumulates per-user metrics; users without a relevant movie are skipped.
public struct RankingAccumulator: Sendable {
    /// The cut-off k.
    public let k: Int
    private var sum = (0.0, 0.0, 0.0, 0.0)
    private var users = 0
    private var recommended: Set<Int32> = []

    public init(k: Int = 10) { self.k = k }

    /// Adds one user's list. Returns false (and adds nothing) when `relevant` is empty.
    @discardableResult
    public mutating func add(recommended list: [Int32], relevant: Set<Int32>) -> Bool {
        guard !relevant.isEmpty else { return false }
        let m = UserRankingMetrics(recommended: list, relevant: relevant, k: k)
        sum.0 += m.precision; sum.1 += m.recall; sum.2 += m.ndcg; sum.3 += m.hitRate
        users += 1
        for x in list.prefix(k) { recommended.insert(x) }
        return true
    }

    /// The averages; coverage divides by `catalogueSize` (movies with a training rating).
    public func result(catalogueSize: Int) -> RankingMetrics {
        let n = Double(users)
        guard users > 0 else {
            return RankingMetrics(precision: .nan, recall: .nan, ndcg: .nan, hitRate: .nan, coverage: .nan, users: 0)
        }
        return RankingMetrics(precision: sum.0 / n, recall: sum.1 / n, ndcg: sum.2 / n, hitRate: sum.3 / n,
                              coverage: catalogueSize > 0 ? Double(recommended.count) / Double(catalogueSize) : .nan,
                              users: users)
    }
}
