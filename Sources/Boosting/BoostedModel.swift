import Runtime

/// A trained gradient-boosted tree ensemble: `prediction = transform(baseMargin + Σ trees)`.
///
/// Create one with `BoostedModel.train(...)`, or `BoostedModel.load(path:)`. Prediction runs on
/// trees packed into one array of 12-byte nodes (children adjacent).
public struct BoostedModel: Sendable {
    /// The objective the model was trained for (decides the output transform).
    public let objective: Objective
    /// The base score (a probability for `binaryLogistic`).
    public let baseScore: Float
    /// Names of the features, in column order; prediction inputs must use the same order.
    public let featureNames: [String]
    /// The trees, in boosting order (after early stopping: up to the best iteration).
    public let trees: [Tree]
    /// With early stopping, the 0-based round whose model was kept; nil otherwise.
    public let bestIteration: Int?

    /// Packed forest for prediction.
    let packed: [PackedNode]
    let roots: [Int32]
    /// The trees laid out for batch prediction (`PredictionForest`).
    let forest: PredictionForest

    /// Number of features the model expects.
    public var featureCount: Int { featureNames.count }
    /// The base margin (logit of the base score for logistic).
    public var baseMargin: Float { objective.margin(ofBaseScore: baseScore) }

    public init(objective: Objective, baseScore: Float, featureNames: [String], trees: [Tree], bestIteration: Int? = nil) {
        self.objective = objective
        self.baseScore = baseScore
        self.featureNames = featureNames
        self.trees = trees
        self.bestIteration = bestIteration
        var packed: [PackedNode] = []
        var roots: [Int32] = []
        for t in trees {
            let base = packed.count
            roots.append(Int32(base))
            for i in 0..<t.count {
                if t.feature[i] < 0 {
                    packed.append(PackedNode(thresholdOrValue: t.value[i], feature: -1, leftAndDefault: 0))
                } else {
                    let l = UInt32(base + Int(t.left[i])) | (t.defaultLeft[i] ? 0x8000_0000 : 0)
                    packed.append(PackedNode(thresholdOrValue: t.threshold[i], feature: t.feature[i], leftAndDefault: l))
                }
            }
        }
        self.packed = packed
        self.roots = roots
        self.forest = PredictionForest(trees: trees)
    }

    // MARK: Prediction

    /// The margin of one row (`row[f]` = feature `f`; NaN = missing), summing trees in order in
    /// `Float` from the base margin — the same arithmetic as the batch path.
    public func predictMargin(row: UnsafeBufferPointer<Float>) -> Float {
        var m = baseMargin
        packed.withUnsafeBufferPointer { nodes in
            guard let np = nodes.baseAddress, let rp = row.baseAddress else { return }
            for r in roots {
                var i = Int(r)
                while true {
                    let n = np[i]
                    if n.feature < 0 { m += n.thresholdOrValue; break }
                    let x = rp[Int(n.feature)]
                    let l = Int(n.leftAndDefault & 0x7FFF_FFFF)
                    let goLeft = x.isNaN ? (n.leftAndDefault & 0x8000_0000) != 0 : x < n.thresholdOrValue
                    i = goLeft ? l : l + 1
                }
            }
        }
        return m
    }

    /// The prediction for one row (probability for logistic). `row.count` must be `featureCount`.
    public func predict(row: [Float]) throws -> Float {
        guard row.count == featureCount else {
            throw BoostingError.invalidInput("row has \(row.count) values, the model expects \(featureCount)")
        }
        return row.withUnsafeBufferPointer { objective.transform(predictMargin(row: $0)) }
    }

    /// Below this many rows `predictMargins(_:)` does not look for constant columns.
    static let specialisingRows = 1024

    /// Margins of every row of `matrix` (column-major), parallel over row blocks. Features
    /// that hold the same value in every row (from 1,024 rows on) are resolved once in every
    /// tree (`PredictionForest`); the margins are the same, bit for bit.
    public func predictMargins(_ matrix: FeatureMatrix, threads: Int = 0) throws -> [Float] {
        guard matrix.columns == featureCount else {
            throw BoostingError.invalidInput("matrix has \(matrix.columns) columns, the model expects \(featureCount)")
        }
        let n = matrix.rows
        var out = [Float](repeating: baseMargin, count: n)
        out.withUnsafeMutableBufferPointer { ob in
            matrix.values.withUnsafeBufferPointer { vb in
                // Columns constant over many rows (one user against every movie) are folded
                // into the trees first: fewer steps per row, the same leaves.
                if n >= Self.specialisingRows,
                   let fixed = PredictionForest.constantColumns(of: trees, values: vb, rows: n, columns: matrix.columns) {
                    PredictionForest(trees: trees, fixed: fixed)
                        .accumulate(values: vb, rows: n, featureStride: n, rowStride: 1, into: ob, threads: Threads.resolve(threads))
                } else {
                    accumulate(values: vb, rows: n, featureStride: n, rowStride: 1, into: ob, threads: Threads.resolve(threads))
                }
            }
        }
        return out
    }

    /// Margins of `rows` rows stored row-major — `values[i * featureCount + j]` is feature `j`
    /// of row `i`, NaN = missing — written to `out[0..<rows]`. This is the layout of feature
    /// rows built one at a time (say every candidate movie of one user when serving): no
    /// transpose and no allocation. Same trees, same arithmetic and the same results, bit for
    /// bit, as `predictMargins(_:)` of the transposed matrix and as `predictMargin(row:)`.
    /// - Throws: `BoostingError.invalidInput` unless `values.count == rows * featureCount` and
    ///   `out.count >= rows`.
    public func predictMargins(rowMajor values: UnsafeBufferPointer<Float>, rows: Int,
                               into out: UnsafeMutableBufferPointer<Float>, threads: Int = 0) throws {
        let (cells, overflow) = rows.multipliedReportingOverflow(by: featureCount)
        guard rows >= 0, !overflow, cells == values.count else {
            throw BoostingError.invalidInput("\(values.count) values do not fill \(rows) rows × \(featureCount) features (row-major)")
        }
        guard out.count >= rows else {
            throw BoostingError.invalidInput("output has room for \(out.count) predictions, \(rows) rows given")
        }
        guard rows > 0 else { return }
        let base = baseMargin
        for i in 0..<rows { out[i] = base }
        accumulate(values: values, rows: rows, featureStride: 1, rowStride: featureCount, into: out, threads: Threads.resolve(threads))
    }

    /// Margins of `rows` rows stored row-major (see `predictMargins(rowMajor:rows:into:threads:)`).
    public func predictMargins(rowMajor values: [Float], rows: Int, threads: Int = 0) throws -> [Float] {
        var out = [Float](repeating: 0, count: max(0, rows))
        try values.withUnsafeBufferPointer { vb in
            try out.withUnsafeMutableBufferPointer { try predictMargins(rowMajor: vb, rows: rows, into: $0, threads: threads) }
        }
        return out
    }

    /// Predictions (probabilities for logistic) of `rows` rows stored row-major
    /// (`values[i * featureCount + j]`; see `predictMargins(rowMajor:rows:into:threads:)`).
    public func predict(rowMajor values: [Float], rows: Int, threads: Int = 0) throws -> [Float] {
        var m = try predictMargins(rowMajor: values, rows: rows, threads: threads)
        if objective == .binaryLogistic {
            for i in 0..<m.count { m[i] = objective.transform(m[i]) }
        }
        return m
    }

    /// Adds every tree's leaf value to `out[i]` for rows `0..<rows`, where feature `f` of row `i`
    /// is `values[f * featureStride + i * rowStride]` (column-major: `(rows, 1)`; row-major:
    /// `(1, featureCount)`). Parallel over row blocks; trees are added in order for every row.
    func accumulate(values: UnsafeBufferPointer<Float>, rows n: Int, featureStride fs: Int, rowStride rs: Int,
                    into out: UnsafeMutableBufferPointer<Float>, threads t: Int) {
        forest.accumulate(values: values, rows: n, featureStride: fs, rowStride: rs, into: out, threads: t)
    }

    /// Predictions (probabilities for logistic) of every row of `matrix`.
    public func predict(_ matrix: FeatureMatrix, threads: Int = 0) throws -> [Float] {
        var m = try predictMargins(matrix, threads: threads)
        if objective == .binaryLogistic {
            for i in 0..<m.count { m[i] = objective.transform(m[i]) }
        }
        return m
    }

    // MARK: Inspection

    /// Kinds of feature importance (XGBoost's names).
    public enum ImportanceType: String, Sendable, CaseIterable {
        /// Number of splits on the feature.
        case weight
        /// Average loss reduction of the feature's splits.
        case gain
        /// Average hessian sum of the feature's splits.
        case cover
        /// Total loss reduction.
        case totalGain = "total_gain"
        /// Total hessian sum.
        case totalCover = "total_cover"
    }

    /// Importance of every feature (0 for features never split on), in column order.
    public func importance(_ type: ImportanceType) -> [Double] {
        var count = [Double](repeating: 0, count: featureCount)
        var gain = count, cover = count
        for t in trees {
            for i in 0..<t.count where t.feature[i] >= 0 {
                let f = Int(t.feature[i])
                guard f < featureCount else { continue }
                count[f] += 1
                gain[f] += Double(t.gain[i])
                cover[f] += Double(t.cover[i])
            }
        }
        switch type {
        case .weight: return count
        case .totalGain: return gain
        case .totalCover: return cover
        case .gain: return zip(gain, count).map { $1 > 0 ? $0 / $1 : 0 }
        case .cover: return zip(cover, count).map { $1 > 0 ? $0 / $1 : 0 }
        }
    }
}
