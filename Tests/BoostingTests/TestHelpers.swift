import Runtime
import Boosting

/// Deterministic synthetic data for the tests.
struct Synthetic {
    var features: FeatureMatrix
    var labels: [Float]

    /// `rows × columns` values in [-2, 2] rounded to `decimals`, some missing; the label is a
    /// noisy function of the first three columns (0/1 when `binary`).
    static func make(rows: Int, columns: Int, seed: UInt64, binary: Bool, missingRate: Double = 0.05, decimals: Int = 2) throws -> Synthetic {
        var rng = SplitMix64(seed: seed)
        var values = [Float](repeating: 0, count: rows * columns)
        var scale: Float = 1
        for _ in 0..<decimals { scale *= 10 }
        for j in 0..<columns {
            for i in 0..<rows {
                let u = Float(rng.nextUnit() * 4 - 2)
                values[j * rows + i] = rng.nextUnit() < missingRate ? .nan : (u * scale).rounded() / scale
            }
        }
        var labels = [Float](repeating: 0, count: rows)
        for i in 0..<rows {
            func x(_ j: Int) -> Float { let v = values[(j % columns) * rows + i]; return v.isNaN ? 0.5 : v }
            let s = 1.5 * x(0) - x(1) * x(2) + (x(1) > 0.3 ? 1 : -0.5) + Float(rng.nextUnit() - 0.5) * 1.5
            labels[i] = binary ? (s > 0.2 ? 1 : 0) : s
        }
        return Synthetic(features: try FeatureMatrix(rows: rows, columns: columns, columnMajor: values), labels: labels)
    }
}

extension BoostedModel {
    /// The model made of the first `k` trees.
    func prefix(_ k: Int) -> BoostedModel {
        BoostedModel(objective: objective, baseScore: baseScore, featureNames: featureNames, trees: Array(trees.prefix(k)))
    }
}
