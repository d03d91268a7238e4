import LinearAlgebra
import Runtime
import XCTest
@testable import Clustering

/// Mini-batch KMeans' lane-padded, lazily scaled centres against a naive double-precision
/// reference: nearest centres and distances of a batch, and the running-mean update.
final class ScaledCentresTests: XCTestCase {
    /// Naive state: explicit centres and absorbed masses.
    struct Naive {
        var centres: [[Double]]
        var mass: [Double]

        func nearest(_ row: [Double]) -> (Int, Double) {
            var best = 0, bestD = Double.infinity
            for (j, c) in centres.enumerated() {
                var s = 0.0
                for i in row.indices { s += (row[i] - c[i]) * (row[i] - c[i]) }
                if s < bestD { bestD = s; best = j }
            }
            return (best, bestD)
        }

        mutating func update(_ rows: [[Double]], labels: [Int32], weights: [Double]) {
            var batchMass = [Double](repeating: 0, count: centres.count)
            var sums = centres.map { [Double](repeating: 0, count: $0.count) }
            for (b, row) in rows.enumerated() {
                let j = Int(labels[b])
                batchMass[j] += weights[b]
                for i in row.indices { sums[j][i] += weights[b] * row[i] }
            }
            for j in centres.indices where batchMass[j] > 0 {
                let newMass = mass[j] + batchMass[j]
                for i in centres[j].indices { centres[j][i] = (centres[j][i] * mass[j] + sums[j][i]) / newMass }
                mass[j] = newMass
            }
        }
    }

    func check(_ points: Points, k: Int, weighted: Bool, seed: UInt64, mirror: Bool) throws {
        let n = points.n, d = points.d
        var rng = SplitMix64(seed: seed)
        let dense = (0..<n).map { points.denseRow($0).map(Double.init) }
        let weights: [Float]? = weighted ? (0..<n).map { _ in Float(0.5 + rng.nextUnit()) } : nil
        let initial = (0..<k).flatMap { _ in dense[rng.nextIndex(below: n)].map(Float.init) }
        var state = ScaledCentres(k: k, d: d, initial: initial, mirror: mirror)
        var naive = Naive(centres: (0..<k).map { j in (0..<d).map { Double(initial[j * d + $0]) } },
                          mass: [Double](repeating: 0, count: k))
        let norms = points.squaredNorms(backend: .swift, threads: 1)
        let batchSize = 37
        var labels = [Int32](repeating: 0, count: batchSize)
        var dist = [Double](repeating: 0, count: batchSize)
        for step in 0..<6 {
            let batch = (0..<batchSize).map { _ in rng.nextIndex(below: n) }
            state.assign(points, rows: batch, rowNorms: norms, labels: &labels, distances: &dist, threads: 2)
            for (b, i) in batch.enumerated() {
                let (j, dd) = naive.nearest(dense[i])
                let scale = max(1, dense[i].reduce(0) { $0 + $1 * $1 })
                // Labels agree unless two centres are within rounding of each other.
                if Int(labels[b]) != j {
                    let other = naive.nearest(dense[i]).1
                    var alt = 0.0
                    for c in 0..<d { alt += (dense[i][c] - naive.centres[Int(labels[b])][c]) * (dense[i][c] - naive.centres[Int(labels[b])][c]) }
                    XCTAssertEqual(alt, other, accuracy: 1e-6 * scale, "step \(step) row \(i): label \(labels[b]) vs \(j)")
                }
                XCTAssertEqual(dist[b], dd, accuracy: 1e-6 * scale, "step \(step) row \(i)")
            }
            state.update(points, rows: batch, labels: labels, weights: weights)
            naive.update(batch.map { dense[$0] }, labels: labels, weights: batch.map { i in weights.map { Double($0[i]) } ?? 1 })
            let got = state.materialised()
            for j in 0..<k {
                for c in 0..<d {
                    XCTAssertEqual(Double(got[j * d + c]), naive.centres[j][c], accuracy: 1e-5 * max(1, abs(naive.centres[j][c])),
                                   "step \(step) centre \(j) column \(c)")
                }
            }
            // The kept norms describe the centres: s_j²·‖u_j‖² = ‖c_j‖².
            for j in 0..<k {
                let expected = naive.centres[j].reduce(0) { $0 + $1 * $1 }
                XCTAssertEqual(state.scale[j] * state.scale[j] * state.uNorms[j], expected, accuracy: 1e-6 * max(1, expected), "centre \(j)")
            }
        }
    }

    func testDenseOneLaneBlock() throws {
        let (x, _) = Fixtures.blobs(centres: [[0, 0, 0], [5, 5, 0], [0, 5, 5]], perBlob: 40, spread: 1, seed: 3)
        for mirror in [false, true] {
            try check(.dense(x), k: 3, weighted: false, seed: 1, mirror: mirror)
            try check(.dense(x), k: 8, weighted: true, seed: 2, mirror: mirror)
        }
    }

    func testSparseSeveralLaneBlocks() throws {
        let s = Fixtures.sparse(rows: 90, cols: 23, density: 0.3, seed: 7)
        for mirror in [false, true] {
            try check(.sparse(s), k: 11, weighted: false, seed: 3, mirror: mirror)
            try check(.sparse(s), k: 17, weighted: true, seed: 4, mirror: mirror)
            try check(.sparse(s), k: 5, weighted: true, seed: 5, mirror: mirror)
        }
    }

    /// The float-mirror assignment labels every row exactly as the double-precision one, also
    /// with duplicated and nearly duplicated centres (near ties that need the double re-check),
    /// through updates that shrink the scales; its distances are the double ones to ~1e-6.
    func checkFloatEqualsExact(_ points: Points, k: Int, seed: UInt64, perturbation: Float) {
        let n = points.n, d = points.d
        var rng = SplitMix64(seed: seed)
        let first = rng.nextIndex(below: n)
        var initial = points.denseRow(first) + (1..<k).flatMap { _ in points.denseRow(rng.nextIndex(below: n)) }
        // Centre 1 duplicates centre 0; centre 2 is centre 0 nudged by `perturbation`.
        for c in 0..<d {
            initial[d + c] = initial[c]
            initial[2 * d + c] = initial[c] + (c % 2 == 0 ? perturbation : -perturbation)
        }
        var state = ScaledCentres(k: k, d: d, initial: initial, mirror: true)
        XCTAssertTrue(state.usesMirror)
        let norms = points.squaredNorms(backend: .swift, threads: 1)
        let batchSize = 300
        var fast = [Int32](repeating: 0, count: batchSize), exact = fast
        var fastD = [Double](repeating: 0, count: batchSize), exactD = fastD
        for step in 0..<5 {
            var batch = (0..<batchSize).map { _ in rng.nextIndex(below: n) }
            // The row that seeded centre 0 ties exactly between centres 0 and 1.
            if step == 0 { batch[0] = first }
            for threads in [1, 2] {
                state.assign(points, rows: batch, rowNorms: norms, labels: &fast, distances: &fastD, threads: threads)
                state.assignExact(points, rows: batch, rowNorms: norms, labels: &exact, distances: &exactD)
                XCTAssertEqual(fast, exact, "step \(step), \(threads) threads")
                for b in 0..<batchSize {
                    XCTAssertEqual(fastD[b], exactD[b], accuracy: 1e-5 * max(1, Double(norms[batch[b]])), "step \(step) row \(batch[b])")
                }
            }
            if step == 0 {
                // An exact tie goes to the lower index: centre 1 (a copy of 0) wins no row.
                XCTAssertEqual(exact[0], 0)
                XCTAssertFalse(exact.contains(1))
            }
            state.update(points, rows: batch, labels: exact, weights: nil)
        }
    }

    func testFloatAssignmentEqualsExactSparse() {
        let s = Fixtures.sparse(rows: 400, cols: 300, density: 0.2, seed: 21)
        checkFloatEqualsExact(.sparse(s), k: 8, seed: 1, perturbation: 1e-6)
        checkFloatEqualsExact(.sparse(s), k: 8, seed: 2, perturbation: 1e-3)
        checkFloatEqualsExact(.sparse(s), k: 13, seed: 3, perturbation: 1e-5)
    }

    func testFloatAssignmentEqualsExactDense() throws {
        // Large offsets make ‖x‖² and ‖c‖² dwarf the distances (cancellation in ‖x‖² − 2x·c + ‖c‖²).
        let (x, _) = Fixtures.blobs(centres: [[1000, 1000, 0, 5], [1005, 1000, 0, 5], [1000, 1003, 2, 5]], perBlob: 60, spread: 1, seed: 4)
        checkFloatEqualsExact(.dense(x), k: 6, seed: 4, perturbation: 1e-4)
        checkFloatEqualsExact(.dense(x), k: 9, seed: 5, perturbation: 0.5)
    }

    /// The bound proves clear winners and refuses exact and near ties.
    func testLaneBoundsRefuseTies() {
        let d = 4
        for k in [3, 11] {
            // Centres 0, 1, 2 at the origin, 10·e₀ and 10·e₁; the others far away.
            var initial = [Float](repeating: 0, count: k * d)
            initial[d] = 10
            initial[2 * d + 1] = 10
            for j in 3..<k { initial[j * d + 3] = 100 + Float(j) }
            let state = ScaledCentres(k: k, d: d, initial: initial)
            let bounds = LaneBounds(state)
            let blocks = state.kp / 8
            func proven(_ row: [Float]) -> Int32? {
                withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: blocks) { acc in
                    withUnsafeTemporaryAllocation(of: SIMD8<Double>.self, capacity: 2 * blocks) { fe in
                        for q in 0..<blocks { acc[q] = SIMD8() }
                        for j in 0..<k { for c in 0..<d { acc[j / 8][j % 8] += row[c] * initial[j * d + c] } }
                        return bounds.nearest(acc, rowNorm: row.reduce(0) { $0 + $1 * $1 }, values: d, scratch: fe)?.0
                    }
                }
            }
            XCTAssertEqual(proven([9, 1, 0, 0]), 1, "k = \(k)")
            XCTAssertEqual(proven([1, 8, 0, 0]), 2, "k = \(k)")
            XCTAssertEqual(proven([1, 1, 0, 0]), 0, "k = \(k)")
            XCTAssertEqual(proven([0, 0, 0, 99]), k == 3 ? 0 : 3, "k = \(k)")
            XCTAssertNil(proven([5, 5, 0, 0]), "equidistant from centres 1 and 2, k = \(k)")
            XCTAssertNil(proven([5, 5.000001, 3, 0]), "within float rounding of a tie, k = \(k)")
        }
    }
}
