import ArgumentParser
import Foundation
import MovieLens
import Recommender

/// `movierec evaluate --data PATH [--folds 5] [--seed S] [--threads T] [--json]`: honest K-fold
/// cross-validation of the like-classifier and the rating regressor on leak-free features.
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Cross-validate the like-classifier (AUC, logloss, accuracy) and the rating regressor (RMSE, MAE).",
        discussion: """
        Every statistic a row's features use is computed from the training folds only, and for \
        training rows out-of-fold (inner K-fold), so no rating ever sees itself. \
        Progress goes to stderr when it is a terminal.
        """
    )

    @Option(name: .long, help: "MovieLens data directory.")
    var data: String

    @Option(name: .long, help: "Number of folds (2–255).")
    var folds = 5

    @Option(name: .long, help: "Seed of the fold split and the models.")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Threads (default: MOVIEREC_THREADS or all cores).")
    var threads: Int?

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard (2...255).contains(folds) else { throw ValidationError("--folds must be between 2 and 255") }
        if let threads, threads < 0 { throw ValidationError("--threads must be positive") }
    }

    func run() async throws {
        let progress = RecommenderProgress()
        let start = DispatchTime.now().uptimeNanoseconds
        let loaded: LoadResult
        do {
            loaded = try MovieLensReader.load(directory: data, threads: threads)
        } catch {
            throw RecommenderCommandError("\(error)")
        }
        let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        progress.say("loaded \(loaded.dataset.ratingCount) ratings in \(String(format: "%.2f", loadSeconds)) s")
        var options = EvaluationOptions()
        options.folds = folds
        options.seed = seed
        options.threads = threads
        let result: CrossValidationResult
        do {
            result = try CrossValidation.run(dataset: loaded.dataset, options: options, progress: progress.say)
        } catch {
            throw RecommenderCommandError("\(error)")
        }
        progress.clear()
        if json {
            print(EvaluationReport.json(result, dataset: data, extraSeconds: [("load", loadSeconds)]).rendered())
        } else {
            print(EvaluationReport.text(result, dataset: data, extraSeconds: [("load", loadSeconds)]), terminator: "")
        }
    }
}

/// A one-line progress display on stderr, shown only when stderr is a terminal.
struct RecommenderProgress: Sendable {
    let enabled = isatty(2) != 0

    func say(_ line: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// A failure reported as `movierec: error: <message>` with exit status 1.
struct RecommenderCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
