import Foundation
import MovieLens
import Runtime

/// The ranking models of the top-N evaluation, by their report key.
public enum TopNModel: String, Sendable, CaseIterable {
    case popularity
}

/// Settings of `TopNEvaluation.run`.
public struct TopNOptions: Sendable {
    /// Cut-off of every metric.
    public var k = 10
    /// Models to evaluate, in report order.
    public var models: [TopNModel] = TopNModel.allCases
    /// Seed of every model (derived seeds per model).
    public var seed: UInt64 = 42
    /// Threads (nil = `Threads.defaultCount`).
    public var threads: Int? = nil
    /// A rating ≥ this is relevant / a like.
    public var likeThreshold: Float = 4

    public init() {}

    func validate() throws {
        guard k >= 1, k <= 1000 else { throw RecommenderError.invalidArgument("top-N cut-off k must be in 1...1000, got \(k)") }
    }
}

/// The measurements of one ranking model.
public struct TopNModelResult: Sendable, Equatable {
    /// The model's key.
    public var model: TopNModel
    /// precision@k, recall@k, NDCG@k, hit-rate@k, coverage, users evaluated.
    public var metrics: RankingMetrics
    /// Wall-clock seconds fitting the model on the training period (including any tuning on
    /// the validation slice).
    public var fitSeconds: Double
    /// Wall-clock seconds producing the evaluated users' lists.
    public var recommendSeconds: Double
}

/// The result of a top-N evaluation.
public struct TopNResult: Sendable {
    /// The cut-off k.
    public var k: Int
    /// Training / test ratings of the temporal split.
    public var trainRatings: Int, testRatings: Int
    /// Users with at least one relevant test movie (the users the metrics average over).
    public var evaluatedUsers: Int
    /// Movies with at least one training rating (the coverage denominator).
    public var catalogueSize: Int
    /// One entry per model, in `options.models` order.
    public var models: [TopNModelResult]

    /// The entry of `model`, if it was evaluated.
    public subscript(model: TopNModel) -> TopNModelResult? { models.first { $0.model == model } }

    /// `{"k", "train_ratings", "test_ratings", "users", "catalogue", "<model>": {"precision",
    /// "recall", "ndcg", "hit_rate", "coverage", "users", "fit_seconds", "recommend_seconds"}}`;
    /// an evaluator's report puts it under `topn`.
    public func json() -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("k", .integer(k)), ("train_ratings", .integer(trainRatings)), ("test_ratings", .integer(testRatings)),
            ("users", .integer(evaluatedUsers)), ("catalogue", .integer(catalogueSize)),
        ]
        for r in models {
            let m = r.metrics
            pairs.append((r.model.rawValue, .object([
                ("precision", .number(m.precision)), ("recall", .number(m.recall)), ("ndcg", .number(m.ndcg)),
                ("hit_rate", .number(m.hitRate)), ("coverage", .number(m.coverage)), ("users", .integer(m.users)),
                ("fit_seconds", .number(r.fitSeconds)), ("recommend_seconds", .number(r.recommendSeconds)),
            ])))
        }
        return .object(pairs)
    }
}

/// Top-N evaluation on a per-user temporal split (`TemporalSplit`): every model is fitted on
/// the training period only (tuned, where it has knobs, on the training period's own
/// validation slice), then recommends `k` movies per user from the movies of the training
/// period the user has not rated; relevant = the user's test ratings ≥ `likeThreshold`.
public enum TopNEvaluation {
    /// Runs the evaluation of `options.models` on `dataset`.
    public static func run(dataset: Dataset, options: TopNOptions = TopNOptions(),
                           progress: any ProgressReporter = SilentProgress()) throws -> TopNResult {
        try options.validate()
        let threads = Threads.resolve(options.threads)
        let split = try TemporalSplit(dataset: dataset)
        guard !split.trainRows.isEmpty else { throw RecommenderError.insufficientData("no training ratings for the top-N evaluation") }
        let train = RatingLists(dataset: dataset, rows: split.trainRows)
        let test = RatingLists(dataset: dataset, rows: split.testRows)
        let catalogue = train.catalogue()
        let catalogueSize = catalogue.lazy.filter { $0 }.count
        // The users evaluated and their relevant test movies.
        var users: [Int] = [], relevant: [Set<Int32>] = []
        for u in 0..<dataset.userCount {
            var rel = Set<Int32>()
            for (m, v) in zip(test.movies(of: u), test.values(of: u)) where v >= options.likeThreshold && catalogue[Int(m)] {
                rel.insert(m)
            }
            if !rel.isEmpty { users.append(u); relevant.append(rel) }
        }
        guard !users.isEmpty else { throw RecommenderError.insufficientData("no user has a relevant (≥ \(options.likeThreshold)★) test rating") }
        var results: [TopNModelResult] = []
        for model in options.models {
            let start = DispatchTime.now().uptimeNanoseconds
            let ranker: any TopNRanker = try progress.stage("top-N \(model.rawValue): fit") {
                switch model {
                case .popularity: return PopularityRanker.fit(train, likeThreshold: options.likeThreshold)
                }
            }
            let fitted = DispatchTime.now().uptimeNanoseconds
            let lists = progress.stage("top-N \(model.rawValue): recommend", total: users.count) {
                recommendAll(ranker, users: users, train: train, count: options.k, threads: threads, progress: progress)
            }
            let done = DispatchTime.now().uptimeNanoseconds
            var acc = RankingAccumulator(k: options.k)
            for (i, list) in lists.enumerated() { acc.add(recommended: list, relevant: relevant[i]) }
            let r = TopNModelResult(model: model, metrics: acc.result(catalogueSize: catalogueSize),
                                    fitSeconds: Double(fitted - start) / 1e9, recommendSeconds: Double(done - fitted) / 1e9)
            progress.note("top-N \(model.rawValue): NDCG@\(options.k) \(r.metrics.ndcg)")
            results.append(r)
        }
        return TopNResult(k: options.k, trainRatings: split.trainRows.count, testRatings: split.testRows.count,
                          evaluatedUsers: users.count, catalogueSize: catalogueSize, models: results)
    }

    /// Each user's list (dense movie indices, best first), in parallel over users.
    static func recommendAll(_ ranker: any TopNRanker, users: [Int], train: RatingLists, count: Int, threads: Int,
                             progress: any ProgressReporter) -> [[Int32]] {
        var out = [[Int32]](repeating: [], count: users.count)
        out.withUnsafeMutableBufferPointer { buf in
            let b = UnsafeSendable(buf)
            parallelRanges(users.count, threads: threads, minBlock: 16) { range in
                for i in range {
                    let u = users[i]
                    b.value[i] = ranker.recommend(user: u, excluding: Array(train.movies(of: u)), count: count).map(\.movie)
                }
                progress.advance(range.count)
            }
        }
        return out
    }
}
