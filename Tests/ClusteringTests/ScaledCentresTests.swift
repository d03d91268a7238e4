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

    func check(_ points: Points, k: Int, weighted: Bool, seed: UInt64) throws {
        let n = points.n, d = points.d
        var rng = SplitMix64(seed: seed)
        let dense = (0..<n).map { points.denseRow($0).map(Double.init) }
        let weights: [Float]? = weighted ? (0..<n).map { _ in Float(0.5 + rng.nextUnit()) } : nil
        let initial = (0..<k).flatMap { _ in dense[rng.nextIndex(below: n)].map(Float.init) }
        var state = ScaledCentres(k: k, d: d, initial: initial)
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
        try check(.dense(x), k: 3, weighted: false, seed: 1)
        try check(.dense(x), k: 8, weighted: true, seed: 2)
    }

    func testSparseSeveralLaneBlocks() throws {
        let s = Fixtures.sparse(rows: 90, cols: 23, density: 0.3, seed: 7)
        try check(.sparse(s), k: 11, weighted: false, seed: 3)
        try check(.sparse(s), k: 17, weighted: true, seed: 4)
        try check(.sparse(s), k: 5, weighted: true, seed: 5)
    }
}
