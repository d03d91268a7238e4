import ArgumentParser
import Boosting
import Foundation
import Runtime

/// `movierec boost train`: fit a boosted-tree model on a table and save it.
struct BoostTrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train gradient-boosted trees on a CSV/LibSVM table and save the model.",
        discussion: """
        Defaults follow XGBoost (eta 0.3, max depth 6, lambda 1, min child weight 1, max bin 256, \
        100 rounds). Trees grow level by level to --max-depth; give --max-leaves to grow \
        best-first (loss-guided) instead, with --max-depth 0 for no depth limit.
        With --valid, the validation metric is printed each round; --early-stopping R stops \
        after R rounds without improvement and keeps the trees up to the best round.
        The model file is MovieRec's own binary format (checksummed); --export-xgboost also \
        writes XGBoost JSON that `xgboost.Booster(model_file=…)` loads.
        """
    )

    @Option(help: "Training table (.csv with a header, or .libsvm/.svm).")
    var data: String

    @Option(help: "CSV: name of the label column (LibSVM files carry the label first).")
    var label: String?

    @Option(help: "Validation table (same columns) for the metric and early stopping.")
    var valid: String?

    @Option(help: "binary:logistic (labels 0/1, predicts probabilities) or reg:squarederror.")
    var objective: String = "binary:logistic"

    @Option(help: "Boosting rounds (trees).")
    var rounds: Int = 100

    @Option(name: .customLong("max-depth"), help: "Maximum tree depth (0 = unlimited, needs --max-leaves).")
    var maxDepth: Int = 6

    @Option(name: .customLong("max-leaves"), help: "Maximum leaves per tree; > 0 switches to loss-guided (best-first) growth.")
    var maxLeaves: Int = 0

    @Option(help: "Learning rate (shrinks every leaf).")
    var eta: Float = 0.3

    @Option(name: .customLong("max-bin"), help: "Histogram bins per feature (2…256).")
    var maxBin: Int = 256

    @Option(help: "L2 regularisation of leaf weights.")
    var lambda: Double = 1

    @Option(help: "L1 regularisation of leaf weights.")
    var alpha: Double = 0

    @Option(help: "Minimum loss reduction for a split.")
    var gamma: Double = 0

    @Option(name: .customLong("min-child-weight"), help: "Minimum hessian sum in a child (for logistic ≈ p(1−p) per row).")
    var minChildWeight: Double = 1

    @Option(help: "Fraction of rows sampled per tree.")
    var subsample: Double = 1

    @Option(help: "Fraction of features sampled per tree.")
    var colsample: Double = 1

    @Option(name: .customLong("base-score"), help: "Initial prediction (probability for logistic); default: the label mean.")
    var baseScore: Float?

    @Option(help: "Validation metric: auc, logloss, rmse or mae (default logloss / rmse).")
    var metric: String?

    @Option(help: "Threads (default: MOVIEREC_THREADS or all cores).")
    var threads: Int?

    @Option(help: "Seed for row/feature sampling and the bin sketch.")
    var seed: UInt64 = 0

    @Option(name: .customLong("early-stopping"), help: "Stop after this many rounds without validation improvement (needs --valid).")
    var earlyStopping: Int?

    @Option(help: "Where to write the model (MovieRec binary format).")
    var out: String

    @Option(name: .customLong("export-xgboost"), help: "Also write the model as XGBoost JSON to this file.")
    var exportXGBoost: String?

    @Flag(name: .customLong("no-pack"),
          help: "Sum every feature on its own instead of packing low-cardinality features (< 16 bins) into joint codes (the same model up to float rounding).")
    var noPack = false

    @Flag(help: "Print one JSON object with timings and metrics instead of text.")
    var json = false

    func validate() throws {
        guard Objective(rawValue: objective) != nil else {
            throw ValidationError("--objective must be one of: \(Objective.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let metric, Metric(rawValue: metric) == nil {
            throw ValidationError("--metric must be one of: \(Metric.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if earlyStopping != nil, valid == nil { throw ValidationError("--early-stopping needs --valid") }
        if TableFormat.guess(path: data) == .csv, label == nil { throw ValidationError("--label is required for CSV data") }
    }

    func run() async throws {
        var p = BoostingParameters()
        p.objective = Objective(rawValue: objective) ?? .binaryLogistic
        p.rounds = rounds; p.maxDepth = maxDepth; p.maxLeaves = maxLeaves; p.eta = eta; p.maxBin = maxBin
        p.lambda = lambda; p.alpha = alpha; p.gamma = gamma; p.minChildWeight = minChildWeight
        p.subsample = subsample; p.colsampleBytree = colsample; p.baseScore = baseScore
        p.metric = metric.flatMap(Metric.init(rawValue:))
        p.threads = Threads.resolve(threads); p.seed = seed; p.earlyStoppingRounds = earlyStopping ?? 0
        p.packLowCardinality = !noPack
        try p.validate()

        let parseStart = Date()
        let train = try TableReader.read(path: data, label: label)
        guard let labels = train.labels else { throw ValidationError("\(data): no label column") }
        var validation: ValidationSet? = nil
        if let valid {
            let v = try TableReader.read(path: valid, label: label)
            let features = TableFormat.guess(path: valid) == .csv
                ? try v.features.selecting(columns: train.features.names, source: valid)
                : try v.features.padded(toColumns: train.features.columns)
            validation = ValidationSet(features: features, labels: v.labels ?? [])
        }
        let parseSeconds = Date().timeIntervalSince(parseStart)
        let quiet = json
        let metricName = p.effectiveMetric.rawValue
        let start = Date()
        let cpuStart = processCPUSeconds()
        let result = try BoostedModel.train(features: train.features, labels: labels, parameters: p, validation: validation) { round, score in
            if !quiet, let score { print("[\(round)] valid-\(metricName): \(String(format: "%.6f", score))") }
        }
        let trainSeconds = Date().timeIntervalSince(start)
        let trainCPUSeconds = processCPUSeconds() - cpuStart
        try result.model.save(path: out)
        if let exportXGBoost { try result.model.exportXGBoost(path: exportXGBoost) }
        let r = result.report
        if json {
            var fields: [String] = [
                "\"train_seconds\": \(String(format: "%.4f", trainSeconds))",
                "\"train_cpu_seconds\": \(String(format: "%.4f", trainCPUSeconds))",
                "\"parse_seconds\": \(String(format: "%.4f", parseSeconds))",
                "\"rows\": \(train.features.rows)",
                "\"features\": \(train.features.columns)",
                "\"threads\": \(p.threads)",
                "\"rounds\": \(r.roundsTrained)",
                "\"trees\": \(result.model.trees.count)",
                "\"best_iteration\": \(r.bestIteration.map(String.init) ?? "null")",
            ]
            if let m = r.metric, let s = r.bestScore {
                fields.append("\"metric\": \"\(m.rawValue)\"")
                fields.append("\"valid_\(m.rawValue)\": \(s)")
            }
            print("{" + fields.joined(separator: ", ") + "}")
        } else {
            print("trained \(result.model.trees.count) trees (\(r.roundsTrained) rounds) on \(train.features.rows) rows × \(train.features.columns) features in \(String(format: "%.3f", trainSeconds)) s (\(p.threads) threads; parsing took \(String(format: "%.3f", parseSeconds)) s)")
            if let m = r.metric, let s = r.bestScore, let b = r.bestIteration {
                print("best valid-\(m.rawValue): \(String(format: "%.6f", s)) at round \(b)")
            }
            print("model written to \(out)" + (exportXGBoost.map { "; XGBoost JSON to \($0)" } ?? ""))
        }
    }
}

/// CPU time of the whole process (all threads), in seconds: on a shared machine the wall-clock
/// training time depends on the load, the CPU time much less.
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
