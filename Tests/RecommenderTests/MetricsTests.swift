import XCTest
import Runtime
@testable import Recommender

final class MetricsTests: XCTestCase {
    /// AUC by brute force over all positive/negative pairs (ties count one half).
    private func naiveAUC(_ s: [Float], _ y: [Float]) -> Double {
        var wins = 0.0, pairs = 0.0
        for i in s.indices where y[i] > 0.5 {
            for j in s.indices where y[j] <= 0.5 {
                pairs += 1
                if s[i] > s[j] { wins += 1 } else if s[i] == s[j] { wins += 0.5 }
            }
        }
        return wins / pairs
    }

    func testAUCMatchesPairCountingWithTies() {
        var rng = SplitMix64(seed: 7)
        for trial in 0..<20 {
            let n = 5 + trial * 7
            // Few distinct scores, so there are many ties.
            let s = (0..<n).map { _ in Float(rng.next() % 5) }
            var y = (0..<n).map { _ in Float(rng.next() % 2) }
            y[0] = 1; y[1] = 0
            XCTAssertEqual(Metrics.auc(scores: s, labels: y), naiveAUC(s, y), accuracy: 1e-12)
        }
    }

    func testAUCHandCases() {
        XCTAssertEqual(Metrics.auc(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1]), 0.75, accuracy: 1e-12)
        XCTAssertEqual(Metrics.auc(scores: [1, 1, 1, 1], labels: [0, 1, 0, 1]), 0.5, accuracy: 1e-12)
        XCTAssertEqual(Metrics.auc(scores: [0.9, 0.1], labels: [0, 1]), 0, accuracy: 1e-12)
        XCTAssertTrue(Metrics.auc(scores: [0.3, 0.2], labels: [1, 1]).isNaN)
        XCTAssertTrue(Metrics.auc(scores: [0.3], labels: [1, 0]).isNaN)
    }

    func testLoglossAccuracyRMSEMAEHandCases() {
        let p: [Float] = [0.9, 0.2, 0.6, 0.4]
        let y: [Float] = [1, 0, 0, 1]
        let expected = -(log(0.9) + log(0.8) + log(0.4) + log(0.4)) / 4
        XCTAssertEqual(Metrics.logloss(probabilities: p, labels: y), expected, accuracy: 1e-6)
        XCTAssertEqual(Metrics.accuracy(probabilities: p, labels: y), 0.5, accuracy: 1e-12)
        // Clipping keeps a confident mistake finite.
        XCTAssertTrue(Metrics.logloss(probabilities: [0], labels: [1]).isFinite)
        XCTAssertEqual(Metrics.rmse(predictions: [3, 4, 5], targets: [4, 4, 3]), (5.0 / 3).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(Metrics.mae(predictions: [3, 4, 5], targets: [4, 4, 3]), 1, accuracy: 1e-12)
        XCTAssertTrue(Metrics.rmse(predictions: [1], targets: []).isNaN)
        let ms = Metrics.meanAndStd([1, 2, 3, 4])
        XCTAssertEqual(ms.mean, 2.5, accuracy: 1e-12)
        XCTAssertEqual(ms.std, (5.0 / 3).squareRoot(), accuracy: 1e-12)
    }

    func testKFoldIsBalancedDeterministicAndSeedDependent() throws {
        let a = try KFoldSplit(count: 103, k: 5, seed: 1)
        let b = try KFoldSplit(count: 103, k: 5, seed: 1)
        let c = try KFoldSplit(count: 103, k: 5, seed: 2)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.fold, c.fold)
        let sizes = (0..<5).map { a.rows(in: $0).count }
        XCTAssertEqual(sizes.reduce(0, +), 103)
        XCTAssertLessThanOrEqual((sizes.max() ?? 0) - (sizes.min() ?? 0), 1)
        // Shuffled, not contiguous blocks.
        XCTAssertNotEqual(a.rows(in: 0), Array(0..<sizes[0]))
        XCTAssertThrowsError(try KFoldSplit(count: 3, k: 5, seed: 0))
        XCTAssertThrowsError(try KFoldSplit(count: 30, k: 1, seed: 0))
    }
}
