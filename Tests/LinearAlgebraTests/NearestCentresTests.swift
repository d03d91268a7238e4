import XCTest
@testable import LinearAlgebra

final class NearestCentresTests: XCTestCase {
    func naive(_ x: Matrix<Float>, _ c: Matrix<Float>) -> (labels: [Int32], dists: [Float]) {
        var labels: [Int32] = [], dists: [Float] = []
        for i in 0..<x.rows {
            var best = Double.infinity, label = 0
            for j in 0..<c.rows {
                var d = 0.0
                for p in 0..<x.cols { let t = Double(x[i, p]) - Double(c[j, p]); d += t * t }
                if d < best { best = d; label = j }
            }
            labels.append(Int32(label)); dists.append(Float(best))
        }
        return (labels, dists)
    }

    /// Dense and CSR rows on both backends equal the naive loop (labels where the best distance
    /// is clearly separated from the runner-up; distances within rounding), with a chunk size
    /// that does not divide the row count.
    func testDenseAndSparseMatchNaive() throws {
        for (i, s) in [(n: 0, d: 4, k: 3), (n: 1, d: 1, k: 1), (n: 37, d: 5, k: 4), (n: 101, d: 19, k: 9), (n: 64, d: 40, k: 17)].enumerated() {
            let sparse = randomSparse(rows: s.n, cols: s.d, density: 0.4, seed: UInt64(i))
            let x = sparse.densified()
            let c = Matrix<Float>.random(rows: s.k, cols: s.d, in: -0.5...0.5, seed: UInt64(i) + 3)
            let ref = naive(x, c)
            for backend in Backend.allCases {
                for result in [try nearestCentres(x, centres: c, chunkRows: 10, backend: backend, threads: 2),
                               try nearestCentres(sparse, centres: c, chunkRows: 10, backend: backend, threads: 2)] {
                    XCTAssertEqual(result.labels.count, s.n)
                    for r in 0..<s.n {
                        XCTAssertEqual(result.distances[r], ref.dists[r], accuracy: 1e-4, "\(backend) row \(r)")
                        XCTAssertGreaterThanOrEqual(result.distances[r], 0)
                        let l = Int(result.labels[r])
                        // The chosen centre is optimal up to rounding.
                        let chosen = naive(x.rows(r..<(r + 1)), c.rows(l..<(l + 1))).dists[0]
                        XCTAssertEqual(chosen, ref.dists[r], accuracy: 1e-4)
                    }
                }
            }
        }
    }

    /// Identical centres tie → the smaller index; a point on a centre gets distance exactly 0
    /// (clamped) rather than a tiny negative.
    func testTiesAndClamping() throws {
        let c = try Matrix<Float>([[1, 2, 3], [1, 2, 3], [0, 0, 0]])
        let x = try Matrix<Float>([[1, 2, 3], [0.1, 0, 0]])
        for backend in Backend.allCases {
            let r = try nearestCentres(x, centres: c, backend: backend)
            XCTAssertEqual(r.labels, [0, 2])
            XCTAssertEqual(r.distances[0], 0)
            XCTAssertEqual(r.distances[1], 0.01, accuracy: 1e-6)
        }
        XCTAssertThrowsError(try nearestCentres(x, centres: Matrix<Float>.zeros(rows: 0, cols: 3)))
        XCTAssertThrowsError(try nearestCentres(x, centres: Matrix<Float>.zeros(rows: 2, cols: 2)))
    }
}
