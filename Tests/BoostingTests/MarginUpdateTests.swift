import XCTest
@testable import Boosting
import Runtime

/// The training-margin update (leaf ranges, unpartitioned last-level splits, the batched walk of
/// unsampled rows on their bins) against predicting each row from its float features.
final class MarginUpdateTests: XCTestCase {
    /// `rows` × 9 features: four of up to 400 values, five of 2–6 values, about 4% missing.
    private func matrix(rows n: Int, seed: UInt64) throws -> FeatureMatrix {
        var rng = SplitMix64(seed: seed)
        var values = [Float](repeating: 0, count: n * 9)
        for f in 0..<9 {
            for i in 0..<n {
                let u = rng.nextUnit()
                let v = f < 4 ? Float((u * 400).rounded()) / 100 : Float(Int(u * Double(2 + f - 4)))
                values[f * n + i] = rng.nextUnit() < 0.04 ? .nan : v
            }
        }
        return try FeatureMatrix(rows: n, columns: 9, columnMajor: values)
    }

    /// After growing a tree on a row sample, the margin update adds to every row — sampled (leaf
    /// ranges and the unpartitioned splits of the last level) or not (the bin walk) — exactly the
    /// value of the leaf that predicting the row from its float features reaches; depth-wise and
    /// loss-guided, 1 and 2 threads.
    func testMarginUpdateAddsEachRowsLeafValue() throws {
        let n = 3 * RowSample.blockRows + 77
        let x = try matrix(rows: n, seed: 23)
        let b = BinnedMatrix(x, cuts: BinCuts.sketch(x, maxBin: 16, sampleRows: 1 << 18, seed: 2))
        for (policy, maxLeaves) in [(GrowPolicy.depthwise, 0), (.lossguide, 12)] {
            for threads in [1, 2] {
                let builder = TreeBuilder(binned: b, settings: .init(
                    rule: SplitRule(lambda: 1, alpha: 0, gamma: 0, minChildWeight: 1), eta: 0.3, maxDepth: 4,
                    maxLeaves: maxLeaves, policy: policy, threads: threads))
                let p = builder.partitioner
                var rng = SplitMix64(seed: 8)
                var sampled = [Bool](repeating: false, count: n)
                var count = 0
                for i in 0..<n {
                    // A label-like signal in the gradients so the tree has structure.
                    let v0 = x.values[i], v5 = x.values[5 * n + i]
                    let g = Float((v0.isNaN ? 0 : v0) - 2) + (v5 == 1 ? 1 : 0) + Float(rng.nextUnit() - 0.5)
                    guard rng.nextUnit() < 0.7 else { continue }
                    sampled[i] = true
                    p.rowIndex[count] = UInt32(i)
                    p.gradients[count] = SIMD2(g, 1)
                    count += 1
                }
                let tree = builder.grow(rowCount: count, identity: false, features: Array(0..<9))
                XCTAssertGreaterThan(tree.leafCount, 6)
                if policy == .depthwise {
                    XCTAssertTrue(builder.leafRanges.contains { $0.split != nil }, "last-level splits are unpartitioned")
                }
                var margins = [Float](repeating: 0, count: n)
                margins.withUnsafeMutableBufferPointer { m in
                    MarginUpdate.addSampled(tree: tree, leafRows: builder.leafRanges, rowIndex: p.rowIndex, binned: b,
                                            margins: m.baseAddress!, threads: threads)
                    sampled.withUnsafeBufferPointer { s in
                        MarginUpdate.addUnsampled(tree: tree, sampled: s, binned: b, margins: m.baseAddress!, threads: threads)
                    }
                }
                var wrong = 0
                for i in 0..<n {
                    let leaf = tree.leaf { x.values[$0 * n + i] }
                    if margins[i] != tree.value[leaf] { wrong += 1 }
                }
                XCTAssertEqual(wrong, 0, "\(policy) \(threads) threads")
            }
        }
    }
}
