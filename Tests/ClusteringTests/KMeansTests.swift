import Runtime
import XCTest
import LinearAlgebra
@testable import Clustering

final class KMeansTests: XCTestCase {
    let blobCentres: [[Float]] = [[0, 0, 0], [10, 10, 0], [-10, 10, 5], [0, -12, -6]]

    func testRecoversWellSeparatedBlobs() throws {
        let (x, truth) = Fixtures.blobs(centres: blobCentres, perBlob: 50, spread: 0.7, seed: 1)
        for backend in Backend.allCases {
            let model = try KMeans(k: 4, nInit: 3, seed: 7, backend: backend, threads: 2).fit(x)
            XCTAssertTrue(Fixtures.samePartition(model.labels, truth), "backend \(backend)")
            XCTAssertEqual(model.sizes.sorted(), [50, 50, 50, 50])
            XCTAssertTrue(model.converged)
        }
    }

    func testLloydStepEqualsNaive() throws {
        let (x, _) = Fixtures.blobs(centres: blobCentres, perBlob: 30, spread: 4, seed: 2)
        let initial: [[Float]] = [[1, 1, 1], [5, 5, 5], [-3, 2, 0], [0, -4, 0]]
        let weights: [Float] = (0..<x.rows).map { Float(1 + $0 % 3) }
        let naive = Fixtures.naiveLloydStep(x, centres: initial, weights: weights)
        for backend in Backend.allCases {
            let points = Points(x)
            let out = Lloyd.run(points, weights: weights, initial: initial.flatMap { $0 },
                                k: 4, maxIter: 1, tol: 0, backend: backend, threads: 2)
            XCTAssertEqual(out.history.count, 1)
            XCTAssertEqual(out.history[0], naive.inertia, accuracy: 1e-3 * naive.inertia)
            for j in 0..<4 { for c in 0..<3 { XCTAssertEqual(out.centres[j * 3 + c], naive.means[j][c], accuracy: 1e-4) } }
            // The final E-step labels with the updated centres.
            let second = Fixtures.naiveLloydStep(x, centres: naive.means)
            XCTAssertEqual(out.assignment.labels, second.labels)
        }
    }

    /// Explicit initial centres: one Lloyd run from exactly those centres (nInit ignored), equal
    /// to the naive first step; a converged model's centres are a fixed point (one iteration, same
    /// inertia); a wrong shape or a NaN is a typed error.
    func testInitialCentres() throws {
        let (x, _) = Fixtures.blobs(centres: blobCentres, perBlob: 30, spread: 4, seed: 2)
        let initial: [[Float]] = [[1, 1, 1], [5, 5, 5], [-3, 2, 0], [0, -4, 0]]
        let naive = Fixtures.naiveLloydStep(x, centres: initial)
        for backend in Backend.allCases {
            var km = KMeans(k: 4, nInit: 5, maxIter: 1, tol: 0, seed: 99, backend: backend, threads: 2)
            km.initialCentres = try Matrix(rows: 4, cols: 3, storage: initial.flatMap { $0 })
            let one = try km.fit(x)
            XCTAssertEqual(one.inertiaHistory.count, 1)
            XCTAssertEqual(one.inertiaHistory[0], naive.inertia, accuracy: 1e-4 * naive.inertia)
            for j in 0..<4 { for c in 0..<3 { XCTAssertEqual(one.centres[j, c], naive.means[j][c], accuracy: 1e-4) } }
            // The seed plays no part with given centres.
            km.seed = 7
            XCTAssertEqual(try km.fit(x), one)

            let fitted = try KMeans(k: 4, nInit: 2, seed: 3, backend: backend).fit(x)
            var again = KMeans(k: 4, nInit: 3, seed: 3, backend: backend)
            again.initialCentres = fitted.centres
            let fixed = try again.fit(x)
            XCTAssertEqual(fixed.iterations, 1)
            XCTAssertEqual(fixed.labels, fitted.labels)
            XCTAssertEqual(fixed.inertia, fitted.inertia, accuracy: 1e-5 * fitted.inertia)
        }
        var bad = KMeans(k: 4)
        bad.initialCentres = try Matrix(rows: 3, cols: 3, storage: [Float](repeating: 0, count: 9))
        XCTAssertThrowsError(try bad.fit(x)) { XCTAssertTrue("\($0)".contains("initialCentres"), "\($0)") }
        bad.initialCentres = try Matrix(rows: 4, cols: 3, storage: [Float](repeating: 0, count: 11) + [.nan])
        XCTAssertThrowsError(try bad.fit(x)) { XCTAssertTrue("\($0)".contains("finite"), "\($0)") }
    }

    func testInertiaNeverIncreases() throws {
        let (x, _) = Fixtures.blobs(centres: blobCentres, perBlob: 60, spread: 6, seed: 3)
        let model = try KMeans(k: 6, nInit: 1, seed: 3, threads: 1).fit(x)
        XCTAssertGreaterThan(model.inertiaHistory.count, 1)
        for (a, b) in zip(model.inertiaHistory, model.inertiaHistory.dropFirst()) {
            XCTAssertLessThanOrEqual(b, a * (1 + 1e-6))
        }
        XCTAssertLessThanOrEqual(model.inertia, (model.inertiaHistory.last ?? 0) * (1 + 1e-6))
        let sparse = Fixtures.sparse(rows: 120, cols: 40, density: 0.15, seed: 4)
        let sm = try KMeans(k: 5, nInit: 1, tol: 0, seed: 1, threads: 1).fit(sparse)
        for (a, b) in zip(sm.inertiaHistory, sm.inertiaHistory.dropFirst()) { XCTAssertLessThanOrEqual(b, a * (1 + 1e-6)) }
    }

    func testBackendsAgree() throws {
        let (x, _) = Fixtures.blobs(centres: blobCentres, perBlob: 25, spread: 3, seed: 5)
        let a = try KMeans(k: 4, nInit: 2, seed: 11, backend: .blas).fit(x)
        let b = try KMeans(k: 4, nInit: 2, seed: 11, backend: .swift).fit(x)
        XCTAssertEqual(a.labels, b.labels)
        XCTAssertEqual(a.inertia, b.inertia, accuracy: 1e-4 * a.inertia)
        let s = Fixtures.sparse(rows: 80, cols: 30, density: 0.2, seed: 6)
        let sa = try KMeans(k: 4, nInit: 2, seed: 2, backend: .blas).fit(s)
        let sb = try KMeans(k: 4, nInit: 2, seed: 2, backend: .swift).fit(s)
        XCTAssertEqual(sa.labels, sb.labels)
    }

    func testSparseEqualsDensified() throws {
        let s = Fixtures.sparse(rows: 90, cols: 25, density: 0.25, seed: 7)
        let dense = s.densified()
        let a = try KMeans(k: 5, nInit: 3, seed: 9).fit(s)
        let b = try KMeans(k: 5, nInit: 3, seed: 9).fit(dense)
        XCTAssertEqual(a.labels, b.labels)
        XCTAssertEqual(a.inertia, b.inertia, accuracy: 1e-4 * b.inertia)
        XCTAssertLessThan(a.centres.maxAbsDifference(b.centres), 1e-4)
        XCTAssertEqual(try a.predict(s), try a.predict(dense))
    }

    func testDeterministicAndThreadIndependent() throws {
        let (x, _) = Fixtures.blobs(centres: blobCentres, perBlob: 40, spread: 5, seed: 8)
        let a = try KMeans(k: 5, nInit: 4, seed: 42, threads: 1).fit(x)
        let b = try KMeans(k: 5, nInit: 4, seed: 42, threads: 1).fit(x)
        let c = try KMeans(k: 5, nInit: 4, seed: 42, threads: 2).fit(x)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a, c)
        let other = try KMeans(k: 5, nInit: 1, seed: 43, threads: 1).fit(x)
        let same = try KMeans(k: 5, nInit: 1, seed: 42, threads: 1).fit(x)
        XCTAssertNotEqual(other.centres, same.centres, "different seeds should seed differently")
    }

    func testSampleWeightsEqualDuplicatedRows() throws {
        let (x, _) = Fixtures.blobs(centres: blobCentres, perBlob: 20, spread: 5, seed: 9)
        let weights: [Float] = (0..<x.rows).map { Float($0 % 3) }  // 0, 1, 2 copies
        var dupRows: [[Float]] = []
        for i in 0..<x.rows { for _ in 0..<Int(weights[i]) { dupRows.append(x.row(i)) } }
        let dup = try Matrix(dupRows)
        let initial = [x.row(1), x.row(5), x.row(7), x.row(11)].flatMap { $0 }
        let px = Points(x), pd = Points(dup)
        let w = Lloyd.run(px, weights: weights, initial: initial, k: 4,
                          maxIter: 50, tol: 0, backend: .swift, threads: 1)
        let u = Lloyd.run(pd, weights: nil, initial: initial, k: 4,
                          maxIter: 50, tol: 0, backend: .swift, threads: 1)
        for i in 0..<w.centres.count { XCTAssertEqual(w.centres[i], u.centres[i], accuracy: 1e-4) }
        XCTAssertEqual(w.assignment.inertia(weights: weights), u.assignment.inertia(weights: nil), accuracy: 1e-3)
        // Through the public API: the weighted fit's inertia matches the duplicated fit's.
        let fw = try KMeans(k: 4, nInit: 5, seed: 1).fit(x, weights: weights)
        let fu = try KMeans(k: 4, nInit: 5, seed: 1).fit(dup)
        XCTAssertEqual(fw.inertia, fu.inertia, accuracy: 0.02 * fu.inertia)
    }

    func testEmptyClusterMovesToFarthestRow() throws {
        // Three points near 0 and one far point; centre 1 is far from everything and ends empty.
        let x = try Matrix<Float>([[0, 0], [1, 0], [0, 1], [20, 20]])
        let initial: [Float] = [0, 0, 1000, 1000]
        let p = Points(x)
        let a = AssignKernel.assign(p, centres: Centres(k: 2, d: 2, values: initial, backend: .swift), backend: .swift, threads: 1)
        XCTAssertEqual(a.labels, [0, 0, 0, 0])
        let updated = Lloyd.updateCentres(p, assignment: a, weights: nil, k: 2, old: initial, threads: 1)
        XCTAssertEqual(Array(updated[2..<4]), [20, 20])
        XCTAssertEqual(updated[0], 1.0 / 3, accuracy: 1e-6)
        XCTAssertEqual(updated[1], 1.0 / 3, accuracy: 1e-6)
    }

    func testKMeansPlusPlusPicksDistinctRowsAndPrefersFarPoints() throws {
        let x = try Matrix<Float>([[0, 0], [0.1, 0], [0, 0.1], [100, 100], [-100, 50]])
        let p = Points(x)
        var g = SplitMix64(seed: 3)
        let c = KMeansPlusPlus.seed(p, rowNorms: p.squaredNorms(backend: .swift, threads: 1), weights: nil, k: 3, rng: &g, backend: .swift, threads: 1)
        let rows = (0..<3).map { Array(c[($0 * 2)..<($0 * 2 + 2)]) }
        XCTAssertTrue(rows.contains([100, 100]))
        XCTAssertTrue(rows.contains([-100, 50]))
        XCTAssertEqual(Set(rows.map { "\($0)" }).count, 3)
        // Zero-weight rows are never chosen.
        var g2 = SplitMix64(seed: 5)
        let w: [Float] = [1, 1, 1, 0, 0]
        let c2 = KMeansPlusPlus.seed(p, rowNorms: p.squaredNorms(backend: .swift, threads: 1), weights: w, k: 2, rng: &g2, backend: .swift, threads: 1)
        XCTAssertTrue(c2.allSatisfy { abs($0) <= 0.1 })
    }

    func testToleranceScaleIsMeanColumnVariance() {
        let x = try! Matrix<Float>([[1, 2], [3, 6], [5, 10]])
        // Column variances 8/3 and 32/3, mean 20/3.
        XCTAssertEqual(Points(x).meanColumnVariance(), 20.0 / 3, accuracy: 1e-9)
        XCTAssertEqual(Points(SparseMatrix(dense: x)).meanColumnVariance(), 20.0 / 3, accuracy: 1e-9)
    }

    func testMiniBatchCloseToLloyd() throws {
        let (x, truth) = Fixtures.blobs(centres: blobCentres, perBlob: 500, spread: 1.5, seed: 10)
        let full = try KMeans(k: 4, nInit: 3, seed: 1).fit(x)
        let mb = try MiniBatchKMeans(k: 4, batchSize: 100, seed: 1).fit(x)
        XCTAssertLessThan(mb.inertia, full.inertia * 1.03)
        XCTAssertTrue(Fixtures.samePartition(mb.labels, truth))
        let s = Fixtures.sparse(rows: 600, cols: 50, density: 0.1, seed: 11)
        let fs = try KMeans(k: 3, nInit: 3, seed: 1).fit(s)
        let ms = try MiniBatchKMeans(k: 3, batchSize: 64, seed: 1).fit(s)
        XCTAssertLessThan(ms.inertia, fs.inertia * 1.05)
        XCTAssertEqual(ms, try MiniBatchKMeans(k: 3, batchSize: 64, seed: 1, threads: 1).fit(s))
    }

    /// A mini-batch fit on the float-mirror path (600 columns: the centres exceed
    /// `ScaledCentres.mirrorMinBytes`) with batches large enough to split across threads gives the
    /// same model for 1 and 2 threads.
    func testMiniBatchMirrorPathThreadIndependent() throws {
        let s = Fixtures.sparse(rows: 1500, cols: 600, density: 0.05, seed: 17)
        XCTAssertTrue(ScaledCentres(k: 5, d: 600, initial: [Float](repeating: 0, count: 5 * 600)).usesMirror)
        let one = try MiniBatchKMeans(k: 5, batchSize: 700, maxIter: 3, seed: 9, threads: 1).fit(s)
        let two = try MiniBatchKMeans(k: 5, batchSize: 700, maxIter: 3, seed: 9, threads: 2).fit(s)
        XCTAssertEqual(one, two)
        XCTAssertGreaterThan(one.iterations, 1)
    }

    func testPredictMatchesTrainingLabels() throws {
        let (x, _) = Fixtures.blobs(centres: blobCentres, perBlob: 20, spread: 1, seed: 12)
        let m = try KMeans(k: 4, nInit: 2, seed: 3).fit(x)
        XCTAssertEqual(try m.predict(x), m.labels)
        XCTAssertThrowsError(try m.predict(Matrix<Float>.zeros(rows: 2, cols: 5)))
    }

    func testRejectsBadInput() {
        let x = Matrix<Float>.zeros(rows: 3, cols: 2)
        XCTAssertThrowsError(try KMeans(k: 4).fit(x)) { XCTAssertEqual($0 as? KMeansError, .invalidClusterCount(k: 4, samples: 3)) }
        XCTAssertThrowsError(try KMeans(k: 0).fit(x))
        XCTAssertThrowsError(try KMeans(k: 2, nInit: 0).fit(x))
        XCTAssertThrowsError(try KMeans(k: 2).fit(x, weights: [1, 1]))
        XCTAssertThrowsError(try KMeans(k: 2).fit(x, weights: [1, -1, 1]))
        XCTAssertThrowsError(try KMeans(k: 2).fit(x, weights: [0, 0, 0]))
        XCTAssertThrowsError(try KMeans(k: 1).fit(Matrix<Float>.zeros(rows: 0, cols: 2)))
        XCTAssertThrowsError(try KMeans(k: 1).fit(try! Matrix<Float>([[1, .nan]]))) {
            XCTAssertEqual($0 as? KMeansError, .nonFiniteValue(row: 0, column: 1))
        }
        XCTAssertThrowsError(try MiniBatchKMeans(k: 2, batchSize: 0).fit(x))
    }

    /// The finite check reads only rows whose squared norm is not finite, and still names the
    /// first non-finite value in row order — for both algorithms, dense and CSR rows; rows whose
    /// norm overflows but whose values are finite are accepted.
    func testNonFiniteValueFoundThroughNorms() throws {
        var rows = (0..<6).map { i in (0..<4).map { Float(i * 4 + $0 % 3) } }
        rows[4][2] = .infinity
        rows[2][3] = -.infinity
        rows[2][1] = .nan
        rows[5][0] = 3e20  // finite; its square overflows to +∞
        let x = try Matrix<Float>(rows)
        // CSR arrays directly (the coordinate initialiser refuses non-finite values itself).
        var o: [Int64] = [0], c: [Int32] = [], v: [Float] = []
        for row in rows {
            for (j, value) in row.enumerated() where value != 0 { c.append(Int32(j)); v.append(value) }
            o.append(Int64(c.count))
        }
        let s = try SparseMatrix(rows: 6, cols: 4, rowOffsets: o, columns: c, values: v)
        let fits: [any KMeansFitting] = [KMeans(k: 2, nInit: 1, threads: 1), MiniBatchKMeans(k: 2, batchSize: 4, threads: 1)]
        for fitting in fits {
            for input in [ClusterInput(x), ClusterInput(s)] {
                XCTAssertThrowsError(try fitting.fit(input, weights: nil)) {
                    XCTAssertEqual($0 as? KMeansError, .nonFiniteValue(row: 2, column: 1), "\(fitting)")
                }
            }
            XCTAssertEqual(Points.dense(x).firstNonFinite().map { [$0.0, $0.1] }, [2, 1])
            let finite = try Matrix<Float>(Array(rows[0..<2]) + [rows[5]])
            XCTAssertNoThrow(try fitting.fit(ClusterInput(finite), weights: nil), "\(fitting)")
        }
    }

    /// Both stores of the partial Fisher–Yates (dense array, dictionary) draw exactly what a
    /// full-array Fisher–Yates draws, and leave the generator in the same state.
    func testSampleEqualsFullFisherYates() {
        for (m, n) in [(0, 10), (1, 1), (5, 1000), (40, 1000), (100, 1000), (1000, 1000), (3072, 69878), (7, 5)] {
            var g = SplitMix64(seed: UInt64(m * 31 + n)), reference = g
            let got = g.sample(m, from: n)
            var all = Array(0..<n)
            for i in 0..<min(m, n) { all.swapAt(i, i + reference.nextIndex(below: n - i)) }
            XCTAssertEqual(got, Array(all.prefix(min(m, n))), "\(m) of \(n)")
            XCTAssertEqual(g.next(), reference.next(), "\(m) of \(n)")
        }
    }

    /// A subset of CSR rows (repeats allowed, any order) holds exactly those rows.
    func testSparseSubsetGathersRows() throws {
        let s = Fixtures.sparse(rows: 30, cols: 12, density: 0.3, seed: 5)
        let idx = [7, 0, 29, 7, 13, 13, 2]
        let sub = Points.sparse(s).subset(idx)
        XCTAssertEqual(sub.n, idx.count)
        XCTAssertEqual(sub.d, 12)
        for (r, i) in idx.enumerated() { XCTAssertEqual(sub.denseRow(r), Points.sparse(s).denseRow(i), "row \(r)") }
        guard case .sparse(let m) = sub else { return XCTFail("subset of CSR rows is not CSR") }
        XCTAssertNoThrow(try SparseMatrix(rows: m.rows, cols: m.cols, rowOffsets: m.rowOffsets, columns: m.columns, values: m.values))
        XCTAssertEqual(Points.sparse(s).subset([]).n, 0)
    }

    func testSilhouetteEqualsNaive() throws {
        let (x, _) = Fixtures.blobs(centres: blobCentres, perBlob: 15, spread: 4, seed: 13)
        let labels: [Int32] = (0..<x.rows).map { Int32(($0 * 7 + $0 / 5) % 3) }
        let naive = Fixtures.naiveSilhouette(x, labels: labels)
        for backend in Backend.allCases {
            XCTAssertEqual(try Silhouette.score(x, labels: labels, backend: backend), naive, accuracy: 1e-4)
        }
        let s = Fixtures.sparse(rows: 40, cols: 12, density: 0.3, seed: 14)
        let sl: [Int32] = (0..<40).map { Int32($0 % 4) }
        XCTAssertEqual(try Silhouette.score(s, labels: sl), Fixtures.naiveSilhouette(s.densified(), labels: sl), accuracy: 1e-4)
        // Sampled: equals the naive score of the same sample; deterministic for the seed.
        let a = try Silhouette.score(x, labels: labels, sampleSize: 20, seed: 5)
        XCTAssertEqual(a, try Silhouette.score(x, labels: labels, sampleSize: 20, seed: 5))
        var g = SplitMix64(seed: 5)
        let idx = g.sample(20, from: x.rows).sorted()
        let sub = try Matrix(idx.map { x.row($0) })
        XCTAssertEqual(a, Fixtures.naiveSilhouette(sub, labels: idx.map { labels[$0] }), accuracy: 1e-4)
        XCTAssertThrowsError(try Silhouette.score(x, labels: [Int32](repeating: 0, count: x.rows)))
    }
}
