import XCTest
@testable import LinearAlgebra

final class GEMMTests: XCTestCase {
    /// Both backends against the naive triple loop, all four transpose combinations, with alpha
    /// and beta, on shapes including empty ones and sizes that are not multiples of the tiles.
    func testFloatGEMMMatchesReferenceOnBothBackends() throws {
        var seed: UInt64 = 1
        for s in testShapes {
            for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
                seed += 1
                let a = ta ? Matrix<Float>.random(rows: s.k, cols: s.m, seed: seed) : .random(rows: s.m, cols: s.k, seed: seed)
                let b = tb ? Matrix<Float>.random(rows: s.n, cols: s.k, seed: seed + 100) : .random(rows: s.k, cols: s.n, seed: seed + 100)
                let c0 = Matrix<Float>.random(rows: s.m, cols: s.n, seed: seed + 200)
                let expected = Reference.gemm(a, ta, b, tb, alpha: 0.5, beta: -2, c: c0)
                for backend in Backend.allCases {
                    for threads in [1, 2] {
                        var c = c0
                        try gemm(a, transposeA: ta, b, transposeB: tb, alpha: 0.5, beta: -2, into: &c, backend: backend, threads: threads)
                        XCTAssertLessThan(relativeError(c, expected), 1e-5, "\(backend) \(s) ta=\(ta) tb=\(tb) threads=\(threads)")
                    }
                }
            }
        }
    }

    /// `beta == 0` ignores NaNs already in C; an all-zero A gives an all-zero C.
    func testBetaZeroIgnoresGarbageAndZeroMatrices() throws {
        for backend in Backend.allCases {
            var c = try Matrix<Float>(rows: 2, cols: 2, storage: [.nan, .nan, .nan, .nan])
            try gemm(Matrix<Float>.zeros(rows: 2, cols: 3), Matrix<Float>.random(rows: 3, cols: 2, seed: 9), into: &c, backend: backend)
            XCTAssertEqual(c.storage, [0, 0, 0, 0], "\(backend)")
        }
    }

    /// A hand-computed product.
    func testHandComputedProduct() throws {
        let a = try Matrix<Float>([[1, 2], [3, 4]])
        let b = try Matrix<Float>([[5, 6], [7, 8]])
        for backend in Backend.allCases {
            XCTAssertEqual(try gemm(a, b, backend: backend).storage, [19, 22, 43, 50])
            XCTAssertEqual(try gemm(a, b, transposeB: true, backend: backend).storage, [17, 23, 39, 53])
        }
    }

    func testDoubleGEMMMatchesReference() throws {
        for (i, s) in testShapes.enumerated() {
            let af = Matrix<Float>.random(rows: s.k, cols: s.m, seed: UInt64(i))
            let bf = Matrix<Float>.random(rows: s.n, cols: s.k, seed: UInt64(i) + 50)
            let expected = Reference.gemm(af, true, bf, true)
            let a = try Matrix<Double>(rows: af.rows, cols: af.cols, storage: af.storage.map(Double.init))
            let b = try Matrix<Double>(rows: bf.rows, cols: bf.cols, storage: bf.storage.map(Double.init))
            for backend in Backend.allCases {
                let c = try gemm(a, transposeA: true, b, transposeB: true, backend: backend, threads: 2)
                let cf = try Matrix<Float>(rows: c.rows, cols: c.cols, storage: c.storage.map(Float.init))
                XCTAssertLessThan(relativeError(cf, expected), 1e-6, "\(backend) \(s)")
            }
        }
    }

    func testShapeMismatchThrows() {
        var c = Matrix<Float>.zeros(rows: 2, cols: 2)
        XCTAssertThrowsError(try gemm(Matrix<Float>.zeros(rows: 2, cols: 3), Matrix<Float>.zeros(rows: 2, cols: 2), into: &c)) {
            XCTAssertTrue("\($0)".contains("gemm"))
        }
    }

    /// The Swift path is deterministic: same inputs and threads → bit-identical output.
    func testSwiftGEMMIsDeterministicAcrossThreadCounts() throws {
        let a = Matrix<Float>.random(rows: 150, cols: 270, seed: 3), b = Matrix<Float>.random(rows: 270, cols: 40, seed: 4)
        let c1 = try gemm(a, b, backend: .swift, threads: 1)
        let c2 = try gemm(a, b, backend: .swift, threads: 2)
        XCTAssertEqual(c1, c2)
    }
}
