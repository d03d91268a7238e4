import Foundation

/// Validation metrics.
public enum Metric: String, Sendable, CaseIterable, Codable {
    /// Area under the ROC curve (ties get half credit; weighted). Higher is better.
    case auc
    /// Mean negative log-likelihood of 0/1 labels (weighted). Lower is better.
    case logloss
    /// Root mean squared error (weighted). Lower is better.
    case rmse
    /// Mean absolute error (weighted). Lower is better.
    case mae

    /// Whether larger values are better.
    public var higherIsBetter: Bool { self == .auc }

    /// Evaluates the metric on `predictions` (probabilities for logistic models) against `labels`.
    /// Sums run in a fixed order (Double), so the result does not depend on threads.
    public func evaluate(predictions: [Float], labels: [Float], weights: [Float]? = nil) -> Double {
        let n = min(predictions.count, labels.count)
        if n == 0 { return .nan }
        func w(_ i: Int) -> Double { weights.map { Double($0[i]) } ?? 1 }
        switch self {
        case .rmse, .mae:
            var s = 0.0, ws = 0.0
            for i in 0..<n {
                let d = Double(predictions[i]) - Double(labels[i])
                s += w(i) * (self == .rmse ? d * d : abs(d))
                ws += w(i)
            }
            return self == .rmse ? (s / ws).squareRoot() : s / ws
        case .logloss:
            let eps = 1e-16
            var s = 0.0, ws = 0.0
            for i in 0..<n {
                let p = min(max(Double(predictions[i]), eps), 1 - eps)
                let y = Double(labels[i])
                s += -w(i) * (y * log(p) + (1 - y) * log(1 - p))
                ws += w(i)
            }
            return s / ws
        case .auc:
            var order = Array(0..<n)
            order.sort { predictions[$0] != predictions[$1] ? predictions[$0] > predictions[$1] : $0 < $1 }
            // Sweep groups of tied scores from high to low; area by trapezoids.
            var tp = 0.0, fp = 0.0, area = 0.0
            var i = 0
            while i < n {
                var j = i
                var gtp = 0.0, gfp = 0.0
                while j < n, predictions[order[j]] == predictions[order[i]] {
                    let k = order[j]
                    gtp += w(k) * Double(labels[k])
                    gfp += w(k) * (1 - Double(labels[k]))
                    j += 1
                }
                area += gfp * (tp + gtp / 2)
                tp += gtp
                fp += gfp
                i = j
            }
            if tp == 0 || fp == 0 { return .nan }
            return area / (tp * fp)
        }
    }
}
