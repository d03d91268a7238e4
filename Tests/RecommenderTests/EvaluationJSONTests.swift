import Foundation
import XCTest
@testable import Recommender

/// `movierec evaluate --json`: the documented keys, decoded by Foundation's JSON parser.
final class EvaluationJSONTests: XCTestCase {
    private func decode(_ s: EvaluationSummary) throws -> [String: Any] {
        let text = EvaluationReport.json(s).rendered()
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func value(_ root: [String: Any], _ path: String) -> Any? {
        var current: Any? = root
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return current
    }

    func testDocumentedKeysAndFoldArrays() throws {
        let s = try FullEvaluationFixture.all.get().withSeconds(first: "load", 0.125)
        let json = try decode(s)
        let cv = try XCTUnwrap(s.crossValidation)
        XCTAssertEqual(json["data"] as? String, "synthetic <80 users>")
        XCTAssertEqual(json["folds"] as? Int, 3)
        XCTAssertEqual(json["seed"] as? Int, 5)
        XCTAssertEqual(json["features"] as? [String], cv.featureNames)
        XCTAssertEqual(json["stages"] as? [String], ["cv", "clusters", "topn"])

        let metrics: [(String, KeyPath<FoldMetrics, Double>)] = [
            ("classifier.auc", \.auc), ("classifier.logloss", \.logloss), ("classifier.accuracy", \.accuracy),
            ("regressor.rmse", \.rmse), ("regressor.mae", \.mae),
        ]
        for (path, key) in metrics {
            let folds = try XCTUnwrap(value(json, path + ".folds") as? [Double], path)
            XCTAssertEqual(folds.count, 3, path)
            // Foundation's parser may differ from the shortest round-trip text in the last bit.
            for (a, b) in zip(folds, cv.folds.map { $0[keyPath: key] }) { XCTAssertEqual(a, b, accuracy: 1e-12, path) }
            let mean = try XCTUnwrap(value(json, path + ".mean") as? Double, path)
            XCTAssertEqual(mean, folds.reduce(0, +) / 3, accuracy: 1e-12, path)
            let std = try XCTUnwrap(value(json, path + ".std") as? Double, path)
            let ss = folds.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            XCTAssertEqual(std, (ss / 2).squareRoot(), accuracy: 1e-12, path)
        }
        for name in ["genre", "ratings"] {
            let k = try XCTUnwrap(value(json, "clusters.\(name).k") as? Int)
            let sizes = try XCTUnwrap(value(json, "clusters.\(name).sizes") as? [Int])
            XCTAssertEqual(sizes.count, k)
            XCTAssertNotNil(value(json, "clusters.\(name).inertia") as? Double)
            XCTAssertNotNil(value(json, "clusters.\(name).silhouette") as? Double)
        }
        for model in s.topN?.models.map(\.model.rawValue) ?? [] {
            for key in ["precision", "recall", "ndcg", "hit_rate", "coverage"] {
                XCTAssertNotNil(value(json, "topn.\(model).\(key)") as? Double, "topn.\(model).\(key)")
            }
        }
        XCTAssertNotNil(value(json, "topn.popularity.ndcg"))
        XCTAssertEqual(value(json, "seconds.load") as? Double, 0.125)
        for stage in ["cv", "clusters", "topn", "total"] { XCTAssertNotNil(value(json, "seconds.\(stage)") as? Double, stage) }
        XCTAssertEqual(try XCTUnwrap(value(json, "seconds.total") as? Double), s.totalSeconds, accuracy: 1e-9)
        // The cross-validation's own stages, whatever they are called, under stage_seconds.cv.
        XCTAssertFalse(cv.timer.order.isEmpty)
        for stage in cv.timer.order {
            XCTAssertEqual(value(json, "stage_seconds.cv.\(stage)") as? Double ?? -1, cv.timer.seconds[stage] ?? -2, accuracy: 1e-9, stage)
        }
        // The cross-validation exposes its pooled out-of-fold predictions and gains: nothing unavailable.
        XCTAssertNotNil(s.roc)
        XCTAssertEqual(s.importance?.count, cv.featureNames.count)
        XCTAssertNil(value(json, "unavailable.roc"))
    }

    func testUnavailableStageIsNullWithAReason() throws {
        var s = try FullEvaluationFixture.all.get()
        s.topN = nil
        s.unavailable.append((item: "topn", reason: "because \"quotes\" and \\ and \n newlines"))
        let json = try decode(s)
        XCTAssertTrue(json["topn"] is NSNull)
        XCTAssertEqual(value(json, "unavailable.topn") as? String, "because \"quotes\" and \\ and \n newlines")
        // A stage that was not selected has no key at all.
        s.stages = [.cv]
        let cvOnly = try decode(s)
        XCTAssertNil(cvOnly["topn"])
        XCTAssertNil(cvOnly["clusters"])
    }
}
