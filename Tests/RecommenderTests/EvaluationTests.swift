import Runtime
import Boosting
import MovieLens
import TestSupport
import XCTest
@testable import Recommender

final class EvaluationTests: XCTestCase {
    private func smallOptions() -> EvaluationOptions {
        var o = EvaluationOptions()
        o.folds = 3
        o.seed = 5
        o.threads = 2
        o.features.mf.epochs = 10
        o.features.mf.factors = 4
        o.features.genreClusters = 3
        o.features.ratingClusters = 3
        o.classifier.rounds = 40
        o.classifier.eta = 0.2
        o.classifier.maxDepth = 3
        o.regressor = o.classifier
        return o
    }

    /// On data with real structure both models beat the trivial predictors, and the report's
    /// summaries are the mean and spread of the per-fold numbers.
    func testCrossValidationLearnsSyntheticStructure() throws {
        let data = SyntheticRatings.make(users: 150, movies: 60, perUser: 25)
        let result = try CrossValidation.run(dataset: data, options: smallOptions())
        XCTAssertEqual(result.folds.count, 3)
        XCTAssertEqual(result.folds.map(\.testRows).reduce(0, +), data.ratingCount)
        let mean = Double(data.ratingValue.reduce(0, +)) / Double(data.ratingCount)
        let sd = (data.ratingValue.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(data.ratingCount)).squareRoot()
        for f in result.folds {
            XCTAssertGreaterThan(f.auc, 0.7)
            XCTAssertLessThan(f.rmse, 0.9 * sd, "regressor no better than predicting the mean")
            XCTAssertLessThanOrEqual(f.mae, f.rmse)
            XCTAssertGreaterThan(f.accuracy, 0.6)
        }
        // Pooled out-of-fold predictions: one per rating, their labels are the likes of the held-out
        // rows, and the pooled AUC lies within the per-fold AUCs' range (give or take calibration).
        XCTAssertEqual(result.outOfFoldScores.count, data.ratingCount)
        XCTAssertEqual(result.outOfFoldLabels.count, data.ratingCount)
        XCTAssertEqual(result.outOfFoldLabels.reduce(0, +), Float(data.ratingValue.filter { $0 >= 4 }.count))
        let pooled = Metrics.auc(scores: result.outOfFoldScores, labels: result.outOfFoldLabels)
        XCTAssertGreaterThan(pooled, (result.folds.map(\.auc).min() ?? 0) - 0.05)
        XCTAssertLessThan(pooled, (result.folds.map(\.auc).max() ?? 1) + 0.05)
        XCTAssertEqual(result.classifierGain.count, result.featureNames.count)
        XCTAssertTrue(result.classifierGain.contains { $0 > 0 }, "some feature must carry gain")
        let json = EvaluationReport.json(result, dataset: "synthetic", extraSeconds: [("load", 0.5)])
        guard case .number(let aucMean)? = json[path: "classifier.auc.mean"],
              case .array(let aucFolds)? = json[path: "classifier.auc.folds"],
              case .number(let aucStd)? = json[path: "classifier.auc.std"],
              case .number(let rmseMean)? = json[path: "regressor.rmse.mean"],
              case .number? = json[path: "regressor.mae.mean"],
              case .number? = json[path: "classifier.logloss.mean"],
              case .number(let load)? = json[path: "seconds.load"],
              case .number? = json[path: "seconds.features"],
              case .number? = json[path: "seconds.classifier"] else {
            return XCTFail("missing keys in \(json.rendered())")
        }
        let aucs = result.folds.map(\.auc)
        XCTAssertEqual(aucFolds.count, 3)
        XCTAssertEqual(aucMean, aucs.reduce(0, +) / 3, accuracy: 1e-12)
        let m = aucs.reduce(0, +) / 3
        XCTAssertEqual(aucStd, (aucs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 2).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(rmseMean, result.folds.map(\.rmse).reduce(0, +) / 3, accuracy: 1e-12)
        XCTAssertEqual(load, 0.5)
        XCTAssertTrue(EvaluationReport.text(result, dataset: "synthetic").contains("mean"))
    }

    /// The same seed gives the same numbers; the fold features are those `foldFeatures` exports.
    func testDeterministicAndExportMatchesEvaluation() throws {
        let data = SyntheticRatings.make(users: 80, movies: 40, perUser: 15)
        let o = smallOptions()
        let a = try CrossValidation.run(dataset: data, options: o)
        let b = try CrossValidation.run(dataset: data, options: o)
        XCTAssertEqual(a.folds, b.folds)
        let f1 = try CrossValidation.foldFeatures(dataset: data, options: o, fold: 1)
        let f1again = try CrossValidation.foldFeatures(dataset: data, options: o, fold: 1)
        XCTAssertEqual(f1.train.values.map(\.bitPattern), f1again.train.values.map(\.bitPattern))
        var timer = StageTimer()
        let m = try CrossValidation.evaluate(f1, options: o, seed: o.seed &+ 1, threads: 2, timer: &timer)
        XCTAssertEqual(m, a.folds[1])
        XCTAssertThrowsError(try CrossValidation.foldFeatures(dataset: data, options: o, fold: 3))
    }

    /// CSV: header with the labels first, one line per row, NaN as an empty field, and values
    /// that parse back to the same floats.
    func testFeatureCSVRoundTrips() throws {
        let m = try FeatureMatrix(rows: 2, columns: 3, rowMajor: [1.5, .nan, 0.1, -2, 3.25, 1e-7], names: ["a", "b", "c"])
        let text = try FeatureCSV.render(m, like: [1, 0], rating: [4.5, 2])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], "like,rating,a,b,c")
        XCTAssertEqual(lines.count, 4)
        XCTAssertEqual(lines[3], "")
        let first = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(first[0], "1"); XCTAssertEqual(first[1], "4.5"); XCTAssertEqual(first[3], "")
        for i in 0..<2 {
            let fields = lines[i + 1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            for j in 0..<3 {
                let v = m[i, j]
                if v.isNaN { XCTAssertEqual(fields[j + 2], "") } else { XCTAssertEqual(Float(fields[j + 2]), v) }
            }
        }
        XCTAssertThrowsError(try FeatureCSV.render(m, like: [1], rating: [4.5, 2]))
        let dir = try TestData.temporaryDirectory("recommender-csv")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = SyntheticRatings.make(users: 20, movies: 15, perUser: 6)
        var o = smallOptions()
        o.folds = 2
        let fold = try CrossValidation.foldFeatures(dataset: data, options: o, fold: 0)
        try FeatureCSV.write(fold, to: dir.path)
        let train = try String(contentsOf: dir.appendingPathComponent("train.csv"), encoding: .utf8)
        XCTAssertEqual(train.split(separator: "\n").count, fold.train.rows + 1)
        XCTAssertTrue(train.hasPrefix("like,rating,user_count,"))
    }

    /// The factorisation recovers low-rank structure: held-out RMSE well below the global-mean
    /// predictor's, deterministic for a seed.
    func testBiasedMFBeatsGlobalMean() throws {
        var rng = SplitMix64(seed: 3)
        let users = 80, items = 60, k = 3
        let pu = (0..<(users * k)).map { _ in Float(rng.nextUnit() * 2 - 1) }
        let qi = (0..<(items * k)).map { _ in Float(rng.nextUnit() * 2 - 1) }
        var u: [Int32] = [], i: [Int32] = [], v: [Float] = []
        for a in 0..<users {
            for b in 0..<items where rng.next() % 2 == 0 {
                var dot: Float = 0
                for f in 0..<k { dot += pu[a * k + f] * qi[b * k + f] }
                u.append(Int32(a)); i.append(Int32(b)); v.append(3 + dot + Float(rng.nextUnit() - 0.5) * 0.2)
            }
        }
        // Every fifth rating is held out (so every user and movie has training ratings).
        let trainIdx = v.indices.filter { $0 % 5 != 0 }, testIdx = v.indices.filter { $0 % 5 == 0 }
        var p = BiasedMFParameters()
        p.factors = 6; p.epochs = 60; p.learningRate = 0.02; p.factorRegularization = 0.02
        let model = try BiasedMF.fit(users: trainIdx.map { u[$0] }, items: trainIdx.map { i[$0] }, values: trainIdx.map { v[$0] },
                                     userCount: users, itemCount: items, parameters: p)
        let again = try BiasedMF.fit(users: trainIdx.map { u[$0] }, items: trainIdx.map { i[$0] }, values: trainIdx.map { v[$0] },
                                     userCount: users, itemCount: items, parameters: p)
        XCTAssertEqual(model.userFactors, again.userFactors)
        let test = testIdx
        let pred = test.map { model.predict(user: Int(u[$0]), item: Int(i[$0])) }
        let truth = test.map { v[$0] }
        let base = [Float](repeating: model.mean, count: truth.count)
        XCTAssertLessThan(Metrics.rmse(predictions: pred, targets: truth), 0.5 * Metrics.rmse(predictions: base, targets: truth))
        XCTAssertThrowsError(try BiasedMF.fit(users: [0], items: [99], values: [3], userCount: 1, itemCount: 2, parameters: p))
    }
}
