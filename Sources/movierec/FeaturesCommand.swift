import ArgumentParser
import Foundation
import MovieLens
import Recommender

/// `movierec features …`: the leak-free feature matrices the models train on.
struct FeaturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Build and export the leak-free feature matrices.",
        subcommands: [FeaturesExportCommand.self]
    )
}

/// `movierec features export --data PATH --fold K [--folds 5] [--seed S] --out DIR`: writes fold K's
/// `train.csv` and `test.csv` (header; label columns `like` and `rating` first), atomically —
/// exactly the matrices `movierec evaluate` trains and scores on for that fold.
struct FeaturesExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one cross-validation fold's train/test feature matrices as CSV.",
        discussion: """
        Folds are numbered 1…folds. With the same --folds and --seed the split and the features are \
        the ones `movierec evaluate` uses, so other engines can be compared on identical inputs \
        (see Benchmarks/peers/honest_xgboost.py). Missing values are empty fields.
        """
    )

    @Option(name: .long, help: "MovieLens data directory.")
    var data: String

    @Option(name: .long, help: "The fold to export (1…folds): its ratings are the test rows.")
    var fold: Int

    @Option(name: .long, help: "Number of folds (2–255).")
    var folds = 5

    @Option(name: .long, help: "Seed of the fold split (as for `evaluate`).")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Output directory (created if needed).")
    var out: String

    @Option(name: .long, help: "Threads (default: MOVIEREC_THREADS or all cores).")
    var threads: Int?

    func validate() throws {
        guard (2...255).contains(folds) else { throw ValidationError("--folds must be between 2 and 255") }
        guard (1...folds).contains(fold) else { throw ValidationError("--fold must be between 1 and \(folds), got \(fold)") }
        if let threads, threads < 0 { throw ValidationError("--threads must be positive") }
    }

    func run() async throws {
        do {
            let dataset = try MovieLensReader.load(directory: data, threads: threads).dataset
            var options = EvaluationOptions()
            options.folds = folds
            options.seed = seed
            options.threads = threads
            let features = try CrossValidation.foldFeatures(dataset: dataset, options: options, fold: fold - 1)
            try FeatureCSV.write(features, to: out)
            print("wrote \(out)/train.csv (\(features.train.rows) rows) and \(out)/test.csv (\(features.test.rows) rows), "
                + "\(features.schema.count) features + like, rating")
        } catch {
            throw RecommenderCommandError("\(error)")
        }
    }
}
