import ArgumentParser
import Foundation
import MovieLens
import Recommender
import Runtime

/// `movierec pipeline`: validate → train → evaluate → save the bundle → results and sample recommendations.
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "The main job: validate the data, train every model, cross-validate, save the bundle, show results.",
        discussion: """
        Default data: data/ml-latest-small when it has been fetched; otherwise a hint to run \
        `movierec data fetch ml-latest-small` and a run on a small deterministic synthetic data \
        set, so the pipeline always runs. Per-stage wall-clock seconds are printed at the end.
        """
    )

    @Option(name: .long, help: "MovieLens data directory (default: data/ml-latest-small, else synthetic data).")
    var data: String?

    @Option(name: .long, help: "Bundle directory to write (replaced atomically).")
    var out: String = "models"

    @Option(name: .long, help: "Cross-validation folds (2–255).")
    var folds = 5

    @Option(name: .long, help: "Users to show sample recommendations for.")
    var sampleUsers = 3

    @OptionGroup var training: TrainingArguments
    @OptionGroup var output: OutputOptions

    @Flag(name: .long, help: "Print the results as JSON.")
    var json = false

    @Option(name: .long, help: "Also write the evaluation as a self-contained HTML report with charts.")
    var report: String?

    func validate() throws {
        guard (2...255).contains(folds) else { throw ValidationError("--folds must be between 2 and 255") }
        guard sampleUsers >= 0 else { throw ValidationError("--sample-users must be ≥ 0") }
    }

    func run() async throws {
        let progress = output.start()
        defer { (progress as? TerminalProgress)?.close() }
        do {
            var settings = PipelineRun.Settings(data: data, out: out, folds: folds, sampleUsers: sampleUsers, report: report)
            settings.training = try training.trainingOptions(source: "")
            let r = try PipelineRun.run(settings, progress: progress)
            (progress as? TerminalProgress)?.close()
            if let hint = r.hint { FileHandle.standardError.write(Data("movierec: \(hint)\n".utf8)) }
            print(json ? r.json().rendered() : r.text(), terminator: json ? "\n" : "")
        } catch {
            throw CLIFailure.report(error)
        }
    }
}

/// The logic of `movierec pipeline`, callable from tests.
enum PipelineRun {
    struct Settings {
        var data: String?
        var out = "models"
        var folds = 5
        var sampleUsers = 3
        var report: String? = nil
        var training = TrainingOptions()
    }

    struct Result {
        var source: String
        var hint: String?
        var report: CleaningReport?
        var dataset: (users: Int, movies: Int, ratings: Int)
        var evaluation: EvaluationSummary
        var manifest: BundleManifest
        var out: String
        var samples: [(user: Int64, model: String, list: [Recommendation])]
        var seconds: [(String, Double)]
        /// Wall-clock seconds of the whole run (train and evaluate overlap, so this is less than
        /// the sum of `seconds`).
        var wall: Double
    }

    static let defaultData = "data/ml-latest-small"

    static func run(_ s: Settings, progress: any ProgressReporter) throws -> Result {
        let clock = StageClock()
        let started = DispatchTime.now().uptimeNanoseconds
        var hint: String? = nil
        var source = s.data ?? defaultData
        var report: CleaningReport? = nil
        let dataset: Dataset
        if s.data == nil && !FileManager.default.fileExists(atPath: defaultData) {
            hint = "no data at \(defaultData): run `movierec data fetch ml-latest-small` for the real thing; running on a small synthetic data set now"
            source = "synthetic (seed \(s.training.seed))"
            dataset = try clock.measure("validate") {
                try progress.stage("synthetic data") { try SyntheticMovieLens(seed: s.training.seed).dataset() }
            }
        } else {
            let loaded = try clock.measure("validate") {
                try progress.stage("load + validate") { try MovieLensReader.load(directory: source, threads: s.training.threads) }
            }
            report = loaded.report
            dataset = loaded.dataset
        }
        var training = s.training
        training.source = source

        var ev = FullEvaluationOptions()
        ev.folds = s.folds
        ev.seed = training.seed
        ev.threads = training.threads
        ev.backend = training.backend
        ev.crossValidation.features = training.features
        ev.crossValidation.classifier = training.classifier
        ev.crossValidation.regressor = training.regressor
        // Training and evaluation share nothing but the (immutable) data set, so they run at the
        // same time: training on its own thread, evaluation on this one. Each keeps its own
        // thread count and seeds, so the models and metrics are those of a sequential run; the
        // overlap fills the cores that one stage's serial parts leave idle.
        let trainingOptions = training
        let trained = ConcurrentStage { try ModelTrainer.train(dataset: dataset, options: trainingOptions, progress: progress) }
        let evaluated = Swift.Result<EvaluationSummary, any Error> {
            try FullEvaluation.run(dataset: dataset, dataName: source, options: ev, progress: progress)
        }
        let evaluateSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 - clock.total
        let (trainedBundle, trainSeconds) = trained.wait()
        clock.record("train", seconds: trainSeconds)
        clock.record("evaluate", seconds: evaluateSeconds)
        var bundle = try trainedBundle.get()
        let evaluation = try evaluated.get()
        if let report = s.report {
            try clock.measure("report") {
                try HTMLReport.write(evaluation, context: ReportContext.current(command: CommandLine.arguments.joined(separator: " ")), to: report)
            }
        }
        if let cv = evaluation.crossValidation {
            for (name, key) in [("auc", \FoldMetrics.auc), ("logloss", \.logloss), ("accuracy", \.accuracy)] {
                bundle.manifest.metrics["cv.classifier.\(name).mean"] = cv.summary(key).mean
            }
            for (name, key) in [("rmse", \FoldMetrics.rmse), ("mae", \.mae)] {
                bundle.manifest.metrics["cv.regressor.\(name).mean"] = cv.summary(key).mean
            }
        }
        for m in evaluation.topN?.models ?? [] { bundle.manifest.metrics["topn.\(m.model.rawValue).ndcg"] = m.metrics.ndcg }
        let manifest = try clock.measure("save") { try progress.stage("save bundle") { try BundleStore.write(bundle, to: s.out) } }

        let samples = try clock.measure("sample recommendations") { () -> [(Int64, String, [Recommendation])] in
            let recommender = BundleRecommender(bundle)
            let model = bundle.servableModels[0]
            var out: [(Int64, String, [Recommendation])] = []
            for u in 0..<bundle.catalog.userCount where out.count < s.sampleUsers && !bundle.catalog.seen(user: u).movies.isEmpty {
                let id = bundle.catalog.userIds[u]
                out.append((id, model.rawValue, try recommender.recommend(userId: id, model: model, count: 5)))
            }
            return out
        }
        return Result(source: source, hint: hint, report: report,
                      dataset: (dataset.userCount, dataset.movieCount, dataset.ratingCount), evaluation: evaluation, manifest: manifest,
                      out: s.out, samples: samples.map { (user: $0.0, model: $0.1, list: $0.2) }, seconds: clock.stages,
                      wall: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }
}

/// A throwing computation started on its own thread; `wait()` returns its result and its
/// wall-clock seconds.
final class ConcurrentStage<T>: @unchecked Sendable {
    private var result: Result<T, any Error>?
    private var seconds = 0.0
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            let start = DispatchTime.now().uptimeNanoseconds
            result = Result { try body() }
            seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            done.signal()
        }
        thread.stackSize = 16 << 20
        thread.start()
    }

    func wait() -> (Result<T, any Error>, Double) {
        done.wait()
        return (result ?? .failure(CancellationError()), seconds)
    }
}

extension PipelineRun.Result {
    /// Kept / repaired / dropped rows over all files of the cleaning report.
    var cleaning: (read: Int, kept: Int, repaired: Int, dropped: Int)? {
        report.map { r in r.files.values.reduce((0, 0, 0, 0)) { ($0.0 + $1.read, $0.1 + $1.kept, $0.2 + $1.repairedRows, $0.3 + $1.droppedRows) } }
    }

    func text() -> String {
        var s = "MovieRec pipeline on \(source)\n\n"
        s += "1. validate  \(dataset.users) users, \(dataset.movies) movies, \(dataset.ratings) ratings"
        if let c = cleaning { s += " (\(c.read) rows read: \(c.kept) kept, \(c.repaired) repaired, \(c.dropped) dropped)" }
        s += "\n2. train     \(manifest.featureSchema.count) features; "
        s += String(format: "classifier train AUC %.4f, regressor train RMSE %.4f\n",
                    manifest.metrics["classifier.train_auc"] ?? .nan, manifest.metrics["regressor.train_rmse"] ?? .nan)
        s += "3. evaluate\n\n"
        s += EvaluationPrinting.text(evaluation).split(separator: "\n", omittingEmptySubsequences: false).map { "   " + $0 }.joined(separator: "\n")
        s += "\n4. save      \(out) (\(manifest.files.count) files, \(TrainSummary.format(bytes: manifest.files.reduce(0) { $0 + $1.bytes })))\n"
        s += "5. sample recommendations\n"
        for (user, model, list) in samples {
            s += "\n   user \(user) (model \(model)):\n"
            s += RecommendationPrinting.table(list).split(separator: "\n").map { "   " + $0 }.joined(separator: "\n") + "\n"
        }
        s += "\nseconds: " + seconds.map { String(format: "%@ %.2f", $0.0, $0.1) }.joined(separator: ", ")
        s += String(format: "; total %.2f (train and evaluate run at the same time)\n", wall)
        return s
    }

    func json() -> JSONValue {
        let evaluationJSON = EvaluationReport.json(evaluation)
        var items: [(String, JSONValue)] = [
            ("data", .string(source)),
            ("dataset", .object([("users", .integer(dataset.users)), ("movies", .integer(dataset.movies)), ("ratings", .integer(dataset.ratings))])),
        ]
        if let c = cleaning {
            items.append(("cleaning", .object([("read", .integer(c.read)), ("kept", .integer(c.kept)), ("repaired", .integer(c.repaired)), ("dropped", .integer(c.dropped))])))
        }
        items.append(("evaluation", evaluationJSON))
        items.append(("bundle", TrainSummary.json(manifest, out: out, seconds: [])))
        items.append(("samples", .array(samples.map { RecommendationPrinting.json($0.list, extra: [("user", .integer(Int($0.user))), ("model", .string($0.model))]) })))
        items.append(("seconds", .object(seconds.map { ($0.0, .number($0.1)) } + [("total", .number(wall))])))
        return .object(items)
    }
}
