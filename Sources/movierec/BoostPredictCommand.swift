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

    @Option(help: "Predict this many times and report the median time (for benchmarks).")
    var `repeat`: Int = 1

    @Flag(name: .customLong("row-major"), help: "Predict from a row-major copy of the table (the serving entry point).")
    var rowMajor = false

    func validate() throws {
        guard (1...10_000).contains(`repeat`) else { throw ValidationError("--repeat must be in 1…10000") }
    }

    func run() async throws {
        let m = try BoostedModel.load(path: model)
        let format = TableFormat.guess(path: data)
        let table = try TableReader.read(path: data, format: format, label: nil, requireLabel: false)
        let features = format == .csv
            ? try table.features.selecting(columns: m.featureNames, source: data)
            : try table.features.padded(toColumns: m.featureCount)
        let t = Threads.resolve(threads)
        let rows = features.rows
        let rowMajorValues: [Float] = rowMajor ? (0..<rows).flatMap { features.row($0) } : []
        var predictions: [Float] = []
        var times: [Double] = []
        for _ in 0..<`repeat` {
            let start = DispatchTime.now().uptimeNanoseconds
            predictions = rowMajor ? try m.predict(rowMajor: rowMajorValues, rows: rows, threads: t) : try m.predict(features, threads: t)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let seconds = times.sorted()[times.count / 2]
        var text = ""
        text.reserveCapacity(predictions.count * 12)
        for p in predictions { text += p.description; text += "\n" }
        if let out {
            try AtomicFile.write(text, to: out)
            let timing = `repeat` > 1 ? "median of \(`repeat`): \(String(format: "%.6f", seconds))" : String(format: "%.3f", seconds)
            FileHandle.standardError.write(Data("\(predictions.count) predictions written to \(out) (\(timing) s)\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
