import Boosting
import Factorization
import Foundation
import MovieLens
import Runtime

/// The ranking models of the top-N evaluation, by their report key.
public enum TopNModel: String, Sendable, CaseIterable {
    /// Most-liked movies overall.
    case popularity
    /// The like-classifier's probability over every unrated catalogue movie.
    case classifier
    /// The notebook's hybrid: classifier probability + tuned weight × cluster affinity.
    case notebookHybrid = "notebook_hybrid"
    /// Implicit-feedback ALS.
    case als
    /// The two-stage hybrid (ALS + clusters + popularity candidates, ranked by a booster).
    case hybrid
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
    /// The `als` model's parameters (the Factorization engine's defaults).
    public var als = ImplicitALSParameters()
    /// Features of the classifier and the notebook hybrid (3 inner folds for the training
    /// rows' out-of-fold statistics, to keep the evaluation fast).
    public var features = TopNOptions.defaultFeatures
    /// The like-classifier's boosting parameters: the cross-validation's trees.
    public var classifier = TopNOptions.defaultClassifier
    /// The classifier and the notebook hybrid score every catalogue movie for a user (tens of
    /// milliseconds each), so they are evaluated on a seeded sample of this many evaluated users
    /// (0 = all); the notebook hybrid also tunes its weight on this many validation users.
    public var classifierUsers = 50
    /// The two-stage hybrid's settings (its `likeThreshold`, seed and threads follow these options).
    public var hybrid = TwoStageHybridOptions()

    public init() {}

    /// `FeatureOptions()` with 3 inner folds.
    public static var defaultFeatures: FeatureOptions {
        var f = FeatureOptions()
        f.innerFolds = 3
        return f
    }

    /// `EvaluationOptions.defaultClassifier` (60 rounds at η = 0.2; this was 100 rounds at
    /// η = 0.15 while the cross-validation used 120 at 0.12).
    public static var defaultClassifier: BoostingParameters { EvaluationOptions.defaultClassifier }

    func validate() throws {
        guard classifierUsers >= 0 else { throw RecommenderError.invalidArgument("classifier users must be ≥ 0, got \(classifierUsers)") }
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
        var alsParameters = options.als
        alsParameters.threads = threads
        var hybridOptions = options.hybrid
        hybridOptions.features.likeThreshold = options.likeThreshold
        hybridOptions.seed = options.seed
        hybridOptions.threads = threads
        // The hybrid's final stage 1 reuses the `als` model when both use the same parameters.
        var featureOptions = options.features
        featureOptions.likeThreshold = options.likeThreshold
        featureOptions.seed = options.seed
        var classifierParameters = options.classifier
        classifierParameters.seed = options.seed
        var sharedClassifier: ClassifierRanker? = nil
        var sharedClassifierSeconds = 0.0
        func fitClassifier() throws -> ClassifierRanker {
            if let sharedClassifier { return sharedClassifier }
            let start = DispatchTime.now().uptimeNanoseconds
            let fitted = try ClassifierRanker.fit(dataset: dataset, trainRows: split.trainRows, features: featureOptions,
                                                  booster: classifierParameters, threads: threads)
            sharedClassifierSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            sharedClassifier = fitted
            return fitted
        }
        let sampled = sample(Array(users.indices), count: options.classifierUsers, seed: options.seed)
        let scoresShared = options.models.contains(.classifier) && options.models.contains(.notebookHybrid)
        var sharedScores: ClassifierRanker? = nil
        var sharedALS: ALSRanker? = nil
        var sharedALSSeconds = 0.0
        func fitALS() throws -> ALSRanker {
            if let sharedALS { return sharedALS }
            let start = DispatchTime.now().uptimeNanoseconds
            let fitted = try ALSRanker.fit(train, parameters: alsParameters, progress: progress)
            sharedALSSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            sharedALS = fitted
            return fitted
        }
        for model in options.models {
            let start = DispatchTime.now().uptimeNanoseconds
            var extraSeconds = 0.0
            let ranker: any TopNRanker = try progress.stage("top-N \(model.rawValue): fit") {
                switch model {
                case .popularity:
                    return PopularityRanker.fit(train, likeThreshold: options.likeThreshold)
                case .als:
                    return try fitALS()
                case .classifier:
                    return try fitClassifier()
                case .notebookHybrid:
                    let reused = sharedClassifier != nil
                    let final = try fitClassifier()
                    if reused { extraSeconds = sharedClassifierSeconds }
                    return try NotebookHybridRanker.fit(dataset: dataset, trainRows: split.trainRows, final: final,
                                                        features: featureOptions, booster: classifierParameters, k: options.k,
                                                        tuningUsers: options.classifierUsers, seed: options.seed, threads: threads)
                case .hybrid:
                    var als: ALSRanker? = nil
                    if hybridOptions.als == options.als {
                        let reused = sharedALS != nil
                        als = try fitALS()
                        // Charge the shared ALS fit to the hybrid as well.
                        if reused { extraSeconds = sharedALSSeconds }
                    }
                    return try TwoStageHybridRanker.fit(dataset: dataset, trainRows: split.trainRows, options: hybridOptions,
                                                        als: als, progress: progress)
                }
            }
            let fitted = DispatchTime.now().uptimeNanoseconds
            let subset = model == .classifier || model == .notebookHybrid ? sampled : Array(users.indices)
            // The classifier and the notebook hybrid score the same sampled users with the same
            // classifier: score them once (charged to whichever comes first) and share.
            var ranking = ranker
            if scoresShared, model == .classifier || model == .notebookHybrid, let classifier = sharedClassifier {
                if sharedScores == nil {
                    let chosen = sampled.map { users[$0] }
                    sharedScores = try classifier.sharingScores(users: chosen, seen: chosen.map { Array(train.movies(of: $0)) },
                                                                threads: threads)
                }
                if let withScores = sharedScores {
                    if model == .classifier {
                        ranking = withScores
                    } else if let hybrid = ranker as? NotebookHybridRanker {
                        ranking = NotebookHybridRanker(classifier: withScores, weight: hybrid.weight, clustering: hybrid.clustering)
                    }
                }
            }
            let lists = progress.stage("top-N \(model.rawValue): recommend", total: subset.count) {
                recommendAll(ranking, users: subset.map { users[$0] }, train: train, count: options.k, threads: threads, progress: progress)
            }
            let done = DispatchTime.now().uptimeNanoseconds
            var acc = RankingAccumulator(k: options.k)
            for (i, list) in lists.enumerated() { acc.add(recommended: list, relevant: relevant[subset[i]]) }
            let r = TopNModelResult(model: model, metrics: acc.result(catalogueSize: catalogueSize),
                                    fitSeconds: Double(fitted - start) / 1e9 + extraSeconds, recommendSeconds: Double(done - fitted) / 1e9)
            progress.note("top-N \(model.rawValue): NDCG@\(options.k) \(r.metrics.ndcg)")
            results.append(r)
        }
        return TopNResult(k: options.k, trainRatings: split.trainRows.count, testRatings: split.testRows.count,
                          evaluatedUsers: users.count, catalogueSize: catalogueSize, models: results)
    }

    /// `count` of `items` chosen by a seeded shuffle, in ascending order (all of them when
    /// `count` is 0 or at least `items.count`).
    static func sample(_ items: [Int], count: Int, seed: UInt64) -> [Int] {
        guard count > 0, count < items.count else { return items }
        var order = items
        var rng = SplitMix64(seed: seed ^ 0x5EED_5A3F_1E00_0001)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.nextBelow(i + 1)) }
        return order.prefix(count).sorted()
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
