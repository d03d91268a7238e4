import Foundation
import Runtime
import XCTest
@testable import Recommender

/// The ROC curve behind the report's chart.
final class ReportROCTests: XCTestCase {
    func testHandComputedCurve() throws {
        // Scores 0.9(+) 0.8(−) 0.7(+) 0.7(−) 0.1(−): thresholds give (0,½) (⅓,½) (⅔,1) (1,1).
        let roc = try XCTUnwrap(ROCCurve(scores: [0.9, 0.8, 0.7, 0.7, 0.1], labels: [1, 0, 1, 0, 0]))
        XCTAssertEqual(roc.falsePositiveRate, [0, 0, 1.0 / 3, 2.0 / 3, 1], accuracy: 1e-12)
        XCTAssertEqual(roc.truePositiveRate, [0, 0.5, 0.5, 1, 1], accuracy: 1e-12)
        // Pairs: 0.9 beats all 3 negatives; 0.7(+) beats 0.1, ties 0.7(−) (½), loses to 0.8 → (3 + 1.5) / 6.
        XCTAssertEqual(roc.auc, 4.5 / 6, accuracy: 1e-12)
        XCTAssertEqual(roc.positives, 2)
        XCTAssertEqual(roc.negatives, 3)
    }

    func testAreaEqualsMannWhitneyAUCWithTies() throws {
        var rng = SplitMix64(seed: 11)
        for trial in 0..<50 {
            let n = 20 + Int(rng.next() % 300)
            // Coarse scores make many ties.
            let labels = (0..<n).map { _ in Float(rng.next() % 3 == 0 ? 1 : 0) }
            let scores = labels.map { y in Float(Int((rng.nextUnit() + Double(y) * 0.4) * 10)) / 10 }
            guard let roc = ROCCurve(scores: scores, labels: labels) else { continue }
            XCTAssertEqual(roc.auc, Metrics.auc(scores: scores, labels: labels), accuracy: 1e-9, "trial \(trial)")
            XCTAssertEqual(roc.falsePositiveRate.first, 0)
            XCTAssertEqual(roc.truePositiveRate.last, 1)
            XCTAssertEqual(roc.falsePositiveRate, roc.falsePositiveRate.sorted())
            XCTAssertEqual(roc.truePositiveRate, roc.truePositiveRate.sorted())
            let small = roc.downsampled(maxPoints: 7)
            XCTAssertLessThanOrEqual(small.falsePositiveRate.count, 7)
            XCTAssertEqual(small.falsePositiveRate.last, 1)
            XCTAssertEqual(small.truePositiveRate.first, 0)
            XCTAssertEqual(small.auc, roc.auc)
        }
    }

    func testUndefinedCurves() {
        XCTAssertNil(ROCCurve(scores: [0.1, 0.2], labels: [1, 1]))
        XCTAssertNil(ROCCurve(scores: [0.1], labels: [1, 0]))
        XCTAssertNil(ROCCurve(scores: [], labels: []))
        // Non-finite scores are ignored, not sorted into nonsense.
        XCTAssertEqual(ROCCurve(scores: [.nan, 0.9, 0.1], labels: [0, 1, 0])?.auc, 1)
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
