import XCTest
import Runtime
@testable import LinearAlgebra

/// The Swift register kernel of `nearestCentres` (transposed padded centres, SIMD8 tiles, fused
/// argmin) against a naive double-precision loop.
final class NearestCentresRegisterTests: XCTestCase {
    /// Every centre's squared distance to every row, in double precision.
    func allDistances(_ x: Matrix<Float>, _ c: Matrix<Float>) -> [[Double]] {
        (0..<x.rows).map { i in
            (0..<c.rows).map { j in
                var d = 0.0
                for p in 0..<x.cols { let t = Double(x[i, p]) - Double(c[j, p]); d += t * t }
                return d
            }
        }
    }

    /// k = 1, 3, 8, 9, 17 (one tile, a partial tile, two and three tiles), row counts that are not
    /// multiples of the 4-row step, CSR with empty rows and dense: distances equal the naive ones
    /// within rounding, the label is the naive argmin whenever the runner-up is not within
    /// rounding of it, and the chosen centre is always optimal up to rounding.
    func testMatchesNaiveForManyK() throws {
        var seed: UInt64 = 40
        for k in [1, 3, 8, 9, 17] {
            for (n, d) in [(1, 1), (7, 5), (103, 19), (66, 41)] where n >= 1 {
                seed += 1
                let sparse = randomSparse(rows: n, cols: d, density: 0.3, seed: seed)
                let x = sparse.densified()
                let c = Matrix<Float>.random(rows: k, cols: d, in: -1...3, seed: seed + 100)
                let ref = allDistances(x, c)
                for result in [try nearestCentres(x, centres: c, backend: .swift, threads: 2),
                               try nearestCentres(sparse, centres: c, backend: .swift, threads: 2)] {
                    XCTAssertEqual(result.labels.count, n)
                    for i in 0..<n {
                        let best = ref[i].min() ?? 0
                        let label = Int(result.labels[i])
                        let tol = 1e-4 * max(1, best)
                        XCTAssertEqual(Double(result.distances[i]), best, accuracy: tol, "k \(k) n \(n) row \(i)")
                        XCTAssertEqual(ref[i][label], best, accuracy: tol, "k \(k) row \(i): centre \(label) not nearest")
                        let clear = ref[i].enumerated().allSatisfy { $0.offset == label || $0.element > best + 10 * tol }
                        if let naive = ref[i].firstIndex(of: best), clear {
                            XCTAssertEqual(label, naive, "k \(k) n \(n) row \(i)")
                        }
                    }
                }
            }
        }
    }

    /// Identical centres in different tiles tie → the lower index, on both layouts; a row equal to
    /// a centre gets distance exactly 0.
    func testTiesGoToLowerIndexAcrossTiles() throws {
        let d = 3
        var rows = (0..<17).map { j in [Float(j), Float(2 * j), 1] }
        rows[11] = rows[4]  // centre 11 (second tile) duplicates centre 4
        rows[16] = rows[4]  // and centre 16 (third tile)
        let c = try Matrix<Float>(rows)
        let x = try Matrix<Float>([rows[4], [4.1, 8, 1], [0, 0, 1], rows[16].map { $0 + 0.01 }, [100, 100, 100]])
        for result in [try nearestCentres(x, centres: c, backend: .swift, threads: 1),
                       try nearestCentres(SparseMatrix(dense: x), centres: c, backend: .swift, threads: 1)] {
            XCTAssertEqual(result.labels, [4, 4, 0, 4, 15], "d = \(d)")
            XCTAssertEqual(result.distances[0], 0)
        }
    }

    /// Both backends agree (labels exactly on well-separated data), and given row norms change
    /// nothing; a row-norm count that does not match the rows is an error.
    func testBackendsAgreeAndRowNormsAreChecked() throws {
        let x = Matrix<Float>.random(rows: 301, cols: 12, in: 0...1, seed: 9)
        var cRows = [[Float]]()
        for j in 0..<9 { cRows.append((0..<12).map { Float(j) * 0.1 + Float($0 % 3) * 0.05 }) }
        let c = try Matrix<Float>(cRows)
        let sparse = SparseMatrix(dense: x)
        let norms = rowNormsSquared(x, backend: .swift, threads: 1)
        let swiftDense = try nearestCentres(x, centres: c, backend: .swift, threads: 2)
        XCTAssertEqual(try nearestCentres(x, centres: c, rowNormsSquared: norms, backend: .swift, threads: 2), swiftDense)
        XCTAssertEqual(try nearestCentres(sparse, centres: c, rowNormsSquared: sparse.rowNormsSquared(backend: .swift),
                                          backend: .swift, threads: 2),
                       try nearestCentres(sparse, centres: c, backend: .swift, threads: 2))
        let ref = allDistances(x, c)
        for backend in Backend.allCases {
            let r = try nearestCentres(sparse, centres: c, rowNormsSquared: norms, backend: backend, threads: 2)
            for i in 0..<x.rows {
                XCTAssertEqual(Double(r.distances[i]), ref[i].min() ?? 0, accuracy: 1e-4)
            }
        }
        XCTAssertThrowsError(try nearestCentres(x, centres: c, rowNormsSquared: [1, 2], backend: .swift))
        XCTAssertThrowsError(try nearestCentres(sparse, centres: c, rowNormsSquared: [1, 2], backend: .blas))
    }

    /// Inputs big enough to be split across threads give the same result on 1 and 2 threads
    /// (each row is computed independently of the split).
    func testThreadCountDoesNotChangeResult() throws {
        let x = Matrix<Float>.random(rows: 9_001, cols: 40, in: -1...1, seed: 5)
        let c = Matrix<Float>.random(rows: 9, cols: 40, in: -1...1, seed: 6)
        XCTAssertGreaterThan(x.rows * 40 * 16, 2 * NearestCentresRegister.minBlockWork, "must really split")
        XCTAssertEqual(try nearestCentres(x, centres: c, backend: .swift, threads: 1),
                       try nearestCentres(x, centres: c, backend: .swift, threads: 2))
        let s = randomSparse(rows: 20_003, cols: 500, density: 0.05, seed: 7)
        let cs = Matrix<Float>.random(rows: 17, cols: 500, in: 0...2, seed: 8)
        XCTAssertEqual(try nearestCentres(s, centres: cs, backend: .swift, threads: 1),
                       try nearestCentres(s, centres: cs, backend: .swift, threads: 2))
    }
}
