/// Renders a `CrossValidationResult` as JSON or as a text table.
public enum EvaluationReport {
    /// The JSON report: `classifier.{auc,logloss,accuracy}`, `regressor.{rmse,mae}` — each
    /// `{"mean", "std", "folds"}` — plus `folds`, `rows`, `features` and `seconds.<stage>`.
    /// `extraSeconds` (e.g. the data load) are listed before the cross-validation's stages.
    public static func json(_ r: CrossValidationResult, dataset: String, extraSeconds: [(String, Double)] = []) -> JSONValue {
        func metric(_ k: KeyPath<FoldMetrics, Double>) -> JSONValue {
            let s = r.summary(k)
            return .object([("mean", .number(s.mean)), ("std", .number(s.std)), ("folds", .array(r.folds.map { .number($0[keyPath: k]) }))])
        }
        var seconds: [(String, JSONValue)] = extraSeconds.map { ($0.0, .number($0.1)) }
        var total = extraSeconds.reduce(0) { $0 + $1.1 }
        for stage in r.timer.order {
            let s = r.timer.seconds[stage] ?? 0
            seconds.append((stage, .number(s)))
            total += s
        }
        seconds.append(("total", .number(total)))
        return .object([
            ("dataset", .string(dataset)),
            ("folds", .integer(r.folds.count)),
            ("rows", .integer(r.folds.first.map { $0.trainRows + $0.testRows } ?? 0)),
            ("features", .array(r.featureNames.map { .string($0) })),
            ("classifier", .object([("auc", metric(\.auc)), ("logloss", metric(\.logloss)), ("accuracy", metric(\.accuracy))])),
            ("regressor", .object([("rmse", metric(\.rmse)), ("mae", metric(\.mae))])),
            ("seconds", .object(seconds)),
        ])
    }

    /// A human-readable table: one line per fold, then mean ± std, then the stage times.
    public static func text(_ r: CrossValidationResult, dataset: String, extraSeconds: [(String, Double)] = []) -> String {
        func f(_ x: Double, _ digits: Int = 4) -> String {
            guard x.isFinite else { return "nan" }
            var s = String(Double(Int((x * 10_000).rounded())) / 10_000)
            while s.split(separator: ".").last.map({ $0.count < digits }) ?? false { s += "0" }
            return s
        }
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
        var out = "\(r.folds.count)-fold cross-validation on \(dataset) (\(r.featureNames.count) features)\n\n"
        out += pad("fold", 6) + pad("AUC", 10) + pad("logloss", 10) + pad("accuracy", 10) + pad("RMSE", 10) + pad("MAE", 10) + "\n"
        for (i, m) in r.folds.enumerated() {
            out += pad("\(i + 1)", 6) + pad(f(m.auc), 10) + pad(f(m.logloss), 10) + pad(f(m.accuracy), 10)
                + pad(f(m.rmse), 10) + pad(f(m.mae), 10) + "\n"
        }
        let keys: [KeyPath<FoldMetrics, Double>] = [\.auc, \.logloss, \.accuracy, \.rmse, \.mae]
        out += pad("mean", 6) + keys.map { pad(f(r.summary($0).mean), 10) }.joined() + "\n"
        out += pad("std", 6) + keys.map { pad(f(r.summary($0).std), 10) }.joined() + "\n\nseconds:"
        var total = 0.0
        for (k, v) in extraSeconds { out += " \(k) \(f(v, 2))"; total += v }
        for stage in r.timer.order {
            let v = r.timer.seconds[stage] ?? 0
            out += " \(stage) \(f(v, 2))"
            total += v
        }
        return out + " total \(f(total, 2))\n"
    }
}

extension EvaluationReport {
    /// The JSON document of `movierec evaluate --json` (schema in README, "Evaluating the models
    /// honestly"). Keys of a stage that did not run are absent; a selected stage that could not
    /// run is `null` with its reason under `unavailable`.
    public static func json(_ s: EvaluationSummary) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("data", .string(s.data)),
            ("stages", .array(s.stages.map { .string($0.rawValue) })),
            ("folds", .integer(s.folds)),
            ("seed", s.seed <= UInt64(Int.max) ? .integer(Int(s.seed)) : .string(String(s.seed))),
            ("threads", .integer(s.threads)),
            ("backend", .string(s.backend)),
            ("ratings", .integer(s.ratings)),
            ("users", .integer(s.users)),
            ("movies", .integer(s.movies)),
            ("features", .array((s.crossValidation?.featureNames ?? []).map { .string($0) })),
            ("sample", s.sample?.json() ?? .null),
        ]
        if let r = s.crossValidation {
            func metric(_ k: KeyPath<FoldMetrics, Double>) -> JSONValue {
                let m = r.summary(k)
                return .object([("mean", .number(m.mean)), ("std", .number(m.std)), ("folds", .array(r.folds.map { .number($0[keyPath: k]) }))])
            }
            pairs.append(("classifier", .object([("auc", metric(\.auc)), ("logloss", metric(\.logloss)), ("accuracy", metric(\.accuracy))])))
            pairs.append(("regressor", .object([("rmse", metric(\.rmse)), ("mae", metric(\.mae))])))
        }
        if s.stages.contains(.clusters) {
            var clusters: [(String, JSONValue)] = []
            if let g = s.genreClusters { clusters.append(("genre", json(g))) }
            if let r = s.ratingClusters { clusters.append(("ratings", json(r))) }
            pairs.append(("clusters", clusters.isEmpty ? .null : .object(clusters)))
        }
        if s.stages.contains(.topn) {
            pairs.append(("topn", s.topN?.json() ?? .null))
        }
        pairs.append(("unavailable", .object(s.unavailable.map { ($0.item, .string($0.reason)) })))
        var seconds: [(String, JSONValue)] = s.seconds.order.map { ($0, .number(s.seconds.seconds[$0] ?? 0)) }
        seconds.append(("total", .number(s.totalSeconds)))
        pairs.append(("seconds", .object(seconds)))
        pairs.append(("stage_seconds", .object(s.detailSeconds.map { d in
            (d.stage, .object(d.timer.order.map { ($0, .number(d.timer.seconds[$0] ?? 0)) }))
        })))
        return .object(pairs)
    }

    static func json(_ c: ClusterQuality) -> JSONValue {
        .object([
            ("k", .integer(c.k)),
            ("inertia", .number(c.inertia)),
            ("silhouette", c.silhouette.map { .number($0) } ?? .null),
            ("silhouette_sample", .integer(c.silhouetteSample)),
            ("sizes", .array(c.sizes.map { .integer($0) })),
            ("users", .integer(c.users)),
            ("columns", .integer(c.features)),
            ("matrix", .string(c.matrix)),
            ("algorithm", .string(c.algorithm)),
            ("iterations", .integer(c.iterations)),
            ("converged", .bool(c.converged)),
            ("seconds", .number(c.seconds)),
        ])
    }
}
