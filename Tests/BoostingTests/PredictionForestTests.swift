import XCTest
import Runtime
@testable import Boosting

/// The batch predictor (`PredictionForest`: leaves as self-loops, constant columns folded into
/// the trees) against the one-row walk of the model's own node array (`predictMargin(row:)`,
/// which stops at leaves and knows nothing of specialisation). Every comparison is bitwise.
final class PredictionForestTests: XCTestCase {
    /// A model of 25 depth-6 trees on 6 columns with missing values (uneven leaf depths).
    private func model() throws -> BoostedModel {
        let d = try Synthetic.make(rows: 3000, columns: 6, seed: 77, binary: true, missingRate: 0.1)
        var p = BoostingParameters()
        p.rounds = 25; p.maxDepth = 6; p.minChildWeight = 3
        return try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
    }

    /// The margins of the column-major `values` row by row through `predictMargin(row:)`.
    private func scalarMargins(_ m: BoostedModel, _ values: [Float], rows: Int) -> [Float] {
        (0..<rows).map { i in
            let row = (0..<m.featureCount).map { values[$0 * rows + i] }
            return row.withUnsafeBufferPointer { m.predictMargin(row: $0) }
        }
    }

    /// Random rows: values from the trees' own thresholds (ties go right), their neighbours,
    /// NaN and uniform noise.
    private func rows(_ m: BoostedModel, count n: Int, seed: UInt64) -> [Float] {
        var thresholds = [[Float]](repeating: [], count: m.featureCount)
        for t in m.trees { for i in 0..<t.count where t.feature[i] >= 0 { thresholds[Int(t.feature[i])].append(t.threshold[i]) } }
        var rng = SplitMix64(seed: seed)
        var values = [Float](repeating: 0, count: n * m.featureCount)
        for f in 0..<m.featureCount {
            for i in 0..<n {
                let u = rng.nextUnit()
                let v: Float
                if u < 0.1 {
                    v = .nan
                } else if u < 0.5, !thresholds[f].isEmpty {
                    let t = thresholds[f][rng.nextBelow(thresholds[f].count)]
                    v = [t, t.nextDown, t.nextUp][rng.nextBelow(3)]
                } else {
                    v = Float(rng.nextUnit() * 5 - 2.5)
                }
                values[f * n + i] = v
            }
        }
        return values
    }

    func testBatchEqualsTheOneRowWalk() throws {
        let m = try model()
        XCTAssertGreaterThan(Set(m.trees.map(\.depth)).count + m.trees.map(\.leafCount).filter { $0 < 64 }.count, 1)
        for n in [1, 7, 8, 63, 1500, 5000] {
            let values = rows(m, count: n, seed: UInt64(n))
            let x = try FeatureMatrix(rows: n, columns: m.featureCount, columnMajor: values)
            let reference = scalarMargins(m, values, rows: n)
            for threads in [1, 2] {
                XCTAssertEqual(try m.predictMargins(x, threads: threads).map(\.bitPattern), reference.map(\.bitPattern), "\(n) rows, \(threads) threads")
                var rowMajor = [Float](repeating: 0, count: values.count)
                for i in 0..<n { for f in 0..<m.featureCount { rowMajor[i * m.featureCount + f] = values[f * n + i] } }
                XCTAssertEqual(try m.predictMargins(rowMajor: rowMajor, rows: n, threads: threads).map(\.bitPattern),
                               reference.map(\.bitPattern), "row-major, \(n) rows, \(threads) threads")
            }
        }
    }

    /// Columns constant over a large block (a threshold itself, NaN, a plain value) are folded
    /// into the trees — the forest shrinks — and every margin stays the one-row walk's.
    func testConstantColumnsAreFoldedWithIdenticalMargins() throws {
        let m = try model()
        let n = 3000
        let split = m.trees[0].feature[0]
        let rootThreshold = m.trees[0].threshold[0]
        for (constants, label) in [([Int(split): rootThreshold, 4: Float.nan], "threshold + NaN"),
                                   ([1: 0.37, 2: -1.2, 3: Float.nan], "three columns"),
                                   ([0: 5, 1: 5, 2: 5, 3: 5, 4: 5, 5: 5], "every column")] {
            var values = rows(m, count: n, seed: 9)
            for (f, v) in constants { for i in 0..<n { values[f * n + i] = v } }
            let x = try FeatureMatrix(rows: n, columns: m.featureCount, columnMajor: values)
            let reference = scalarMargins(m, values, rows: n)
            for threads in [1, 2] {
                XCTAssertEqual(try m.predictMargins(x, threads: threads).map(\.bitPattern), reference.map(\.bitPattern), "\(label), \(threads) threads")
            }
            let fixed = try XCTUnwrap(values.withUnsafeBufferPointer {
                PredictionForest.constantColumns(of: m.trees, values: $0, rows: n, columns: m.featureCount)
            })
            let used = Set(m.trees.flatMap { $0.feature.filter { $0 >= 0 }.map(Int.init) })
            XCTAssertEqual(Set(fixed.isFixed.indices.filter { fixed.isFixed[$0] }), Set(constants.keys).intersection(used), label)
            let folded = PredictionForest(trees: m.trees, fixed: fixed)
            let full = PredictionForest(trees: m.trees)
            XCTAssertLessThan(folded.nodes.count, full.nodes.count, label)
            XCTAssertLessThanOrEqual(folded.depths.reduce(0, +), full.depths.reduce(0, +), label)
            if constants.count == m.featureCount {
                // Every feature fixed: every tree is a single leaf.
                XCTAssertEqual(folded.nodes.count, m.trees.count)
                XCTAssertEqual(folded.depths, [Int](repeating: 0, count: m.trees.count))
            }
        }
    }

    /// The unspecialised forest walks the same leaves as the model's node array: depths match
    /// `Tree.depth`, and a block that is constant only below 1,024 rows is not folded.
    func testLayoutAndSmallBlocks() throws {
        let m = try model()
        let full = PredictionForest(trees: m.trees)
        XCTAssertEqual(full.depths, m.trees.map(\.depth))
        XCTAssertEqual(full.nodes.count, m.trees.reduce(0) { $0 + $1.count })
        XCTAssertEqual(full.leafValues.filter { $0 != 0 }.count, m.trees.reduce(0) { sum, t in sum + t.value.indices.filter { t.feature[$0] < 0 && t.value[$0] != 0 }.count })
        let n = 100
        var values = rows(m, count: n, seed: 3)
        for i in 0..<n { values[i] = 0.25 }
        let x = try FeatureMatrix(rows: n, columns: m.featureCount, columnMajor: values)
        XCTAssertEqual(try m.predictMargins(x).map(\.bitPattern), scalarMargins(m, values, rows: n).map(\.bitPattern))
        // An empty model predicts the base margin.
        let empty = BoostedModel(objective: .squaredError, baseScore: 0.5, featureNames: ["a"], trees: [])
        XCTAssertEqual(try empty.predictMargins(FeatureMatrix(rows: 2000, columns: 1, columnMajor: [Float](repeating: 1, count: 2000))),
                       [Float](repeating: empty.baseMargin, count: 2000))
    }
}
