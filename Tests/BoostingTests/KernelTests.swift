import XCTest
@testable import Boosting
import Runtime
import TestSupport

/// The training kernels against naive references: the row partitioner against a stable
/// filter, the histogram builder (gathered, row-major path) against double sums and against
/// its own sequential (column-major) path.
final class KernelTests: XCTestCase {
    /// A binned matrix of `rows` × `columns` with about 5% missing values.
    private func binned(rows: Int, columns: Int, seed: UInt64) throws -> BinnedMatrix {
        let d = try Synthetic.make(rows: rows, columns: columns, seed: seed, binary: true, missingRate: 0.05)
        return BinnedMatrix(d.features, cuts: BinCuts.sketch(d.features, maxBin: 32, sampleRows: 1 << 18, seed: seed))
    }

    /// Every split rule, over several blocks (rows > `RowPartitioner.blockRows`), on a sub-range
    /// of a shuffled partition: the result is the stable filter of the rows (and their
    /// gradients travel with them), for 1 and 2 threads.
    func testPartitionIsTheStableFilter() throws {
        let n = 3 * RowPartitioner.blockRows + 1_234
        let b = try binned(rows: n, columns: 3, seed: 5)
        var rng = SplitMix64(seed: 9)
        var order = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, rng.nextBelow(i + 1)) }
        let range = 777..<(n - 55)
        for threads in [1, 2] {
            for (feature, splitBin, defaultLeft) in [(0, 3, false), (1, 15, true), (2, -1, true), (2, 40, false)] {
                let p = RowPartitioner(capacity: n)
                for i in 0..<n {
                    p.rowIndex[i] = UInt32(order[i])
                    p.gradients[i] = SIMD2(Float(order[i]), Float(i))
                }
                let missing = b.cuts.binCount(feature)
                func goesLeft(_ row: Int) -> Bool {
                    let bin = Int(b.bins[feature * n + row])
                    return bin == missing ? defaultLeft : bin <= splitBin
                }
                let rows = range.map { order[$0] }
                let expected = rows.filter(goesLeft) + rows.filter { !goesLeft($0) }
                let expectedGrad = range.filter { goesLeft(order[$0]) } + range.filter { !goesLeft(order[$0]) }
                let mid = b.bins.withUnsafeBufferPointer { bb in
                    p.partition(range: range, column: bb.baseAddress! + feature * n, splitBin: splitBin,
                                missingBin: missing, defaultLeft: defaultLeft, threads: threads)
                }
                XCTAssertEqual(mid - range.lowerBound, rows.filter(goesLeft).count)
                XCTAssertEqual(range.map { Int(p.rowIndex[$0]) }, expected, "feature \(feature) bin \(splitBin)")
                XCTAssertEqual(range.map { Int(p.gradients[$0].y) }, expectedGrad)
                XCTAssertEqual(range.map { Int(p.gradients[$0].x) }, expected)
                // Outside the range nothing moves.
                for i in 0..<range.lowerBound { XCTAssertEqual(Int(p.rowIndex[i]), order[i]) }
                for i in range.upperBound..<n { XCTAssertEqual(Int(p.rowIndex[i]), order[i]) }
            }
        }
    }

    /// The histogram of a scattered subset of rows (gathered from the row-major bins, with a
    /// feature subset that is not a multiple of four) equals the double-precision sums of its
    /// rows' gradients per bin, for 1 and 2 threads bitwise alike; and the gathered path over
    /// all rows in order is bitwise the sequential path.
    func testHistogramMatchesNaiveSumsAndSequentialPath() throws {
        let n = 2 * HistogramBuilder.blockRows + 999
        let columns = 7
        let b = try binned(rows: n, columns: columns, seed: 21)
        let h = HistogramBuilder(binned: b)
        let p = RowPartitioner(capacity: n)
        var rng = SplitMix64(seed: 3)
        var count = 0
        for i in 0..<n where rng.nextUnit() < 0.6 {
            p.rowIndex[count] = UInt32(i)
            p.gradients[count] = SIMD2(Float(rng.nextUnit() * 2 - 1), Float(rng.nextUnit()))
            count += 1
        }
        let features = [0, 2, 3, 4, 5, 6]
        var hists: [[GradSum]] = []
        for threads in [1, 2] {
            var out = [GradSum](repeating: GradSum(-7, -7), count: h.totalBins)
            out.withUnsafeMutableBufferPointer { o in
                h.build(range: 0..<count, rowIndex: p.rowIndex, gradients: p.gradients, identity: false,
                        features: features, threads: threads, out: o.baseAddress!)
            }
            hists.append(out)
        }
        XCTAssertEqual(hists[0], hists[1], "thread count must not change the histogram")
        var naive = [GradSum](repeating: GradSum(0, 0), count: h.totalBins)
        for k in 0..<count {
            let r = Int(p.rowIndex[k]), g = p.gradients[k]
            for f in features { naive[h.offsets[f] + Int(b.bins[f * n + r])] += GradSum(Double(g.x), Double(g.y)) }
        }
        for f in features {
            for bin in h.offsets[f]..<h.offsets[f + 1] {
                XCTAssertEqual(hists[0][bin].x, naive[bin].x, accuracy: 1e-3, "feature \(f) bin \(bin)")
                XCTAssertEqual(hists[0][bin].y, naive[bin].y, accuracy: 1e-3, "feature \(f) bin \(bin)")
            }
        }
        // Feature 1 was not requested: its bins are left alone.
        for bin in h.offsets[1]..<h.offsets[2] { XCTAssertEqual(hists[0][bin], GradSum(-7, -7)) }

        // All rows in order: gathered (identity false) and sequential (identity true) agree bitwise.
        for i in 0..<n {
            p.rowIndex[i] = UInt32(i)
            p.gradients[i] = SIMD2(Float(rng.nextUnit() * 2 - 1), Float(rng.nextUnit()))
        }
        let all = Array(0..<columns)
        var seq = [GradSum](repeating: GradSum(0, 0), count: h.totalBins)
        var gat = seq
        seq.withUnsafeMutableBufferPointer { o in
            h.build(range: 0..<n, rowIndex: p.rowIndex, gradients: p.gradients, identity: true, features: all, threads: 2, out: o.baseAddress!)
        }
        gat.withUnsafeMutableBufferPointer { o in
            h.build(range: 0..<n, rowIndex: p.rowIndex, gradients: p.gradients, identity: false, features: all, threads: 2, out: o.baseAddress!)
        }
        XCTAssertEqual(seq.map { $0.x.bitPattern }, gat.map { $0.x.bitPattern })
        XCTAssertEqual(seq.map { $0.y.bitPattern }, gat.map { $0.y.bitPattern })
    }
}
