import Foundation
import Boosting

/// A naive exact-greedy booster written independently of the library, straight from the
/// formulas: for every node and feature it sorts the node's values and tries every threshold
/// between neighbouring distinct values, with missing values sent right, then left.
struct ExactGreedyReference {
    var lambda = 1.0, alpha = 0.0, gamma = 0.0, minChildWeight = 1.0
    var eta: Float = 0.3
    var maxDepth = 3
    var logistic = true

    func t(_ g: Double) -> Double { g > alpha ? g - alpha : (g < -alpha ? g + alpha : 0) }
    func score(_ g: Double, _ h: Double) -> Double { t(g) * t(g) / (h + lambda) }
    func weight(_ g: Double, _ h: Double) -> Double { -t(g) / (h + lambda) }

    /// Returns the training margins after `rounds` rounds starting from `base`.
    func train(_ x: FeatureMatrix, _ y: [Float], base: Float, rounds: Int) -> [Float] {
        var m = [Float](repeating: base, count: x.rows)
        for _ in 0..<rounds {
            var g = [Double](repeating: 0, count: x.rows), h = g
            for i in 0..<x.rows {
                if logistic {
                    let p = 1 / (1 + expf(-m[i]))
                    g[i] = Double(p - y[i]); h[i] = Double(max(p * (1 - p), 1e-16))
                } else {
                    g[i] = Double(m[i] - y[i]); h[i] = 1
                }
            }
            var delta = [Float](repeating: 0, count: x.rows)
            grow(Array(0..<x.rows), depth: 0, x, g, h, &delta)
            for i in 0..<x.rows { m[i] += delta[i] }
        }
        return m
    }

    func grow(_ rows: [Int], depth: Int, _ x: FeatureMatrix, _ g: [Double], _ h: [Double], _ delta: inout [Float]) {
        let G = rows.reduce(0.0) { $0 + g[$1] }, H = rows.reduce(0.0) { $0 + h[$1] }
        var best: (gain: Double, left: [Int], right: [Int])? = nil
        if depth < maxDepth {
            var bestGain = max(gamma, 1e-6)
            for f in 0..<x.columns {
                let present = rows.filter { !x[$0, f].isNaN }.sorted { x[$0, f] < x[$1, f] }
                let missing = rows.filter { x[$0, f].isNaN }
                let gm = missing.reduce(0.0) { $0 + g[$1] }, hm = missing.reduce(0.0) { $0 + h[$1] }
                // Group boundaries: positions where the value changes, plus the end.
                var ends: [Int] = []
                for k in 1...max(1, present.count) where k == present.count || x[present[k], f] != x[present[k - 1], f] { ends.append(k) }
                if present.isEmpty { ends = [] }
                for missingLeft in [false, true] {
                    if missingLeft && missing.isEmpty { continue }
                    let candidates = missingLeft ? [0] + ends : ends
                    for e in candidates {
                        let leftPresent = present[0..<e]
                        var gl = leftPresent.reduce(0.0) { $0 + g[$1] }, hl = leftPresent.reduce(0.0) { $0 + h[$1] }
                        if missingLeft { gl += gm; hl += hm }
                        let gr = G - gl, hr = H - hl
                        if hl < minChildWeight || hr < minChildWeight { continue }
                        let gain = score(gl, hl) + score(gr, hr) - score(G, H)
                        if gain > bestGain {
                            bestGain = gain
                            let l = Array(leftPresent) + (missingLeft ? missing : [])
                            let r = Array(present[e...]) + (missingLeft ? [] : missing)
                            best = (gain, l, r)
                        }
                    }
                }
            }
        }
        if let b = best {
            grow(b.left, depth: depth + 1, x, g, h, &delta)
            grow(b.right, depth: depth + 1, x, g, h, &delta)
        } else {
            let w = eta * Float(weight(G, H))
            for i in rows { delta[i] = w }
        }
    }
}
