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

    /// Columns of one or two bins (binary flags, constants — binned with a single comparison)
    /// agree with `cuts.bin` for every value, including NaN, ±∞ and values the sketch never saw.
    func testOneAndTwoBinColumnsAgreeWithBinarySearch() throws {
        var rng = SplitMix64(seed: 4)
        let n = 70_000  // several row blocks
        let flag = (0..<n).map { _ in Float(rng.nextBelow(2)) }
        let constant = [Float](repeating: 7, count: n)
        let sketched = try FeatureMatrix(rows: n, columns: 3, columnMajor: flag + constant + flag.map { $0 == 0 ? .nan : 3 })
        let cuts = BinCuts.sketch(sketched, maxBin: 64)
        XCTAssertEqual(cuts.binCount(0), 2)
        XCTAssertEqual(cuts.binCount(1), 1)
        XCTAssertEqual(cuts.binCount(2), 1)
        // Bin other values with those cuts: both sides of every cut, the extremes, missing.
        let probes: [Float] = [-.infinity, -1, 0, 0.5, 1, 2, 7, 8, .infinity, .nan]
        let m = (0..<n).map { probes[$0 % probes.count] }
        let x = try FeatureMatrix(rows: n, columns: 3, columnMajor: m + m + m)
        let b = BinnedMatrix(x, cuts: cuts, threads: 2)
        for f in 0..<3 {
            for i in 0..<probes.count {
                XCTAssertEqual(Int(b.bins[f * n + i]), cuts.bin(f, m[i]), "feature \(f) value \(m[i])")
            }
        }
        XCTAssertEqual(Set(b.bins[0..<n]), [0, 1, 2])
    }

    /// max_bin 256 on a column without missing values gives 256 bins (as XGBoost's max_bin 256),
    /// with the cuts at ranks k·n/256 — for the values 0…n−1 exactly the values k·n/256 — and
    /// the last bin index 255 in use; one NaN anywhere (even outside the sketch sample) leaves
    /// 255 value bins and bin 255 for missing.
    func testDenseFeatureGets256BinsAtXGBoostRanks() throws {
        let n = 256 * 40
        var rng = SplitMix64(seed: 5)
        var v = (0..<n).map { Float($0) }
        for i in stride(from: n - 1, to: 0, by: -1) { v.swapAt(i, rng.nextBelow(i + 1)) }
        let x = try FeatureMatrix(rows: n, columns: 1, columnMajor: v)
        let cuts = BinCuts.sketch(x, maxBin: 256)
        XCTAssertEqual(cuts.binCount(0), 256)
        for k in 1..<256 { XCTAssertEqual(cuts.cut(0, k - 1), Float(k * 40), "cut \(k)") }
        XCTAssertGreaterThan(cuts.cut(0, 255), Float(n - 1))
        let b = BinnedMatrix(x, cuts: cuts)
        XCTAssertEqual(b.cuts, cuts)
        for i in 0..<n { XCTAssertEqual(Int(b.bins[i]), Int(v[i]) / 40) }

        var w = v
        w[n / 2 + 17] = .nan
        let xw = try FeatureMatrix(rows: n, columns: 1, columnMajor: w)
        // NaN in the sample (all rows), and (with probability 0.9) outside a 1000-row sample, which
        // still has more than 256 distinct values: the sketch must see the NaN on its own.
        for sample in [n, 1000] {
            let c = BinCuts.sketch(xw, maxBin: 256, sampleRows: sample, seed: 1)
            XCTAssertEqual(c.binCount(0), 255, "sample \(sample)")
            let bw = BinnedMatrix(xw, cuts: c)
            XCTAssertEqual(bw.cuts, c, "no bins merged: the sketch left room for missing")
            XCTAssertEqual(bw.bins[n / 2 + 17], 255)
            for i in 0..<n where !w[i].isNaN { XCTAssertLessThan(bw.bins[i], 255) }
        }
    }

    /// Cuts with 256 value bins applied to a matrix whose column has a NaN: the last two value
    /// bins merge, the NaN gets the missing bin, and every value agrees with `cuts.bin`.
    func testForeignCutsMakeRoomForMissing() throws {
        let n = 5_000
        var rng = SplitMix64(seed: 8)
        let dense = try FeatureMatrix(rows: n, columns: 2, columnMajor: (0..<(2 * n)).map { _ in Float(rng.nextUnit()) })
        let cuts = BinCuts.sketch(dense, maxBin: 256)
        XCTAssertEqual(cuts.binCount(0), 256)
        XCTAssertEqual(cuts.binCount(1), 256)
        var v = (0..<(2 * n)).map { _ in Float(rng.nextUnit() * 1.2 - 0.1) }
        v[n + 3] = .nan  // feature 1 only
        let other = try FeatureMatrix(rows: n, columns: 2, columnMajor: v)
        let b = BinnedMatrix(other, cuts: cuts)
        XCTAssertEqual(b.cuts.binCount(0), 256)
        XCTAssertEqual(b.cuts.binCount(1), 255)
        XCTAssertEqual(Array(b.cuts.cuts[256..<(256 + 254)]), Array(cuts.cuts[256..<(256 + 254)]))
        XCTAssertEqual(b.bins[n + 3], 255)
        for f in 0..<2 {
            for i in 0..<n { XCTAssertEqual(Int(b.bins[f * n + i]), b.cuts.bin(f, v[f * n + i]), "feature \(f) row \(i)") }
        }
        XCTAssertTrue((0..<n).contains { b.bins[$0] == 255 }, "feature 0 keeps its bin 255")
    }
}
