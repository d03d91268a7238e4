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
    /// Depth of each tree (the number of steps a row takes to reach the deepest leaf).
    let depths: [Int]

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
        self.depths = trees.map(\.depth)
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

    /// Margins of every row of `matrix` (column-major), parallel over row blocks.
    public func predictMargins(_ matrix: FeatureMatrix, threads: Int = 0) throws -> [Float] {
        guard matrix.columns == featureCount else {
            throw BoostingError.invalidInput("matrix has \(matrix.columns) columns, the model expects \(featureCount)")
        }
        let n = matrix.rows
        let base = baseMargin
        var out = [Float](repeating: base, count: n)
        let t = Threads.resolve(threads)
        out.withUnsafeMutableBufferPointer { ob in
            let o = UnsafeSendable(ob)
            matrix.values.withUnsafeBufferPointer { vb in
                let v = UnsafeSendable(vb)
                packed.withUnsafeBufferPointer { nb in
                    let nodes = UnsafeSendable(nb)
                    let roots = self.roots
                    let depths = self.depths
                    parallelRanges(n, threads: t, minBlock: 4096) { range in
                        guard let np = nodes.value.baseAddress, let vp = v.value.baseAddress,
                              let op = o.value.baseAddress else { return }
                        // Rows in sub-blocks of 64 so a block's values stay in cache across trees;
                        // eight rows walk a tree in lockstep so their independent node loads
                        // overlap (a single row's walk is one long dependency chain).
                        var s = range.lowerBound
                        while s < range.upperBound {
                            let e = min(range.upperBound, s + 64)
                            for (k, r) in roots.enumerated() {
                                let steps = depths[k]
                                var row = s
                                while row + 8 <= e {
                                    @inline(__always) func step(_ i: Int, _ row: Int) -> Int {
                                        let nd = np[i]
                                        if nd.feature < 0 { return i }
                                        let x = vp[Int(nd.feature) * n + row]
                                        let l = Int(nd.leftAndDefault & 0x7FFF_FFFF)
                                        let goLeft = x.isNaN ? (nd.leftAndDefault & 0x8000_0000) != 0 : x < nd.thresholdOrValue
                                        return goLeft ? l : l + 1
                                    }
                                    var i0 = Int(r), i1 = i0, i2 = i0, i3 = i0, i4 = i0, i5 = i0, i6 = i0, i7 = i0
                                    for _ in 0..<steps {
                                        i0 = step(i0, row); i1 = step(i1, row + 1); i2 = step(i2, row + 2); i3 = step(i3, row + 3)
                                        i4 = step(i4, row + 4); i5 = step(i5, row + 5); i6 = step(i6, row + 6); i7 = step(i7, row + 7)
                                    }
                                    op[row] += np[i0].thresholdOrValue; op[row + 1] += np[i1].thresholdOrValue
                                    op[row + 2] += np[i2].thresholdOrValue; op[row + 3] += np[i3].thresholdOrValue
                                    op[row + 4] += np[i4].thresholdOrValue; op[row + 5] += np[i5].thresholdOrValue
                                    op[row + 6] += np[i6].thresholdOrValue; op[row + 7] += np[i7].thresholdOrValue
                                    row += 8
                                }
                                while row < e {
                                    var i = Int(r)
                                    while true {
                                        let nd = np[i]
                                        if nd.feature < 0 { op[row] += nd.thresholdOrValue; break }
                                        let x = vp[Int(nd.feature) * n + row]
                                        let l = Int(nd.leftAndDefault & 0x7FFF_FFFF)
                                        let goLeft = x.isNaN ? (nd.leftAndDefault & 0x8000_0000) != 0 : x < nd.thresholdOrValue
                                        i = goLeft ? l : l + 1
                                    }
                                    row += 1
                                }
                            }
                            s = e
                        }
                    }
                }
            }
        }
        return out
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
