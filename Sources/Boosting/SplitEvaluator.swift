/// A gradient/hessian pair in double precision (histogram bins, node sums).
typealias GradSum = SIMD2<Double>

/// The regularised score formulas (XGBoost's, with L1 by soft thresholding).
struct SplitRule: Sendable {
    let lambda: Double
    let alpha: Double
    let gamma: Double
    let minChildWeight: Double

    /// Soft threshold of the gradient sum by `alpha`.
    @inline(__always) func thresholdL1(_ g: Double) -> Double {
        g > alpha ? g - alpha : (g < -alpha ? g + alpha : 0)
    }
    /// Optimal leaf weight −T(G)/(H+λ).
    @inline(__always) func weight(_ s: GradSum) -> Double {
        let d = s.y + lambda
        return d > 0 ? -thresholdL1(s.x) / d : 0
    }
    /// Structure score T(G)²/(H+λ) (twice the loss reduction of a leaf with the optimal weight).
    @inline(__always) func score(_ s: GradSum) -> Double {
        let d = s.y + lambda
        if d <= 0 { return 0 }
        let t = thresholdL1(s.x)
        return t * t / d
    }
}

/// The best split of a node.
struct SplitCandidate: Sendable {
    /// score(L) + score(R) − score(parent) (XGBoost's `loss_chg`, without the ½).
    var gain: Double
    var feature: Int
    /// Bins `0...bin` go left (`-1`: every value bin goes right).
    var bin: Int
    var defaultLeft: Bool
    var left: GradSum
    var right: GradSum
}

/// Finds the best split of a node from its histogram.
enum SplitEvaluator {
    /// Smallest gain accepted (XGBoost's `kRtEps`).
    static let minGain = 1e-6

    /// Scans every selected feature's bins in both missing directions. Ties keep the first
    /// candidate in (feature, missing-right before missing-left, bin) order, so the result is
    /// deterministic. Returns nil when no split gains more than `max(gamma, 1e-6)`.
    static func best(
        histogram h: UnsafePointer<GradSum>, offsets: [Int], cuts: BinCuts, features: [Int],
        sum: GradSum, rule: SplitRule
    ) -> SplitCandidate? {
        let parentScore = rule.score(sum)
        var best: SplitCandidate? = nil
        var bestGain = max(rule.gamma, minGain)
        let mcw = rule.minChildWeight
        for f in features {
            let base = offsets[f]
            let nb = cuts.binCount(f)
            let missing = h[base + nb]
            // Missing goes right: left = bins 0...b.
            var acc = GradSum(0, 0)
            for b in 0..<nb {
                acc += h[base + b]
                let left = acc
                let right = sum - left
                if left.y < mcw || right.y < mcw { continue }
                let g = rule.score(left) + rule.score(right) - parentScore
                if g > bestGain {
                    bestGain = g
                    best = SplitCandidate(gain: g, feature: f, bin: b, defaultLeft: false, left: left, right: right)
                }
            }
            // Missing goes left: left = missing + bins 0...b, b from -1. Only when the node has
            // missing values (otherwise identical to the scan above).
            if missing.y > 0 || missing.x != 0 {
                acc = missing
                for b in -1..<nb {
                    if b >= 0 { acc += h[base + b] }
                    let left = acc
                    let right = sum - left
                    if left.y < mcw || right.y < mcw { continue }
                    let g = rule.score(left) + rule.score(right) - parentScore
                    if g > bestGain {
                        bestGain = g
                        best = SplitCandidate(gain: g, feature: f, bin: b, defaultLeft: true, left: left, right: right)
                    }
                }
            }
        }
        return best
    }
}
