import Runtime

/// A validation set for early stopping and reporting.
public struct ValidationSet: Sendable {
    public var features: FeatureMatrix
    public var labels: [Float]
    public var weights: [Float]?

    public init(features: FeatureMatrix, labels: [Float], weights: [Float]? = nil) {
        self.features = features
        self.labels = labels
        self.weights = weights
    }
}

/// What happened during training.
public struct TrainingReport: Sendable {
    /// Rounds actually trained (≤ `parameters.rounds`; fewer when early stopping fired).
    public var roundsTrained: Int
    /// The 0-based best round on the validation set (the model keeps trees 0...best), or nil
    /// without a validation set.
    public var bestIteration: Int?
    /// The validation metric.
    public var metric: Metric?
    /// The validation metric after each round.
    public var history: [Double]
    /// The validation metric at `bestIteration`.
    public var bestScore: Double?
}

/// A trained model and its report.
public struct TrainingResult: Sendable {
    public var model: BoostedModel
    public var report: TrainingReport
}

extension BoostedModel {
    /// Trains a model.
    ///
    /// - Parameters:
    ///   - features: training features, column-major (`FeatureMatrix`); NaN = missing.
    ///   - labels: one label per row (0/1 or a probability for logistic).
    ///   - weights: optional non-negative sample weights.
    ///   - parameters: see `BoostingParameters` (XGBoost defaults).
    ///   - validation: optional validation set; with `earlyStoppingRounds > 0` the model keeps
    ///     the trees up to the best round.
    ///   - progress: called after each round with (round, validation metric or nil).
    /// Deterministic: the same inputs, parameters (seed) give bitwise-identical models for any
    /// thread count (histograms are merged in a fixed order; partitions are stable).
    public static func train(
        features: FeatureMatrix, labels: [Float], weights: [Float]? = nil,
        parameters: BoostingParameters = BoostingParameters(),
        validation: ValidationSet? = nil,
        progress: ((Int, Double?) -> Void)? = nil
    ) throws -> TrainingResult {
        let p = parameters
        try validateInputs(rows: features.rows, columns: features.columns, labels: labels, weights: weights,
                           parameters: p, validation: validation)
        let threads = Threads.resolve(p.threads)
        let cuts = BinCuts.sketch(features, maxBin: p.maxBin, sampleRows: p.sketchRows, seed: p.seed, threads: threads)
        let binned = BinnedMatrix(features, cuts: cuts, threads: threads)
        return try trainBinned(binned, featureNames: features.names, labels: labels, weights: weights, parameters: p,
                               validation: validation, progress: progress)
    }

    /// Trains a model on an already binned training matrix — to train several models (say a
    /// classifier and a regressor) on the same rows while sketching and binning them once.
    /// `parameters.maxBin` and `sketchRows` are ignored (the cuts are `binned.cuts`); with
    /// `binned = BinnedMatrix(x, cuts: BinCuts.sketch(x, maxBin: p.maxBin, sampleRows: p.sketchRows,
    /// seed: p.seed))` the model is bitwise the one `train(features: x, …)` returns.
    public static func train(
        binned: BinnedMatrix, featureNames: [String], labels: [Float], weights: [Float]? = nil,
        parameters: BoostingParameters = BoostingParameters(),
        validation: ValidationSet? = nil,
        progress: ((Int, Double?) -> Void)? = nil
    ) throws -> TrainingResult {
        let p = parameters
        guard featureNames.count == binned.features else {
            throw BoostingError.invalidInput("\(featureNames.count) feature names for \(binned.features) columns")
        }
        try validateInputs(rows: binned.rows, columns: binned.features, labels: labels, weights: weights,
                           parameters: p, validation: validation)
        return try trainBinned(binned, featureNames: featureNames, labels: labels, weights: weights, parameters: p,
                               validation: validation, progress: progress)
    }

    /// Checks the parameters, labels, weights and validation set of a training matrix of
    /// `rows` × `columns`, naming the first problem.
    static func validateInputs(rows n: Int, columns: Int, labels: [Float], weights: [Float]?,
                               parameters p: BoostingParameters, validation: ValidationSet?) throws {
        try p.validate()
        guard labels.count == n else { throw BoostingError.invalidInput("\(labels.count) labels for \(n) rows") }
        guard n > 0 else { throw BoostingError.invalidInput("no training rows") }
        guard n < Int(UInt32.max) else { throw BoostingError.invalidInput("too many rows (\(n))") }
        guard columns > 0 else { throw BoostingError.invalidInput("no feature columns") }
        try p.objective.validate(labels: labels)
        if let w = weights {
            guard w.count == n else { throw BoostingError.invalidInput("\(w.count) weights for \(n) rows") }
            for (i, x) in w.enumerated() where !(x >= 0 && x.isFinite) {
                throw BoostingError.invalidInput("weight of row \(i + 1) is \(x) (weights must be finite and ≥ 0)")
            }
        }
        if let v = validation {
            guard v.features.columns == columns else {
                throw BoostingError.invalidInput("validation set has \(v.features.columns) columns, training has \(columns)")
            }
            guard v.labels.count == v.features.rows else {
                throw BoostingError.invalidInput("validation: \(v.labels.count) labels for \(v.features.rows) rows")
            }
            try p.objective.validate(labels: v.labels)
        }
    }

    /// The boosting loop (inputs already validated).
    static func trainBinned(
        _ binned: BinnedMatrix, featureNames: [String], labels: [Float], weights: [Float]?, parameters p: BoostingParameters,
        validation: ValidationSet?, progress: ((Int, Double?) -> Void)?
    ) throws -> TrainingResult {
        let threads = Threads.resolve(p.threads)
        let n = binned.rows
        let columns = binned.features
        let baseScore = p.baseScore ?? p.objective.estimateBaseScore(labels: labels, weights: weights)
        let baseMargin = p.objective.margin(ofBaseScore: baseScore)

        let rule = SplitRule(lambda: p.lambda, alpha: p.alpha, gamma: p.gamma, minChildWeight: p.minChildWeight)
        let policy = p.effectivePolicy
        let builder = TreeBuilder(binned: binned, settings: .init(
            rule: rule, eta: p.eta, maxDepth: p.maxDepth, maxLeaves: p.maxLeaves, policy: policy, threads: threads,
            packLowCardinality: p.packLowCardinality, rowWiseMaxDensity: p.rowWiseMaxDensity,
            orderedRecordsMinBytes: p.orderedRecordsMinBytes))
        let part = builder.partitioner

        var margins = [Float](repeating: baseMargin, count: n)
        let gpair = UnsafeMutablePointer<SIMD2<Float>>.allocate(capacity: n)
        defer { gpair.deallocate() }
        var sampled = [Bool](repeating: true, count: n)
        var validMargins = validation.map { [Float](repeating: baseMargin, count: $0.features.rows) }
        let metric = validation == nil ? nil : p.effectiveMetric
        var history: [Double] = []
        var best: (round: Int, score: Double)? = nil
        var trees: [Tree] = []
        let allFeatures = Array(0..<columns)

        for round in 0..<p.rounds {
            var rng = SplitMix64(seed: p.seed &+ UInt64(round) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
            // Column sample for this tree.
            var chosen = allFeatures
            if p.colsampleBytree < 1 {
                let k = max(1, Int((p.colsampleBytree * Double(columns)).rounded(.down)))
                for i in 0..<k {
                    let j = i + rng.nextBelow(chosen.count - i)
                    chosen.swapAt(i, j)
                }
                chosen = Array(chosen[0..<k]).sorted()
            }
            // Gradients, and the rows of this tree in row order.
            let rowCount: Int
            let identity = p.subsample >= 1
            if identity {
                p.objective.gradients(margins: margins, labels: labels, weights: weights, threads: threads, into: part.gradients)
                let ix = UnsafeSendable(part.rowIndex)
                parallelRanges(n, threads: threads, minBlock: 65_536) { r in
                    for i in r { ix.value[i] = UInt32(truncatingIfNeeded: i) }
                }
                rowCount = n
            } else {
                p.objective.gradients(margins: margins, labels: labels, weights: weights, threads: threads, into: gpair)
                rowCount = sampled.withUnsafeMutableBufferPointer { flags in
                    RowSample.draw(rows: n, fraction: p.subsample, rng: &rng, gradients: gpair, sampled: flags,
                                   rowIndex: part.rowIndex, sampledGradients: part.gradients, threads: threads)
                }
            }
            let tree = builder.grow(rowCount: rowCount, identity: identity, features: chosen)
            // Update training margins: sampled rows through their leaf ranges, the others by
            // walking the tree on their bins.
            margins.withUnsafeMutableBufferPointer { mb in
                guard let m = mb.baseAddress else { return }
                MarginUpdate.addSampled(tree: tree, leafRows: builder.leafRanges, rowIndex: part.rowIndex,
                                        binned: binned, margins: m, threads: threads)
                if !identity {
                    sampled.withUnsafeBufferPointer { sb in
                        MarginUpdate.addUnsampled(tree: tree, sampled: sb, binned: binned, margins: m, threads: threads)
                    }
                }
            }
            trees.append(tree)
            // Validation.
            var score: Double? = nil
            if let v = validation, let metric, var vm = validMargins {
                let vn = v.features.rows
                vm.withUnsafeMutableBufferPointer { mb in
                    let m = UnsafeSendable(mb)
                    v.features.values.withUnsafeBufferPointer { xb in
                        let x = UnsafeSendable(xb)
                        parallelRanges(vn, threads: threads, minBlock: 8192) { r in
                            for row in r {
                                let leaf = tree.leaf { x.value[$0 * vn + row] }
                                m.value[row] += tree.value[leaf]
                            }
                        }
                    }
                }
                validMargins = vm
                let preds = p.objective == .binaryLogistic ? vm.map { p.objective.transform($0) } : vm
                let s = metric.evaluate(predictions: preds, labels: v.labels, weights: v.weights)
                history.append(s)
                score = s
                if let b = best {
                    let better = metric.higherIsBetter ? s > b.score : s < b.score
                    if better { best = (round, s) }
                } else if !s.isNaN {
                    best = (round, s)
                }
            }
            progress?(round, score)
            if p.earlyStoppingRounds > 0, let b = best, round - b.round >= p.earlyStoppingRounds { break }
        }
        let roundsTrained = trees.count
        var bestIteration: Int? = nil
        if p.earlyStoppingRounds > 0, let b = best {
            bestIteration = b.round
            trees = Array(trees.prefix(b.round + 1))
        }
        let model = BoostedModel(objective: p.objective, baseScore: baseScore, featureNames: featureNames,
                                 trees: trees, bestIteration: bestIteration)
        let report = TrainingReport(roundsTrained: roundsTrained, bestIteration: bestIteration ?? best?.round,
                                    metric: metric, history: history, bestScore: best?.score)
        return TrainingResult(model: model, report: report)
    }
}
