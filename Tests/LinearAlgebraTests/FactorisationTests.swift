import XCTest
@testable import LinearAlgebra

final class FactorisationTests: XCTestCase {
    /// A random symmetric positive-definite matrix: Mᵀ·M + n·I.
    func spd(_ n: Int, seed: UInt64) -> Matrix<Float> {
        let m = Matrix<Float>.random(rows: n, cols: n, seed: seed)
        var a = Reference.gemm(m, true, m, false)
        for i in 0..<n { a[i, i] += Float(n) }
        return a
    }

    func testCholeskyReconstructsAndSolves() throws {
        for n in [1, 2, 7, 16, 33, 64] {
            let a = spd(n, seed: UInt64(n))
            let b = Matrix<Float>.random(rows: n, cols: 3, seed: 99)
            for backend in Backend.allCases {
                let l = try choleskyFactor(a, backend: backend)
                for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { XCTAssertEqual(l[i, j], 0) } }
                XCTAssertLessThan(relativeError(Reference.gemm(l, false, l, true), a), 1e-5, "\(backend) n=\(n) L·Lᵀ")
                let x = try choleskySolve(a, b, backend: backend)
                XCTAssertLessThan(relativeError(Reference.gemm(a, false, x, false), b), 1e-4, "\(backend) n=\(n) A·X")
                let x1 = try choleskySolve(a, b.transposed().rows(0..<1).transposed(), backend: backend)
                XCTAssertLessThan(relativeError(Reference.gemm(a, false, x1, false), b.transposed().rows(0..<1).transposed()), 1e-4)
            }
        }
    }

    func testCholeskyDoubleAndNotPositiveDefinite() throws {
        let a = try Matrix<Double>([[4, 2], [2, 3]])
        for backend in Backend.allCases {
            let l = try choleskyFactor(a, backend: backend)
            XCTAssertEqual(l[0, 0], 2, accuracy: 1e-12); XCTAssertEqual(l[1, 0], 1, accuracy: 1e-12)
            XCTAssertEqual(l[1, 1], 2.0.squareRoot(), accuracy: 1e-12)
            let x = try choleskySolve(a, try Matrix<Double>([[8], [7]]), backend: backend)
            XCTAssertEqual(x[0, 0], 1.25, accuracy: 1e-12); XCTAssertEqual(x[1, 0], 1.5, accuracy: 1e-12)
            let bad = try Matrix<Float>([[1, 2], [2, 1]])
            XCTAssertThrowsError(try choleskySolve(bad, Matrix<Float>.zeros(rows: 2, cols: 1), backend: backend)) {
                XCTAssertEqual($0 as? LinearAlgebraError, .notPositiveDefinite(order: 2))
            }
        }
    }

    func testSymmetricEigenReconstructs() throws {
        for n in [1, 5, 12] {
            let m = Matrix<Float>.random(rows: n, cols: n, seed: UInt64(n))
            let a = Reference.gemm(m, false, m, true)
            for backend in Backend.allCases {
                let e = try symmetricEigen(a, backend: backend)
                XCTAssertEqual(e.values, e.values.sorted())
                var d = Matrix<Float>.zeros(rows: n, cols: n)
                for i in 0..<n { d[i, i] = e.values[i] }
                let rec = Reference.gemm(Reference.gemm(e.vectors, false, d, false), false, e.vectors, true)
                XCTAssertLessThan(relativeError(rec, a), 1e-4, "\(backend) n=\(n)")
                XCTAssertLessThan(relativeError(Reference.gemm(e.vectors, true, e.vectors, false), .identity(n)), 1e-4)
            }
            let e1 = try symmetricEigen(a, backend: .blas), e2 = try symmetricEigen(a, backend: .swift)
            for i in 0..<n { XCTAssertEqual(e1.values[i], e2.values[i], accuracy: 1e-3 * max(1, abs(e1.values[i]))) }
        }
    }

    func testSVDReconstructs() throws {
        for (m, n) in [(1, 1), (6, 4), (4, 9), (10, 10)] {
            let a = Matrix<Float>.random(rows: m, cols: n, seed: UInt64(m * 10 + n))
            var values: [[Float]] = []
            for backend in Backend.allCases {
                let s = try svd(a, backend: backend)
                let r = min(m, n)
                XCTAssertEqual(s.singularValues, s.singularValues.sorted(by: >))
                var d = Matrix<Float>.zeros(rows: r, cols: r)
                for i in 0..<r { d[i, i] = s.singularValues[i] }
                let rec = Reference.gemm(Reference.gemm(s.u, false, d, false), false, s.vt, false)
                XCTAssertLessThan(relativeError(rec, a), 1e-4, "\(backend) \(m)x\(n)")
                XCTAssertLessThan(relativeError(Reference.gemm(s.u, true, s.u, false), .identity(r)), 1e-4)
                values.append(s.singularValues)
            }
            for i in 0..<min(m, n) { XCTAssertEqual(values[0][i], values[1][i], accuracy: 1e-4) }
        }
    }
}
