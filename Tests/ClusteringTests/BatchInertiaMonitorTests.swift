import XCTest
@testable import Clustering

final class BatchInertiaMonitorTests: XCTestCase {
    /// Hand-computed: alpha = min(1, 2·4/(7+1)) = 1, so the average is the last value; the first
    /// (seeding) value never counts, so a huge first value cannot become the minimum.
    func testFirstStepIgnoredAndStopsAfterPlateau() {
        var m = BatchInertiaMonitor(batchSize: 4, rows: 7, maxNoImprovement: 2)
        XCTAssertEqual(m.alpha, 1)
        XCTAssertFalse(m.observe(meanBatchInertia: 1e9))  // seeding: ignored
        XCTAssertFalse(m.observe(meanBatchInertia: 5))    // first average: new minimum
        XCTAssertFalse(m.observe(meanBatchInertia: 6))    // 1 without improvement
        XCTAssertFalse(m.observe(meanBatchInertia: 4))    // new minimum, counter reset
        XCTAssertFalse(m.observe(meanBatchInertia: 4))    // equal is no improvement: 1
        XCTAssertTrue(m.observe(meanBatchInertia: 7))     // 2: stop
        XCTAssertEqual(m.history, [5, 6, 4, 4, 7])
    }

    /// Against a direct transcription of scikit-learn's rule with a fractional alpha.
    func testMatchesReferenceRule() {
        let values: [Double] = [100, 9, 8.5, 8.7, 8.2, 8.4, 8.3, 8.35, 8.3, 8.6, 8.5, 8.45, 8.4, 8.4, 8.5]
        let batch = 3, n = 20, patience = 3
        var m = BatchInertiaMonitor(batchSize: batch, rows: n, maxNoImprovement: patience)
        var stoppedAt: Int?
        for (i, v) in values.enumerated() where m.observe(meanBatchInertia: v) { stoppedAt = i; break }

        // Reference: skip step 1, EWA from step 2, stop after `patience` steps without a new minimum.
        let alpha = min(1, Double(batch) * 2 / Double(n + 1))
        var ewa: Double?, ewaMin: Double?, bad = 0
        var refStop: Int?, refHistory: [Double] = []
        for (i, v) in values.enumerated() where i > 0 {
            ewa = ewa.map { $0 * (1 - alpha) + v * alpha } ?? v
            refHistory.append(ewa ?? 0)
            if ewaMin == nil || (ewa ?? 0) < (ewaMin ?? 0) { ewaMin = ewa; bad = 0 } else { bad += 1 }
            if bad >= patience { refStop = i; break }
        }
        XCTAssertNotNil(refStop)
        XCTAssertEqual(stoppedAt, refStop)
        XCTAssertEqual(m.history, refHistory)
    }
}
