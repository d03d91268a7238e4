import Runtime
import XCTest
import Boosting

final class MetricTests: XCTestCase {
    /// AUC equals the fraction of (positive, negative) pairs ranked correctly, ties counting ½.
    func testAUCMatchesPairCount() {
        var rng = SplitMix64(seed: 1)
        let n = 300
        let preds = (0..<n).map { _ in Float(rng.nextBelow(20)) / 20 }   // many ties
        let labels = (0..<n).map { i in Float(rng.nextUnit() < 0.3 + 0.4 * Double(preds[i]) ? 1 : 0) }
        var good = 0.0, pairs = 0.0
        for i in 0..<n where labels[i] == 1 {
            for j in 0..<n where labels[j] == 0 {
                pairs += 1
                good += preds[i] > preds[j] ? 1 : (preds[i] == preds[j] ? 0.5 : 0)
            }
        }
        XCTAssertEqual(Metric.auc.evaluate(predictions: preds, labels: labels), good / pairs, accuracy: 1e-12)
    }

    func testRegressionMetrics() {
        XCTAssertEqual(Metric.rmse.evaluate(predictions: [1, 2, 3], labels: [1, 2, 5]), (4.0 / 3).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(Metric.mae.evaluate(predictions: [1, 2, 3], labels: [1, 0, 5]), 4.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(Metric.logloss.evaluate(predictions: [0.5, 0.5], labels: [0, 1]), log(2.0), accuracy: 1e-12)
        XCTAssertEqual(Metric.rmse.evaluate(predictions: [0, 10], labels: [0, 0], weights: [3, 1]), (100.0 / 4).squareRoot(), accuracy: 1e-12)
    }
}
