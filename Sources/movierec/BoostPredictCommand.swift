import ArgumentParser
import Boosting
import Foundation
import Runtime

/// `movierec boost predict`: apply a saved model to a table.
struct BoostPredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with a saved boosted-tree model: one prediction per line.",
        discussion: """
        CSV columns are matched to the model's features by name (order does not matter; extra \
        columns such as the label are ignored). LibSVM columns are matched by index. \
        binary:logistic models print probabilities, reg:squarederror models values.
        """
    )

    @Option(help: "Model file written by `movierec boost train --out`.")
    var model: String

    @Option(help: "Table to predict (.csv with a header, or .libsvm/.svm).")
    var data: String

    @Option(help: "Write predictions here (atomically) instead of standard output.")
    var out: String?

    @Option(help: "Threads (default: MOVIEREC_THREADS or all cores).")
    var threads: Int?

    func run() async throws {
        let m = try BoostedModel.load(path: model)
        let format = TableFormat.guess(path: data)
        let table = try TableReader.read(path: data, format: format, label: nil, requireLabel: false)
        let features = format == .csv
            ? try table.features.selecting(columns: m.featureNames, source: data)
            : try table.features.padded(toColumns: m.featureCount)
        let start = Date()
        let predictions = try m.predict(features, threads: Threads.resolve(threads))
        let seconds = Date().timeIntervalSince(start)
        var text = ""
        text.reserveCapacity(predictions.count * 12)
        for p in predictions { text += p.description; text += "\n" }
        if let out {
            try AtomicFile.write(text, to: out)
            FileHandle.standardError.write(Data("\(predictions.count) predictions written to \(out) (\(String(format: "%.3f", seconds)) s)\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
