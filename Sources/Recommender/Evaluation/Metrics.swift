import Foundation

/// Evaluation metrics for the like-classifier and the rating regressor.
///
/// Every metric accumulates in `Double`. Inputs of different lengths, or empty inputs, give
/// `nan` (the metric is undefined) rather than a crash.
public enum Metrics {
    /// Area under the ROC curve of `scores` against binary `labels` (label > 0.5 is positive).
    ///
    /// Ties are handled by average rank (Mann–Whitney U): a tied positive/negative pair counts
    /// one half. `nan` when either class is absent.
    public static func auc(scores: [Float], labels: [Float]) -> Double {
        let n = scores.count
        guard n == labels.count, n > 0 else { return .nan }
        let order = (0..<n).sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        var rankSumPositive = 0.0
        var positives = 0.0
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            // Ranks i+1 … j+1 (1-based) share their average.
            let averageRank = Double(i + j + 2) / 2
            for t in i...j where labels[order[t]] > 0.5 {
                rankSumPositive += averageRank
                positives += 1
            }
            i = j + 1
        }
        let negatives = Double(n) - positives
        guard positives > 0, negatives > 0 else { return .nan }
        return (rankSumPositive - positives * (positives + 1) / 2) / (positives * negatives)
    }

    /// Mean binary cross-entropy of probabilities `p` against 0/1 `labels`; probabilities are
    /// clipped to [1e-15, 1 − 1e-15].
    public static func logloss(probabilities p: [Float], labels: [Float]) -> Double {
        guard p.count == labels.count, !p.isEmpty else { return .nan }
        let eps = 1e-15
        var total = 0.0
        for (q, y) in zip(p, labels) {
            let c = min(max(Double(q), eps), 1 - eps)
            total -= y > 0.5 ? Foundation.log(c) : Foundation.log(1 - c)
        }
        return total / Double(p.count)
    }

    /// Fraction of rows where `p ≥ threshold` agrees with `label > 0.5`.
    public static func accuracy(probabilities p: [Float], labels: [Float], threshold: Float = 0.5) -> Double {
        guard p.count == labels.count, !p.isEmpty else { return .nan }
        var right = 0
        for (q, y) in zip(p, labels) where (q >= threshold) == (y > 0.5) { right += 1 }
        return Double(right) / Double(p.count)
    }

    /// Root mean squared error.
    public static func rmse(predictions: [Float], targets: [Float]) -> Double {
        guard predictions.count == targets.count, !targets.isEmpty else { return .nan }
        var total = 0.0
        for (p, t) in zip(predictions, targets) {
            let d = Double(p) - Double(t)
            total += d * d
        }
        return (total / Double(targets.count)).squareRoot()
    }

    /// Mean absolute error.
    public static func mae(predictions: [Float], targets: [Float]) -> Double {
        guard predictions.count == targets.count, !targets.isEmpty else { return .nan }
        var total = 0.0
        for (p, t) in zip(predictions, targets) { total += abs(Double(p) - Double(t)) }
        return total / Double(targets.count)
    }

    /// Mean and sample standard deviation (n − 1 denominator; 0 for a single value).
    public static func meanAndStd(_ values: [Double]) -> (mean: Double, std: Double) {
        guard !values.isEmpty else { return (.nan, .nan) }
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else { return (mean, 0) }
        let ss = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, (ss / Double(values.count - 1)).squareRoot())
    }
}
