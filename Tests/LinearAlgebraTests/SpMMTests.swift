import XCTest
@testable import LinearAlgebra

final class SpMMTests: XCTestCase {
    /// CSR·B and CSRᵀ·B against dense GEMM reference, with empty rows, all-zero and empty matrices.
    func testSpMMMatchesDenseReference() throws {
        let shapes: [(m: Int, k: Int, n: Int, density: Double)] = [
            (0, 4, 3, 0.5), (5, 0, 3, 0.5), (6, 7, 0, 0.5), (9, 11, 1, 0.3), (23, 17, 19, 0.2), (40, 33, 64, 0.1), (31, 29, 45, 0.3), (12, 8, 5, 0),
        ]
        for (i, s) in shapes.enumerated() {
            let a = randomSparse(rows: s.m, cols: s.k, density: s.density, seed: UInt64(i))
            let ad = a.densified()
            let b = Matrix<Float>.random(rows: s.k, cols: s.n, seed: UInt64(i) + 9)
            let bt = Matrix<Float>.random(rows: s.m, cols: s.n, seed: UInt64(i) + 19)
            let c0 = Matrix<Float>.random(rows: s.m, cols: s.n, seed: UInt64(i) + 29)
            let expected = Reference.gemm(ad, false, b, false, alpha: 2, beta: 0.5, c: c0)
            let expectedT = Reference.gemm(ad, true, bt, false)
            for backend in Backend.allCases {
                for threads in [1, 2] {
                    var c = c0
                    try spmm(a, b, alpha: 2, beta: 0.5, into: &c, backend: backend, threads: threads)
                    XCTAssertLessThan(relativeError(c, expected), 1e-5, "\(backend) \(s)")
                    let ct = try spmm(a, transposeA: true, bt, backend: backend, threads: threads)
                    XCTAssertLessThan(relativeError(ct, expectedT), 1e-5, "\(backend) \(s) transposed")
                }
            }
        }
    }

    /// The scatter path with private per-thread buffers (large enough to go parallel) equals the
    /// single-threaded result and the transpose-based formulation.
    func testTransposedSpMMParallelPathAgrees() throws {
        let a = randomSparse(rows: 300, cols: 120, density: 0.2, seed: 4)
        let b = Matrix<Float>.random(rows: 300, cols: 64, seed: 5)
        let viaTranspose = try spmm(a.transposed(), b, backend: .swift, threads: 1)
        for backend in Backend.allCases {
            let c2 = try spmm(a, transposeA: true, b, backend: backend, threads: 2)
            XCTAssertLessThan(relativeError(c2, viaTranspose), 1e-5)
        }
    }

    /// CSRᵀ·B with a wide output (1100 rows of C), alpha/beta and a column tail (77 = 9·8 + 5):
    /// both backends, one and two threads (private buffers), match the dense reference.
    func testTransposedSpMMWideOutputMatchesReference() throws {
        let a = randomSparse(rows: 40, cols: 1100, density: 0.05, seed: 12)
        for n in [64, 77] {
            let b = Matrix<Float>.random(rows: 40, cols: n, seed: 13)
            let c0 = Matrix<Float>.random(rows: 1100, cols: n, seed: 14)
            let expected = Reference.gemm(a.densified(), true, b, false, alpha: -2, beta: 0.5, c: c0)
            for backend in Backend.allCases {
                for threads in [1, 2] {
                    var c = c0
                    try spmm(a, transposeA: true, b, alpha: -2, beta: 0.5, into: &c, backend: backend, threads: threads)
                    XCTAssertLessThan(relativeError(c, expected), 1e-5, "\(backend) n=\(n) threads=\(threads)")
                }
            }
        }
    }

    /// Rows with more non-zeros than one BLAS gather panel (512) are split into several
    /// `cblas_sgemv` calls; both backends still match the reference.
    func testLongRowsMatchReference() throws {
        let a = randomSparse(rows: 4, cols: 1500, density: 0.6, seed: 21, emptyRowEvery: 0)
        XCTAssertGreaterThan(a.count(ofRow: 0), SpMMKernel.gatherRows)
        let b = Matrix<Float>.random(rows: 1500, cols: 5, seed: 22)
        let expected = Reference.gemm(a.densified(), false, b, false, alpha: 0.5)
        for backend in Backend.allCases {
            XCTAssertLessThan(relativeError(try spmm(a, b, alpha: 0.5, backend: backend, threads: 2), expected), 1e-5, "\(backend)")
        }
    }

    func testSparseProductTransposedMatchesDense() throws {
        let a = randomSparse(rows: 30, cols: 25, density: 0.15, seed: 7)
        let b = randomSparse(rows: 21, cols: 25, density: 0.15, seed: 8)
        let p = try sparseProductTransposed(a, b, threads: 2)
        let expected = Reference.gemm(a.densified(), false, b.densified(), true)
        XCTAssertLessThan(relativeError(p.densified(), expected), 1e-6)
        // Stored pattern: exactly the pairs sharing a column.
        for i in 0..<30 {
            for j in 0..<21 {
                let shares = !Set(a.columns[a.range(ofRow: i)]).isDisjoint(with: b.columns[b.range(ofRow: j)])
                XCTAssertEqual(p.columns[p.range(ofRow: i)].contains(Int32(j)), shares)
            }
        }
        XCTAssertThrowsError(try sparseProductTransposed(a, randomSparse(rows: 2, cols: 3, density: 1, seed: 1)))
    }
}
