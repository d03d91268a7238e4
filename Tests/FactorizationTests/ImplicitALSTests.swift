@testable import Factorization
import LinearAlgebra
import Runtime
import Foundation
import XCTest

final class ImplicitALSTests: XCTestCase {
    /// The hand-built 6 users × 5 items case: values are preference strengths (0 = stored but no preference).
    func handMatrix() throws -> SparseMatrix {
        try SparseMatrix(dense: Matrix<Float>([
            [5, 0, 3, 0, 1],
            [0, 4, 0, 0, 0],
            [1, 1, 0, 2, 0],
            [0, 0, 0, 0, 0],
            [2, 0, 0, 5, 4],
            [0, 3, 1, 0, 0],
        ]))
    }

    /// One user step against the textbook formula with the FULL confidence matrix Cᵤ (5 × 5
    /// diagonal, 1 on unobserved items) and preference vector p(u), solved in Double.
    func testOneUserStepEqualsDenseWeightedLeastSquares() throws {
        let r = try handMatrix()
        let k = 3
        let y = Matrix<Float>.random(rows: 5, cols: k, in: -1...1, seed: 7)
        for backend in Backend.allCases {
            var p = Fixtures.parameters(factors: k, backend: backend)
            p.alpha = 3
            p.regularization = 0.25
            let w = try ImplicitWeights(values: r.values, rowOf: { _ in 0 }, colOf: { _ in 0 }, alpha: p.alpha, preference: p.preference)
            var x = Matrix<Float>.zeros(rows: 6, cols: k)
            try ImplicitALS.solveSide(r, weights: w, fixed: y, target: &x, parameters: p, threads: 1)
            let dense = r.densified()
            for u in 0..<6 {
                var a = [Double](repeating: 0, count: k * k), b = [Double](repeating: 0, count: k)
                for i in 0..<5 {
                    let rv = Double(dense[u, i])
                    let c = 1 + Double(p.alpha) * rv, pref: Double = rv > 0 ? 1 : 0
                    for f in 0..<k {
                        b[f] += c * pref * Double(y[i, f])
                        for g in 0..<k { a[f * k + g] += c * Double(y[i, f]) * Double(y[i, g]) }
                    }
                }
                for f in 0..<k { a[f * k + f] += Double(p.regularization) }
                let expected = Fixtures.denseSolve(a, b, n: k)
                for f in 0..<k {
                    XCTAssertEqual(Double(x[u, f]), expected[f], accuracy: 1e-4 * max(1, abs(expected[f])), "\(backend) user \(u) factor \(f)")
                }
            }
            // User 3 has no entries: x = 0 exactly.
            XCTAssertEqual(x.row(3), [0, 0, 0])
        }
    }

    /// Both backends and both solvers give the same half-step (CG with k steps from a zero start
    /// is exact in exact arithmetic), within 1e-3 relative.
    func testBackendsAndSolversAgreeOnAHalfStep() throws {
        let r = try Fixtures.randomMatrix(users: 40, items: 30, density: 0.2, seed: 3)
        let k = 8
        let y = Matrix<Float>.random(rows: 30, cols: k, in: -0.5...0.5, seed: 11)
        var results: [Matrix<Float>] = []
        for backend in Backend.allCases {
            for solver in [ALSSolver.cholesky, .conjugateGradient(steps: 3 * k)] {
                let p = Fixtures.parameters(factors: k, solver: solver, backend: backend)
                let w = try ImplicitWeights(values: r.values, rowOf: { _ in 0 }, colOf: { _ in 0 }, alpha: p.alpha, preference: p.preference)
                var x = Matrix<Float>.zeros(rows: 40, cols: k)
                try ImplicitALS.solveSide(r, weights: w, fixed: y, target: &x, parameters: p, threads: 1)
                results.append(x)
            }
        }
        let scale = results[0].storage.map { abs($0) }.max() ?? 1
        for (i, m) in results.enumerated().dropFirst() {
            XCTAssertLessThan(m.maxAbsDifference(results[0]), 1e-3 * scale, "configuration \(i)")
        }
    }

    /// Full fits on both backends agree on the scores (1e-3 of the largest score), and 3-step CG
    /// reaches an objective within 2% of Cholesky's.
    func testFullFitsAgreeAcrossBackendsAndSolvers() throws {
        let r = try Fixtures.randomMatrix(users: 50, items: 40, density: 0.15, seed: 5)
        let blas = try ImplicitALS.fit(r, parameters: Fixtures.parameters(factors: 6, iterations: 8, backend: .blas))
        let swift = try ImplicitALS.fit(r, parameters: Fixtures.parameters(factors: 6, iterations: 8, backend: .swift))
        let sb = try gemm(blas.userFactors, blas.itemFactors, transposeB: true, backend: .swift, threads: 1)
        let ss = try gemm(swift.userFactors, swift.itemFactors, transposeB: true, backend: .swift, threads: 1)
        let top = sb.storage.map { abs($0) }.max() ?? 1
        XCTAssertLessThan(sb.maxAbsDifference(ss), 1e-3 * top)
        let cg = try ImplicitALS.fit(r, parameters: Fixtures.parameters(factors: 6, iterations: 8, solver: .conjugateGradient(steps: 3)))
        let lossCholesky = Fixtures.naiveLoss(r, blas), lossCG = Fixtures.naiveLoss(r, cg)
        XCTAssertLessThan(abs(lossCG - lossCholesky) / lossCholesky, 0.02, "CG \(lossCG) vs Cholesky \(lossCholesky)")
    }

    /// Each half-step minimises the objective exactly, so with Cholesky the loss never rises.
    /// Loss computed naively over all user-item pairs; also checks the engine's fast `loss`.
    func testLossDecreasesMonotonicallyWithCholesky() throws {
        let r = try Fixtures.randomMatrix(users: 30, items: 25, density: 0.2, seed: 9)
        var previous = Double.infinity
        for iterations in 0...6 {
            let model = try ImplicitALS.fit(r, parameters: Fixtures.parameters(factors: 5, iterations: iterations))
            let loss = Fixtures.naiveLoss(r, model)
            XCTAssertEqual(try ImplicitALS.loss(r, model: model), loss, accuracy: 1e-6 * loss)
            XCTAssertLessThanOrEqual(loss, previous * (1 + 1e-6), "sweep \(iterations)")
            if iterations >= 2 { XCTAssertLessThan(loss, previous, "sweep \(iterations) made no progress") }
            previous = loss
        }
    }

    /// Same seed → identical factors; one and two threads → identical factors (every row's solve
    /// is independent and the Gram matrix is computed single-threaded). Different seed → different.
    func testDeterministicAndIndependentOfThreadCount() throws {
        let r = try Fixtures.randomMatrix(users: 120, items: 80, density: 0.1, seed: 2)
        for backend in Backend.allCases {
            for solver in [ALSSolver.cholesky, .conjugateGradient(steps: 3)] {
                let a = try ImplicitALS.fit(r, parameters: Fixtures.parameters(factors: 8, iterations: 4, solver: solver, backend: backend, threads: 1))
                let b = try ImplicitALS.fit(r, parameters: Fixtures.parameters(factors: 8, iterations: 4, solver: solver, backend: backend, threads: 1))
                let c = try ImplicitALS.fit(r, parameters: Fixtures.parameters(factors: 8, iterations: 4, solver: solver, backend: backend, threads: 2))
                XCTAssertEqual(a.userFactors, b.userFactors)
                XCTAssertEqual(a.itemFactors, b.itemFactors)
                XCTAssertEqual(a.userFactors, c.userFactors, "\(backend) \(solver): 1 vs 2 threads")
                XCTAssertEqual(a.itemFactors, c.itemFactors, "\(backend) \(solver): 1 vs 2 threads")
                var p = Fixtures.parameters(factors: 8, iterations: 4, solver: solver, backend: backend)
                p.seed = 43
                let d = try ImplicitALS.fit(r, parameters: p)
                XCTAssertNotEqual(a.itemFactors, d.itemFactors)
            }
        }
    }

    /// After convergence, folding in a training user's own row gives (almost) that user's factors:
    /// fold-in is one more user step with the final item factors.
    func testFoldInOfATrainingUserMatchesTheirFactors() throws {
        let r = try Fixtures.randomMatrix(users: 60, items: 40, density: 0.15, seed: 4)
        let model = try ImplicitALS.fit(r, parameters: Fixtures.parameters(factors: 5, iterations: 40))
        for u in [0, 7, 33, 59] {
            let rg = r.range(ofRow: u)
            let folded = try model.foldIn(items: Array(r.columns[rg]), values: Array(r.values[rg]))
            let trained = model.userFactors.row(u)
            let norm = trained.map { $0 * $0 }.reduce(0, +).squareRoot()
            let diff = zip(folded, trained).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
            XCTAssertLessThan(diff, 1e-2 * max(norm, 1e-3), "user \(u)")
        }
        // Order of the input does not matter; duplicates and bad items are errors.
        let rg = r.range(ofRow: 7)
        let items = Array(r.columns[rg]), values = Array(r.values[rg])
        XCTAssertEqual(try model.foldIn(items: items.reversed(), values: values.reversed()), try model.foldIn(items: items, values: values))
        XCTAssertThrowsError(try model.foldIn(items: [1, 1], values: [1, 1])) { XCTAssertTrue("\($0)".contains("twice")) }
        XCTAssertThrowsError(try model.foldIn(items: [40], values: [1])) { XCTAssertTrue("\($0)".contains("item 40")) }
        XCTAssertThrowsError(try model.foldIn(items: [1], values: [-1])) { XCTAssertTrue("\($0)".contains("strength")) }
        XCTAssertEqual(try model.foldIn(items: [], values: []), [Float](repeating: 0, count: 5))
    }

    /// A planted group structure: held-out liked items rank above random unseen items (AUC > 0.9),
    /// and recommendations never contain excluded or training-empty items.
    func testPlantedStructureIsRecovered() throws {
        let data = try Fixtures.planted(users: 200, items: 180, rank: 6, seed: 21)
        var p = Fixtures.parameters(factors: 8, iterations: 10)
        p.preference = .binary
        p.alpha = 10
        let model = try ImplicitALS.fit(data.train, parameters: p)
        var g = SplitMix64(seed: 99)
        var wins = 0.0, pairs = 0.0
        for u in 0..<200 {
            for pos in data.heldOut[u] {
                var neg: Int32
                repeat { neg = Int32(g.nextBelow(180)) } while data.all[u].contains(neg)
                let sp = try model.score(user: u, item: Int(pos)), sn = try model.score(user: u, item: Int(neg))
                wins += sp > sn ? 1 : (sp == sn ? 0.5 : 0)
                pairs += 1
            }
        }
        XCTAssertGreaterThan(pairs, 100)
        XCTAssertGreaterThan(wins / pairs, 0.9, "AUC")
    }

    /// Single-user and batch recommendations agree; exclusions and items without training data
    /// are skipped; order is score descending with ties by item index.
    func testRecommendSingleAndBatchAgree() throws {
        var r = try Fixtures.randomMatrix(users: 70, items: 50, density: 0.12, seed: 8)
        // Make item 49 empty in training.
        let dense = r.densified()
        var d2 = dense
        for u in 0..<70 { d2[u, 49] = 0 }
        r = SparseMatrix(dense: d2)
        let model = try ImplicitALS.fit(r, parameters: Fixtures.parameters(factors: 6, iterations: 5))
        XCTAssertEqual(model.itemInteractionCounts[49], 0)
        let users = Array((0..<70).reversed())
        for backend in Backend.allCases {
            var m = model
            m = try ALSModel(userFactors: m.userFactors, itemFactors: m.itemFactors, itemInteractionCounts: m.itemInteractionCounts,
                         parameters: { var q = m.parameters; q.backend = backend; return q }())
            let batch = try m.recommend(users: users, count: 10, excluding: r, threads: 2)
            for (n, u) in users.enumerated() {
                let seen = Array(r.columns[r.range(ofRow: u)])
                let single = try m.recommend(user: u, count: 10, excluding: seen)
                XCTAssertEqual(single.count, 10)
                XCTAssertEqual(batch[n].map(\.item), single.map(\.item), "user \(u) \(backend)")
                for (a, b) in zip(batch[n], single) { XCTAssertEqual(a.score, b.score, accuracy: 1e-4) }
                for e in single {
                    XCTAssertFalse(seen.contains(e.item))
                    XCTAssertNotEqual(e.item, 49)
                    XCTAssertEqual(e.score, try m.score(user: u, item: Int(e.item)), accuracy: 1e-5)
                }
                for (a, b) in zip(single, single.dropFirst()) {
                    XCTAssertTrue(a.score > b.score || (a.score == b.score && a.item < b.item))
                }
                // Brute force: the best remaining item is the first recommendation.
                var best: (Int32, Float) = (-1, -.infinity)
                for j in 0..<49 where !seen.contains(Int32(j)) {
                    let s = try m.score(user: u, item: j)
                    if s > best.1 { best = (Int32(j), s) }
                }
                XCTAssertEqual(single.first?.item, best.0)
            }
        }
        XCTAssertThrowsError(try model.recommend(user: 70, count: 5))
        XCTAssertThrowsError(try model.score(user: 0, item: -1))
        XCTAssertEqual(try model.recommend(user: 0, count: 0).count, 0)
        XCTAssertEqual(try model.recommend(user: 0, count: 500).count, 49 - 0)
    }

    func testDegenerateInputsDoNotCrash() throws {
        // Empty rows and columns, zero iterations, more factors than items.
        let r = try SparseMatrix(rows: 5, cols: 4, rowIndices: [0, 0, 2], colIndices: [1, 3, 1], values: [1, 2, 3])
        let zero = try ImplicitALS.fit(r, parameters: Fixtures.parameters(factors: 3, iterations: 0))
        XCTAssertEqual(zero.userFactors.rows, 5)
        XCTAssertTrue(zero.itemFactors.storage.allSatisfy { $0 >= 0 && $0 < ImplicitALS.initialScale })
        for solver in [ALSSolver.cholesky, .conjugateGradient(steps: 2)] {
            for backend in Backend.allCases {
                let big = try ImplicitALS.fit(r, parameters: Fixtures.parameters(factors: 10, iterations: 3, solver: solver, backend: backend))
                XCTAssertTrue(big.userFactors.storage.allSatisfy(\.isFinite))
                XCTAssertTrue(big.itemFactors.storage.allSatisfy(\.isFinite))
                XCTAssertEqual(big.userFactors.row(1), [Float](repeating: 0, count: 10), "empty user")
            }
        }
        let empty = try ImplicitALS.fit(SparseMatrix.empty(rows: 0, cols: 0), parameters: Fixtures.parameters())
        XCTAssertEqual(empty.users, 0)
        XCTAssertEqual(try empty.recommend(users: [], count: 3).count, 0)
        // λ = 0 with more factors than items: a clear error, not a crash.
        var p = Fixtures.parameters(factors: 10, iterations: 2)
        p.regularization = 0
        XCTAssertThrowsError(try ImplicitALS.fit(r, parameters: p)) { XCTAssertTrue("\($0)".contains("regularization > 0"), "\($0)") }
        // Negative strength: named entry.
        let bad = try SparseMatrix(rows: 2, cols: 2, rowIndices: [1], colIndices: [0], values: [-2])
        XCTAssertThrowsError(try ImplicitALS.fit(bad, parameters: Fixtures.parameters())) {
            XCTAssertEqual("\($0)", "invalid ALS input: entry at (row 1, column 0) has strength -2.0; strengths must be finite and ≥ 0")
        }
    }

    func testSaveLoadRoundTripAndCorruption() throws {
        let r = try Fixtures.randomMatrix(users: 20, items: 15, density: 0.2, seed: 1)
        var p = Fixtures.parameters(factors: 4, iterations: 3, solver: .conjugateGradient(steps: 2))
        p.preference = .atLeast(3)
        let model = try ImplicitALS.fit(r, parameters: p)
        var w = BinaryWriter()
        w.write(UInt32(0xABCD))  // something before, to check offsets
        model.write(to: &w)
        w.write(UInt32(0x1234))  // and after
        var reader = BinaryReader(w.data)
        XCTAssertEqual(try reader.read(UInt32.self), 0xABCD)
        let loaded = try ALSModel(from: &reader)
        XCTAssertEqual(loaded, model)
        XCTAssertEqual(try reader.read(UInt32.self), 0x1234)
        XCTAssertEqual(try loaded.recommend(user: 3, count: 5).map(\.item), try model.recommend(user: 3, count: 5).map(\.item))

        // Flip one byte inside the factors: checksum mismatch.
        var bytes = [UInt8](w.data)
        bytes[bytes.count - 60] ^= 0x40
        var r2 = BinaryReader(Data(bytes), offset: 4)
        XCTAssertThrowsError(try ALSModel(from: &r2)) {
            XCTAssertEqual($0 as? BinaryFormatError, .checksumMismatch(section: "ALS model"))
            XCTAssertTrue("\($0)".contains("corrupted"))
        }
        // Truncated.
        var r3 = BinaryReader(Data(w.data.prefix(w.data.count / 2)), offset: 4)
        XCTAssertThrowsError(try ALSModel(from: &r3)) { XCTAssertTrue("\($0)".contains("truncated"), "\($0)") }
        // Not a model.
        var r4 = BinaryReader(w.data, offset: 0)
        XCTAssertThrowsError(try ALSModel(from: &r4))
    }
}

final class VectorOpsTests: XCTestCase {
    /// The register-blocked symmetric mat-vec and the rank update against plain loops, for sizes
    /// that exercise the 32-, 8- and scalar-wide paths.
    func testSymvAndRankUpdateMatchPlainLoops() {
        for n in [1, 5, 8, 13, 32, 45, 64, 70] {
            let b = Matrix<Float>.random(rows: n, cols: n, in: -1...1, seed: UInt64(n))
            let sym = (try? gemm(b, b, transposeB: true, backend: .swift, threads: 1)) ?? b
            let v = Matrix<Float>.random(rows: 1, cols: n, in: -1...1, seed: 99).storage
            var out = [Float](repeating: .nan, count: n)
            sym.storage.withUnsafeBufferPointer { mp in
                v.withUnsafeBufferPointer { vp in
                    out.withUnsafeMutableBufferPointer { op in VectorOps.symv(mp.baseAddress!, vp.baseAddress!, op.baseAddress!, n) }
                }
            }
            for r in 0..<n {
                var s: Float = 0
                for c in 0..<n { s += sym[r, c] * v[c] }
                XCTAssertEqual(out[r], s, accuracy: 1e-3 * Float(n), "n=\(n) row \(r)")
            }
            // Rank update with 7 vectors (a group of four and three singles).
            let ys = (0..<7).map { Matrix<Float>.random(rows: 1, cols: n, in: -1...1, seed: UInt64(100 + $0)).storage }
            let w: [Float] = [0.5, 2, -1, 3, 0.25, 1, 4]
            var a = sym.storage
            let ptrs = ys.map { y -> UnsafeMutablePointer<Float> in
                let p = UnsafeMutablePointer<Float>.allocate(capacity: n); p.update(from: y, count: n); return p
            }
            defer { ptrs.forEach { $0.deallocate() } }
            let cptrs = ptrs.map { UnsafePointer($0) }
            a.withUnsafeMutableBufferPointer { ap in
                cptrs.withUnsafeBufferPointer { pp in
                    w.withUnsafeBufferPointer { wp in VectorOps.rankUpdate(ap.baseAddress!, n: n, vectors: pp.baseAddress!, weights: wp.baseAddress!, count: 7) }
                }
            }
            for r in 0..<n {
                for c in 0..<n {
                    var e = sym[r, c]
                    for j in 0..<7 { e += w[j] * ys[j][r] * ys[j][c] }
                    XCTAssertEqual(a[r * n + c], e, accuracy: 1e-3 * Float(n), "n=\(n) (\(r), \(c))")
                }
            }
        }
    }
}
