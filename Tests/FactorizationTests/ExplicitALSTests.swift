@testable import Factorization
import Foundation
import LinearAlgebra
import Runtime
import XCTest

final class ExplicitALSTests: XCTestCase {
    func parameters(factors: Int = 3, iterations: Int = 10, backend: Backend = .blas, threads: Int = 1) -> ExplicitALSParameters {
        var p = ExplicitALSParameters()
        p.factors = factors
        p.iterations = iterations
        p.backend = backend
        p.threads = threads
        p.regularization = 0.05
        return p
    }

    /// Ratings r = μ + bᵤ + bᵢ + ⟨aᵤ, cᵢ⟩ (rank 2) on a random 40% of a users × items grid, plus
    /// small noise; returns (train, held-out triplets).
    func planted(users: Int, items: Int, seed: UInt64) throws -> (SparseMatrix, [(Int, Int, Float)]) {
        var g = SplitMix64(seed: seed)
        let ub = (0..<users).map { _ in Float(g.nextUnit() - 0.5) }, ib = (0..<items).map { _ in Float(g.nextUnit() - 0.5) }
        let ua = (0..<users).map { _ in [Float(g.nextUnit() * 2 - 1), Float(g.nextUnit() * 2 - 1)] }
        let ic = (0..<items).map { _ in [Float(g.nextUnit() * 2 - 1), Float(g.nextUnit() * 2 - 1)] }
        var rows: [Int] = [], cols: [Int] = [], vals: [Float] = [], held: [(Int, Int, Float)] = []
        for u in 0..<users {
            for i in 0..<items where g.nextUnit() < 0.4 {
                let r = 3 + ub[u] + ib[i] + ua[u][0] * ic[i][0] + ua[u][1] * ic[i][1] + Float(g.nextUnit() - 0.5) * 0.1
                if g.nextUnit() < 0.15 { held.append((u, i, r)) } else { rows.append(u); cols.append(i); vals.append(r) }
            }
        }
        return (try SparseMatrix(rows: users, cols: items, rowIndices: rows, colIndices: cols, values: vals), held)
    }

    /// One user step against a dense ridge regression with the weighted-λ penalty, in Double.
    func testOneUserStepEqualsDenseRidgeRegression() throws {
        let r = try SparseMatrix(dense: Matrix<Float>([[5, 0, 3, 0, 1], [0, 4, 0, 0, 0], [1, 2, 0, 2, 0], [0, 0, 0, 0, 0]]))
        let k = 2
        let y = Matrix<Float>.random(rows: 5, cols: k, in: -1...1, seed: 3)
        let itemBias: [Float] = [0.3, -0.2, 0.1, 0, -0.4]
        let mean: Float = 2.5
        for backend in Backend.allCases {
            let p = parameters(factors: k, backend: backend)
            var x = Matrix<Float>.zeros(rows: 4, cols: k)
            var bias = [Float](repeating: 9, count: 4)
            try ExplicitALS.solveSide(r, mean: mean, fixed: y, fixedBias: itemBias, target: &x, targetBias: &bias, parameters: p, threads: 1)
            let dense = r.densified()
            for u in 0..<4 {
                let n = k + 1
                var a = [Double](repeating: 0, count: n * n), b = [Double](repeating: 0, count: n)
                var count = 0
                for i in 0..<5 where dense[u, i] != 0 {
                    count += 1
                    let f = [Double(y[i, 0]), Double(y[i, 1]), 1]
                    let z = Double(dense[u, i]) - Double(mean) - Double(itemBias[i])
                    for s in 0..<n { b[s] += z * f[s]; for t in 0..<n { a[s * n + t] += f[s] * f[t] } }
                }
                if count == 0 {
                    XCTAssertEqual(x.row(u), [0, 0]); XCTAssertEqual(bias[u], 0)
                    continue
                }
                for s in 0..<n { a[s * n + s] += Double(p.regularization) * Double(count) }
                let expected = Fixtures.denseSolve(a, b, n: n)
                XCTAssertEqual(Double(x[u, 0]), expected[0], accuracy: 1e-4, "\(backend) user \(u)")
                XCTAssertEqual(Double(x[u, 1]), expected[1], accuracy: 1e-4, "\(backend) user \(u)")
                XCTAssertEqual(Double(bias[u]), expected[2], accuracy: 1e-4, "\(backend) user \(u) bias")
            }
        }
    }

    /// The objective never rises; held-out RMSE on planted rank-2 data beats the bias-only model
    /// (factors = 0) by a wide margin; backends and thread counts agree.
    func testFitsPlantedRatings() throws {
        let (train, held) = try planted(users: 80, items: 60, seed: 5)
        var previous = Double.infinity
        for it in 0...5 {
            let m = try ExplicitALS.fit(ratings: train, parameters: parameters(factors: 4, iterations: it))
            let loss = try ExplicitALS.loss(ratings: train, model: m)
            XCTAssertLessThanOrEqual(loss, previous * (1 + 1e-6), "sweep \(it)")
            previous = loss
        }
        func rmse(_ m: ExplicitALSModel) throws -> Double {
            var s = 0.0
            for (u, i, r) in held { let d = Double(try m.predict(user: u, item: i) - r); s += d * d }
            return (s / Double(held.count)).squareRoot()
        }
        let full = try ExplicitALS.fit(ratings: train, parameters: parameters(factors: 4, iterations: 15))
        let biasOnly = try ExplicitALS.fit(ratings: train, parameters: parameters(factors: 0, iterations: 15))
        let e1 = try rmse(full), e0 = try rmse(biasOnly)
        XCTAssertLessThan(e1, 0.6 * e0, "factors \(e1) vs biases only \(e0)")
        XCTAssertLessThan(e1, 0.35)
        let swift = try ExplicitALS.fit(ratings: train, parameters: parameters(factors: 4, iterations: 15, backend: .swift))
        XCTAssertEqual(try rmse(swift), e1, accuracy: 1e-3)
        let twoThreads = try ExplicitALS.fit(ratings: train, parameters: parameters(factors: 4, iterations: 15, threads: 2))
        XCTAssertEqual(twoThreads, full)
        XCTAssertEqual(try ExplicitALS.fit(ratings: train, parameters: parameters(factors: 4, iterations: 15)), full)
    }

    func testDegenerateInputsAndErrors() throws {
        let r = try SparseMatrix(rows: 4, cols: 3, rowIndices: [0, 0, 2], colIndices: [0, 2, 0], values: [4, 2, 5])
        for f in [0, 2, 10] {
            let m = try ExplicitALS.fit(ratings: r, parameters: parameters(factors: f, iterations: 3))
            // User 1 has no ratings: mean + item bias.
            XCTAssertEqual(try m.predict(user: 1, item: 0), min(5, max(2, m.globalMean + m.itemBias[0])), accuracy: 1e-6)
            XCTAssertEqual(m.userBias[1], 0)
            XCTAssertEqual(m.itemBias[1], 0, "item without ratings")
            for u in 0..<4 { for i in 0..<3 { let v = try m.predict(user: u, item: i); XCTAssertTrue(v >= 2 && v <= 5) } }
        }
        let zero = try ExplicitALS.fit(ratings: r, parameters: parameters(iterations: 0))
        XCTAssertEqual(try zero.predict(user: 0, item: 0), zero.globalMean + (zero.userFactors.row(0).enumerated().map { $0.element * zero.itemFactors[0, $0.offset] }.reduce(0, +)), accuracy: 1e-6)
        XCTAssertThrowsError(try zero.predict(user: 4, item: 0)) { XCTAssertTrue("\($0)".contains("user 4")) }
        XCTAssertThrowsError(try zero.predict(user: 0, item: -1)) { XCTAssertTrue("\($0)".contains("item -1")) }
        let empty = try ExplicitALS.fit(ratings: .empty(rows: 2, cols: 2), parameters: parameters())
        XCTAssertEqual(try empty.predict(user: 1, item: 1), 0)
        var bad = parameters()
        bad.regularization = 0
        XCTAssertThrowsError(try ExplicitALS.fit(ratings: r, parameters: bad)) { XCTAssertTrue("\($0)".contains("regularization")) }
    }

    func testSaveLoadRoundTripAndCorruption() throws {
        let (train, _) = try planted(users: 20, items: 15, seed: 2)
        let m = try ExplicitALS.fit(ratings: train, parameters: parameters(factors: 3, iterations: 4))
        var w = BinaryWriter()
        m.write(to: &w)
        var r = BinaryReader(w.data)
        XCTAssertEqual(try ExplicitALSModel(from: &r), m)
        XCTAssertEqual(r.remaining, 0)
        var bytes = [UInt8](w.data)
        bytes[bytes.count / 2] ^= 1
        var r2 = BinaryReader(Data(bytes))
        XCTAssertThrowsError(try ExplicitALSModel(from: &r2)) { XCTAssertEqual($0 as? BinaryFormatError, .checksumMismatch(section: "explicit ALS model")) }
        // An implicit model is not an explicit one.
        let implicitModel = try ImplicitALS.fit(train, parameters: Fixtures.parameters(factors: 2, iterations: 1))
        var w2 = BinaryWriter()
        implicitModel.write(to: &w2)
        var r3 = BinaryReader(w2.data)
        XCTAssertThrowsError(try ExplicitALSModel(from: &r3)) { XCTAssertTrue("\($0)".contains("explicit ALS model"), "\($0)") }
    }
}
