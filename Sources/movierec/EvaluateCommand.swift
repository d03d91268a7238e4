import ArgumentParser
import Foundation
import LinearAlgebra
import MovieLens
import Recommender
import Runtime

/// `movierec evaluate --data PATH [--folds 5] [--seed S] [--threads T] [--backend blas|swift]
/// [--stages cv,clusters,topn] [--sample-users N] [--json] [--report report.html] [--quiet]`.
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate every model: cross-validation, cluster quality, top-N; optionally an HTML report.",
        discussion: """
        cv: K-fold cross-validation of the like-classifier (AUC, logloss, accuracy) and the rating \
        regressor (RMSE, MAE); every statistic a row's features use comes from the training folds only, \
        and for training rows out-of-fold, so no rating ever sees itself. clusters: inertia, silhouette \
        and sizes of KMeans of users by genre averages (model 2) and by their sparse ratings (model 3). \
        topn: precision, recall, NDCG, hit-rate@10 and coverage of each ranking model on a per-user \
        temporal split. --report writes one self-contained HTML file with SVG charts. Progress goes to \
        stderr when it is a terminal (--quiet: never).
        """
    )

    @Option(name: .long, help: "MovieLens data directory.")
    var data: String

    @Option(name: .long, help: "Number of folds (2–255).")
    var folds = 5

    @Option(name: .long, help: "Seed of the fold split, the clusterings and the models.")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Threads (default: MOVIEREC_THREADS or all cores).")
    var threads: Int?

    @Option(name: .long, help: "Kernel backend of the clustering: blas or swift (default: MOVIEREC_BACKEND or blas).")
    var backend: String?

    @Option(name: .long, help: "Comma-separated stages to run: cv, clusters, topn.")
    var stages = "cv,clusters,topn"

    @Option(name: .long, help: ArgumentHelp(
        "Evaluate on a seeded sample of this many users (0 = all users).",
        discussion: "Default: all users up to 2,000,000 ratings; above, enough users for about 1,000,000 ratings."))
    var sampleUsers: Int?

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @Option(name: .long, help: "Write a self-contained HTML report with charts to this file.")
    var report: String?

    @Option(name: .customLong("scale-curve"), help: "Add the scale curve of this Benchmarks/scale/curve.py --json file to the --report.")
    var scaleCurve: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (2...255).contains(folds) else { throw ValidationError("--folds must be between 2 and 255 (got \(folds))") }
        if let threads, threads < 0 { throw ValidationError("--threads must be positive") }
        if let backend { _ = try Backend(parsing: backend) }
        do { _ = try EvaluationStage.parseList(stages) } catch { throw ValidationError("--stages: \(error)") }
        if let sampleUsers, sampleUsers < 0 { throw ValidationError("--sample-users must be ≥ 0 (0 = all users)") }
        if let report, report.isEmpty { throw ValidationError("--report needs a file name") }
        if scaleCurve != nil && report == nil { throw ValidationError("--scale-curve needs --report (the curve is a section of the report)") }
    }

    /// The evaluation settings the flags describe.
    func options() throws -> FullEvaluationOptions {
        var o = FullEvaluationOptions()
        o.stages = try EvaluationStage.parseList(stages)
        o.folds = folds
        o.seed = seed
        o.threads = threads
        o.backend = try backend.map(Backend.init(parsing:)) ?? .default
        o.sampleUsers = sampleUsers
        return o
    }

    func run() async throws {
        let progress = output.start()
        defer { (progress as? TerminalProgress)?.close() }
        do {
            let curve = try scaleCurve.map(ScaleCurve.load(path:))
            let out = try EvaluateRun.run(data: data, options: try options(), json: json, report: report, progress: progress,
                                          command: CommandLine.arguments.joined(separator: " "), scaleCurve: curve)
            (progress as? TerminalProgress)?.close()
            print(out, terminator: "")
        } catch {
            (progress as? TerminalProgress)?.close()
            FileHandle.standardError.write(Data("movierec: error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// The logic of `movierec evaluate`, callable from tests and from `movierec pipeline`.
enum EvaluateRun {
    /// Loads `data`, evaluates, writes the report when asked, and returns the text to print
    /// (the table, or the JSON document).
    static func run(data: String, options: FullEvaluationOptions, json: Bool, report: String?,
                    progress: any ProgressReporter, command: String? = nil, scaleCurve: ScaleCurve? = nil) throws -> String {
        let summary = try evaluate(data: data, options: options, progress: progress)
        if let report {
            try HTMLReport.write(summary, context: ReportContext.current(command: command), scaleCurve: scaleCurve, to: report)
            progress.note("report written to \(report)")
        }
        return json ? EvaluationReport.json(summary).rendered() + "\n" : EvaluationPrinting.text(summary)
    }

    /// Loads `data` (timed as `load`) and runs the evaluation.
    static func evaluate(data: String, options: FullEvaluationOptions, progress: any ProgressReporter) throws -> EvaluationSummary {
        let start = DispatchTime.now().uptimeNanoseconds
        let loaded = try MovieLensReader.load(directory: data, threads: options.threads)
        let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        progress.note("loaded \(loaded.dataset.ratingCount) ratings in \(String(format: "%.2f", loadSeconds)) s")
        return try FullEvaluation.run(dataset: loaded.dataset, dataName: data, options: options, progress: progress)
            .withSeconds(first: "load", loadSeconds)
    }
}

/// A failure reported as `movierec: error: <message>` with exit status 1.
struct RecommenderCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
