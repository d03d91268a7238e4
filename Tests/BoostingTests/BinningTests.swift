import Runtime
import XCTest
import Boosting

final class BinningTests: XCTestCase {
    /// Few distinct values: one bin per value, and the cut after a value is the next value.
    func testOneBinPerDistinctValue() throws {
        let x = try FeatureMatrix(rows: 7, columns: 1, columnMajor: [3, 1, 2, 3, .nan, 1, 5])
        let cuts = BinCuts.sketch(x, maxBin: 256)
        XCTAssertEqual(cuts.binCount(0), 4)
        XCTAssertEqual(Array(cuts.cuts.prefix(3)), [2, 3, 5])
        let b = BinnedMatrix(x, cuts: cuts)
        XCTAssertEqual(b.bins, [2, 0, 1, 2, 4, 0, 3])
    }

    /// Quantile cuts: at most maxBin bins, roughly equal counts, and the fast binning kernel
    /// agrees with a plain binary search for every value, including ±∞ and values beyond the
    /// sketched range.
    func testQuantileBinsAndKernelAgreeWithBinarySearch() throws {
        var rng = SplitMix64(seed: 3)
        let n = 20_000
        var v = (0..<n).map { _ in Float(rng.nextUnit() * 100 - 50) }
        v[0] = .infinity; v[1] = -.infinity; v[2] = .nan; v[3] = -0.0; v[4] = 0
        let x = try FeatureMatrix(rows: n, columns: 1, columnMajor: v)
        let cuts = BinCuts.sketch(x, maxBin: 64, sampleRows: 5000, seed: 9)
        XCTAssertLessThanOrEqual(cuts.binCount(0), 64)
        XCTAssertGreaterThan(cuts.binCount(0), 50)
        let b = BinnedMatrix(x, cuts: cuts, threads: 2)
        var counts = [Int](repeating: 0, count: cuts.binCount(0) + 1)
        for i in 0..<n {
            XCTAssertEqual(Int(b.bins[i]), cuts.bin(0, v[i]), "value \(v[i])")
            counts[Int(b.bins[i])] += 1
        }
        XCTAssertEqual(counts.last, 1, "one NaN → missing bin")
        let valueCounts = counts.dropLast()
        XCTAssertLessThan(Double(valueCounts.max() ?? 0), 2.0 * Double(n) / Double(valueCounts.count))
    }
}
