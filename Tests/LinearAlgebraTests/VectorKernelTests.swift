import XCTest
@testable import LinearAlgebra

final class VectorKernelTests: XCTestCase {
    func testDotAndAxpyMatchNaive() throws {
        for n in [0, 1, 7, 8, 9, 31, 32, 33, 100] {
            let x = Matrix<Float>.random(rows: 1, cols: n, seed: UInt64(n)).storage
            let y = Matrix<Float>.random(rows: 1, cols: n, seed: UInt64(n) + 7).storage
            var naive = 0.0
            for i in 0..<n { naive += Double(x[i]) * Double(y[i]) }
            for backend in Backend.allCases {
                XCTAssertEqual(Double(try dot(x, y, backend: backend)), naive, accuracy: 1e-5, "\(backend) n=\(n)")
                var z = y
                try axpy(-1.5, x, &z, backend: backend)
                for i in 0..<n { XCTAssertEqual(z[i], y[i] - 1.5 * x[i], accuracy: 1e-6) }
            }
        }
        XCTAssertThrowsError(try dot([1, 2], [1]))
    }

    func testGEMVMatchesReference() throws {
        for s in testShapes {
            let a = Matrix<Float>.random(rows: s.m, cols: s.k, seed: UInt64(s.m * 31 + s.k))
            let x = Matrix<Float>.random(rows: s.k, cols: 1, seed: 5)
            let xt = Matrix<Float>.random(rows: s.m, cols: 1, seed: 6)
            let y0 = Matrix<Float>.random(rows: s.m, cols: 1, seed: 7).storage
            let expected = Reference.gemm(a, false, x, false, alpha: 2, beta: 0.5, c: try Matrix(rows: s.m, cols: 1, storage: y0))
            let expectedT = Reference.gemm(a, true, xt, false)
            for backend in Backend.allCases {
                var y = y0
                try gemv(a, x.storage, alpha: 2, beta: 0.5, into: &y, backend: backend, threads: 2)
                XCTAssertLessThan(relativeError(try Matrix(rows: s.m, cols: 1, storage: y), expected), 1e-5, "\(backend) \(s)")
                let yt = try gemv(a, transposeA: true, xt.storage, backend: backend, threads: 2)
                XCTAssertLessThan(relativeError(try Matrix(rows: s.k, cols: 1, storage: yt), expectedT), 1e-5, "\(backend) \(s) T")
            }
        }
    }

    func testRowNormsAndNormalisation() throws {
        var m = Matrix<Float>.random(rows: 9, cols: 13, seed: 11)
        for j in 0..<13 { m[4, j] = 0 }
        for backend in Backend.allCases {
            let norms = rowNormsSquared(m, backend: backend, threads: 2)
            for i in 0..<9 {
                let naive = m.row(i).reduce(0) { $0 + $1 * $1 }
                XCTAssertEqual(norms[i], naive, accuracy: 1e-5)
            }
            let u = normalizedRows(m, backend: backend)
            let un = rowNormsSquared(u, backend: backend)
            for i in 0..<9 { XCTAssertEqual(un[i], i == 4 ? 0 : 1, accuracy: 1e-5) }
            XCTAssertEqual(u[2, 3] / u[2, 5], m[2, 3] / m[2, 5], accuracy: 1e-4)
        }
    }
}
