import Foundation
import LinearAlgebra
import MovieLens
import Runtime

/// A stage of `FullEvaluation`.
public enum EvaluationStage: String, Sendable, CaseIterable, Comparable {
    /// K-fold cross-validation of the like-classifier and the rating regressor.
    case cv
    /// Quality of the two user clusterings (models 2 and 3).
    case clusters
    /// Top-N ranking metrics on a temporal split.
    case topn

    public static func < (a: EvaluationStage, b: EvaluationStage) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }

    /// Parses a comma-separated list such as `cv,topn` (order and repeats ignored).
    public static func parseList(_ text: String) throws -> [EvaluationStage] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var stages = Set<EvaluationStage>()
        for name in names where !name.isEmpty {
            guard let stage = EvaluationStage(rawValue: name) else {
                throw RecommenderError.invalidArgument(
                    "unknown stage '\(name)' (expected a comma-separated list of \(allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            stages.insert(stage)
        }
        guard !stages.isEmpty else { throw RecommenderError.invalidArgument("no stage selected") }
        return stages.sorted()
    }
}

/// Settings of `FullEvaluation.run`.
public struct FullEvaluationOptions: Sendable {
    /// The stages to run (run in the order cv, clusters, topn).
    public var stages: [EvaluationStage] = EvaluationStage.allCases
    /// Cross-validation settings; its `folds`, `seed` and `threads` are the ones below.
    public var crossValidation = EvaluationOptions()
    /// Cluster-quality settings.
    public var clusters = ClusterQualityOptions()
    /// Top-N settings; its `seed` and `threads` are the ones below.
    public var topN = TopNOptions()
    /// Kernel backend of the clustering stage.
    public var backend: Backend = .default
    /// Evaluate on a seeded sample of this many users (with all their ratings): nil = automatic
    /// (`UserSample.automaticUsers`: only above 2,000,000 ratings, about 1,000,000 sampled
    /// ratings), 0 = never sample.
    public var sampleUsers: Int? = nil

    public init() {}

    /// Outer folds of the cross-validation.
    public var folds: Int {
        get { crossValidation.folds }
        set { crossValidation.folds = newValue }
    }

    /// The seed of every stage.
    public var seed: UInt64 {
        get { crossValidation.seed }
        set { crossValidation.seed = newValue }
    }

    /// Threads (nil = `Threads.defaultCount`).
    public var threads: Int? {
        get { crossValidation.threads }
        set { crossValidation.threads = newValue }
    }
}

/// Everything `movierec evaluate` measures, ready to print, encode as JSON or draw.
public struct EvaluationSummary: Sendable {
    /// The data set's path or name as given.
    public var data: String
    public var stages: [EvaluationStage]
    public var folds: Int
    public var seed: UInt64
    /// Threads actually used.
    public var threads: Int
    public var backend: String
    public var ratings: Int, users: Int, movies: Int
    /// The user sample every stage ran on, when the data set was sampled (`ratings`, `users` and
    /// `movies` above are the whole data set's).
    public var sample: UserSample? = nil
    /// The cross-validation, when the `cv` stage ran.
    public var crossValidation: CrossValidationResult?
    /// ROC curve of the pooled out-of-fold like-probabilities, when the cross-validation exposes them.
    public var roc: ROCCurve?
    /// Gain importance of the classifier's features (name, mean gain), when available.
    public var importance: [(feature: String, gain: Double)]?
    /// Model 2's and model 3's cluster quality, when the `clusters` stage ran.
    public var genreClusters: ClusterQuality?
    public var ratingClusters: ClusterQuality?
    /// Top-N metrics per model on the temporal split, when the `topn` stage ran.
    public var topN: TopNResult?
    /// Why a selected stage or chart produced nothing (stage or item name → reason).
    public var unavailable: [(item: String, reason: String)] = []
    /// Wall-clock seconds per stage (`load` when the caller adds it, `cv`, `clusters`, `topn`).
    public var seconds: StageTimer
    /// Finer timings inside stages (e.g. `cv` → features, classifier, regressor, predict).
    public var detailSeconds: [(stage: String, timer: StageTimer)] = []

    /// The total of `seconds`.
    public var totalSeconds: Double { seconds.order.reduce(0) { $0 + (seconds.seconds[$1] ?? 0) } }

    /// The same summary with `stage` timed first (e.g. the data load, measured by the caller).
    public func withSeconds(first stage: String, _ value: Double) -> EvaluationSummary {
        var copy = self
        var timer = StageTimer()
        timer.add(stage, value)
        for s in seconds.order { timer.add(s, seconds.seconds[s] ?? 0) }
        copy.seconds = timer
        return copy
    }
}

/// The evaluation behind `movierec evaluate` and `movierec pipeline`: runs the selected stages on
/// one data set and times each.
public enum FullEvaluation {
    /// The ranking models the top-N report covers (issue 6), in report order.
    public static let rankingModels = ["popularity", "classifier", "notebook_hybrid", "als", "hybrid"]

    /// Runs `options.stages` on `dataset`. `dataName` is echoed in the summary (the path given).
    public static func run(dataset: Dataset, dataName: String, options: FullEvaluationOptions,
                           progress: any ProgressReporter = SilentProgress()) throws -> EvaluationSummary {
        let stages = Array(Set(options.stages)).sorted()
        var summary = EvaluationSummary(
            data: dataName, stages: stages, folds: options.folds, seed: options.seed, threads: Threads.resolve(options.threads),
            backend: options.backend.rawValue, ratings: dataset.ratingCount, users: dataset.userCount, movies: dataset.movieCount,
            seconds: StageTimer())
        var timer = StageTimer()
        var dataset = dataset
        let wanted = options.sampleUsers ?? UserSample.automaticUsers(for: dataset)
        if let wanted, wanted > 0, wanted < dataset.userCount {
            let sample = try timer.measure("sample") {
                try UserSample(dataset: dataset, users: wanted, seed: options.seed, automatic: options.sampleUsers == nil)
            }
            progress.note("evaluating on a seeded sample of \(sample.users) of \(sample.ofUsers) users (\(sample.ratings) of \(sample.ofRatings) ratings)")
            summary.sample = sample
            dataset = sample.dataset
        }
        for stage in stages {
            switch stage {
            case .cv:
                progress.note("cross-validation: \(options.folds) folds")
                let result = try timer.measure("cv") {
                    try progress.stage("cross-validation") {
                        try CrossValidation.run(dataset: dataset, options: options.crossValidation, progress: { progress.note($0) })
                    }
                }
                summary.crossValidation = result
                summary.detailSeconds.append((stage: "cv", timer: result.timer))
                if let roc = ROCCurve(scores: result.outOfFoldScores, labels: result.outOfFoldLabels) {
                    summary.roc = roc
                } else {
                    summary.unavailable.append((item: "roc", reason: "the out-of-fold predictions hold a single class"))
                }
                if result.classifierGain.count == result.featureNames.count, !result.featureNames.isEmpty {
                    summary.importance = zip(result.featureNames, result.classifierGain)
                        .map { (feature: $0, gain: $1) }
                        .sorted { $0.gain != $1.gain ? $0.gain > $1.gain : $0.feature < $1.feature }
                } else {
                    summary.unavailable.append((item: "importance", reason: "the classifier's importance does not match the features"))
                }
            case .clusters:
                var detail = StageTimer()
                try timer.measure("clusters") {
                    try progress.stage("cluster quality", total: 2) {
                        let genre = try ClusterQuality.genre(dataset: dataset, options: options.clusters, seed: options.seed,
                                                             backend: options.backend, threads: options.threads)
                        detail.add("genre", genre.seconds)
                        progress.advance(1)
                        let ratings = try ClusterQuality.ratings(dataset: dataset, options: options.clusters, seed: options.seed,
                                                                 backend: options.backend, threads: options.threads)
                        detail.add("ratings", ratings.seconds)
                        progress.advance(1)
                        summary.genreClusters = genre
                        summary.ratingClusters = ratings
                    }
                }
                summary.detailSeconds.append((stage: "clusters", timer: detail))
            case .topn:
                var topN = options.topN
                topN.seed = options.seed
                topN.threads = options.threads
                progress.note("top-N: \(topN.models.map(\.rawValue).joined(separator: ", ")) at k = \(topN.k)")
                summary.topN = try timer.measure("topn") {
                    try TopNEvaluation.run(dataset: dataset, options: topN, progress: progress)
                }
                if let r = summary.topN {
                    var detail = StageTimer()
                    for m in r.models { detail.add(m.model.rawValue, m.fitSeconds + m.recommendSeconds) }
                    summary.detailSeconds.append((stage: "topn", timer: detail))
                }
                for model in FullEvaluation.rankingModels where !topN.models.map(\.rawValue).contains(model) {
                    let known = TopNModel(rawValue: model) != nil
                    summary.unavailable.append((item: "topn.\(model)",
                                                reason: known ? "not selected" : "this build has no top-N \(model) ranker yet"))
                }
            }
        }
        summary.seconds = timer
        return summary
    }
}
