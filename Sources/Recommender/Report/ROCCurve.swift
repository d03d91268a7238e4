/// The receiver operating characteristic of scores against binary labels: one point per distinct
/// score threshold, from (0, 0) to (1, 1), and the area under it by the trapezoid rule (equal to
/// the Mann–Whitney AUC, ties counting one half).
public struct ROCCurve: Sendable, Equatable {
    /// False-positive rate of each point, non-decreasing from 0 to 1.
    public let falsePositiveRate: [Double]
    /// True-positive rate of each point, non-decreasing from 0 to 1.
    public let truePositiveRate: [Double]
    /// Area under the curve.
    public let auc: Double
    public let positives: Int
    public let negatives: Int

    /// The curve of `scores` against `labels` (label > 0.5 is positive). Rows with a
    /// non-finite score are ignored. nil when the lengths differ or either class is absent.
    public init?(scores: [Float], labels: [Float]) {
        guard scores.count == labels.count else { return nil }
        let rows = scores.indices.filter { scores[$0].isFinite }
        let order = rows.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        let p = order.reduce(0) { $0 + (labels[$1] > 0.5 ? 1 : 0) }
        let n = order.count - p
        guard p > 0, n > 0 else { return nil }
        var fpr: [Double] = [0], tpr: [Double] = [0]
        var tp = 0, fp = 0, area = 0.0
        var i = 0
        while i < order.count {
            let s = scores[order[i]]
            while i < order.count && scores[order[i]] == s {
                if labels[order[i]] > 0.5 { tp += 1 } else { fp += 1 }
                i += 1
            }
            let x = Double(fp) / Double(n), y = Double(tp) / Double(p)
            area += (x - (fpr.last ?? 0)) * (y + (tpr.last ?? 0)) / 2
            fpr.append(x)
            tpr.append(y)
        }
        self.init(fpr: fpr, tpr: tpr, auc: area, positives: p, negatives: n)
    }

    private init(fpr: [Double], tpr: [Double], auc: Double, positives: Int, negatives: Int) {
        falsePositiveRate = fpr
        truePositiveRate = tpr
        self.auc = auc
        self.positives = positives
        self.negatives = negatives
    }

    /// At most `maxPoints` (≥ 2) of the points, evenly spaced along the curve and always keeping
    /// the first and last, for drawing; `auc` stays that of the full curve.
    public func downsampled(maxPoints: Int) -> ROCCurve {
        let count = falsePositiveRate.count
        guard maxPoints >= 2, count > maxPoints else { return self }
        var keep: [Int] = []
        for j in 0..<maxPoints {
            let idx = Int((Double(j) * Double(count - 1) / Double(maxPoints - 1)).rounded())
            if keep.last != idx { keep.append(idx) }
        }
        return ROCCurve(fpr: keep.map { falsePositiveRate[$0] }, tpr: keep.map { truePositiveRate[$0] }, auc: auc,
                        positives: positives, negatives: negatives)
    }
}
