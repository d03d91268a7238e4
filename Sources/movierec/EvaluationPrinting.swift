import Foundation
import Recommender

/// The text tables of an `EvaluationSummary`, shared by `movierec evaluate` and `movierec pipeline`.
enum EvaluationPrinting {
    /// The whole summary: header, fold table, clusters, top-N, what was unavailable, seconds.
    static func text(_ s: EvaluationSummary) -> String {
        var out = "Evaluation of \(s.data): \(grouped(s.ratings)) ratings, \(grouped(s.users)) users, \(grouped(s.movies)) movies"
            + " · seed \(s.seed) · \(s.threads) threads · backend \(s.backend)\n"
        if let sample = s.sample {
            out += "evaluated on a seeded sample of \(grouped(sample.users)) of \(grouped(sample.ofUsers)) users"
                + " (\(grouped(sample.ratings)) ratings\(sample.automatic ? ", automatic above \(grouped(UserSample.automaticRatingLimit)) ratings" : ""))\n"
        }
        if let r = s.crossValidation { out += "\n" + crossValidation(r) }
        if s.genreClusters != nil || s.ratingClusters != nil { out += "\n" + clusters(s) }
        if let t = s.topN { out += "\n" + topN(t) }
        let missing = s.unavailable.filter { !$0.reason.hasPrefix("not selected") }
        if !missing.isEmpty {
            out += "\nnot available:\n" + missing.map { "  \($0.item): \($0.reason)\n" }.joined()
        }
        return out + "\n" + seconds(s)
    }

    /// One line per fold, then mean and std.
    static func crossValidation(_ r: CrossValidationResult) -> String {
        var out = "\(r.folds.count)-fold cross-validation (\(r.featureNames.count) features)\n"
        out += pad("fold", 6) + ["AUC", "logloss", "accuracy", "RMSE", "MAE"].map { pad($0, 10) }.joined() + "\n"
        for (i, m) in r.folds.enumerated() {
            out += pad("\(i + 1)", 6) + [m.auc, m.logloss, m.accuracy, m.rmse, m.mae].map { pad(fixed($0, 4), 10) }.joined() + "\n"
        }
        let keys: [KeyPath<FoldMetrics, Double>] = [\.auc, \.logloss, \.accuracy, \.rmse, \.mae]
        out += pad("mean", 6) + keys.map { pad(fixed(r.summary($0).mean, 4), 10) }.joined() + "\n"
        out += pad("std", 6) + keys.map { pad(fixed(r.summary($0).std, 4), 10) }.joined() + "\n"
        return out
    }

    /// Both clusterings: k, matrix size, inertia, silhouette, seconds, sizes.
    static func clusters(_ s: EvaluationSummary) -> String {
        var out = "User clusters\n"
        out += "  " + lpad("model", 18) + pad("k", 4) + pad("users × cols", 16) + pad("inertia", 12) + pad("silhouette", 12)
            + pad("seconds", 9) + "  sizes\n"
        for (name, q) in [("genre (model 2)", s.genreClusters), ("ratings (model 3)", s.ratingClusters)] {
            guard let q else { continue }
            out += "  " + lpad(name, 18) + pad("\(q.k)", 4) + pad("\(grouped(q.users)) × \(grouped(q.features))", 16)
                + pad(String(format: "%.5g", q.inertia), 12) + pad(q.silhouette.map { fixed($0, 4) } ?? "n/a", 12)
                + pad(fixed(q.seconds, 2), 9) + "  " + q.sizes.map(String.init).joined(separator: " ") + "\n"
        }
        return out
    }

    /// One line per ranking model.
    static func topN(_ t: TopNResult) -> String {
        var out = "Top-\(t.k) on the temporal split (\(grouped(t.trainRatings)) train / \(grouped(t.testRatings)) test ratings, "
            + "\(grouped(t.evaluatedUsers)) users, catalogue \(grouped(t.catalogueSize)))\n"
        out += "  " + lpad("model", 16) + ["precision", "recall", "NDCG", "hit-rate", "coverage", "seconds"].map { pad($0, 10) }.joined() + "\n"
        for r in t.models {
            let m = r.metrics
            out += "  " + lpad(r.model.rawValue, 16) + [m.precision, m.recall, m.ndcg, m.hitRate, m.coverage].map { pad(fixed($0, 4), 10) }.joined()
                + pad(fixed(r.fitSeconds + r.recommendSeconds, 2), 10) + "\n"
        }
        return out
    }

    /// `seconds: load 0.08  cv 61.20  …  total 63.10`.
    static func seconds(_ s: EvaluationSummary) -> String {
        var out = "seconds:"
        for stage in s.seconds.order { out += " \(stage) \(fixed(s.seconds.seconds[stage] ?? 0, 2))" }
        out += " total \(fixed(s.totalSeconds, 2))\n"
        for d in s.detailSeconds where !d.timer.order.isEmpty {
            out += "  \(d.stage):" + d.timer.order.map { " \($0) \(fixed(d.timer.seconds[$0] ?? 0, 2))" }.joined() + "\n"
        }
        return out
    }

    static func fixed(_ x: Double, _ decimals: Int) -> String {
        x.isFinite ? String(format: "%.\(decimals)f", x) : "nan"
    }

    static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? " " + s : String(repeating: " ", count: w - s.count) + s }
    static func lpad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }

    static func grouped(_ n: Int) -> String { DigitGrouping.grouped(n) }
}
