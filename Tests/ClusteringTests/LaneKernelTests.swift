import Runtime
import XCTest
import LinearAlgebra
@testable import Clustering

/// The row-lane Lloyd path (`Lloyd.runLanes` over `LaneKernel`) against the generic loop
/// (centre-lane assignment, then the row-order M-step): the same run bit for bit.
final class LaneKernelTests: XCTestCase {
    /// `n × d` values in 0..<5 with a few repeated rows (ties between equal centres). Quantized
    /// to sixteenths, double sums of them are exact (the incremental M-step); `tiny` sets one value
    /// to 1e-9, which breaks that (full recomputation every iteration).
    static func data(n: Int, d: Int, seed: UInt64, quantized: Bool = false, tiny: Bool = false) -> Matrix<Float> {
        var g = SplitMix64(seed: seed)
        var v = [Float]()
        for i in 0..<n {
            if i % 17 == 5, i >= d { v.append(contentsOf: v[(i - 5) * d..<(i - 4) * d]); continue }
            for _ in 0..<d {
                let x = 5 * g.nextUnitFloat()
                v.append(quantized ? (x * 16).rounded() / 16 : x)
            }
        }
        if tiny { v[v.count / 2] = 1e-9 }
        return Matrix(checkedRows: n, cols: d, storage: v)
    }

    /// Shapes around the kernel's edges: rows not a multiple of 8 (and fewer than 8), one
    /// column, k below, at and above one tile of 8 centres; unit, fractional and zero weights;
    /// initial centres with a duplicate (an empty cluster to relocate) or from k-means++.
    func testEqualsGenericLoop() throws {
        for (n, d, exact) in [(203, 19, true), (203, 19, false), (5, 3, true), (64, 1, true), (97, 7, false)] {
            let x = Self.data(n: n, d: d, seed: UInt64(n * 31 + d), quantized: true, tiny: !exact)
            let points = Points(x)
            let norms = points.squaredNorms(backend: .swift, threads: 1)
            let lanes = LaneRows(x, rowNorms: norms)
            XCTAssertEqual(lanes.exactSums, exact, "n \(n) d \(d)")
            for k in [1, 3, 8, 9, 13] where k <= n {
                for weighted in [false, true] {
                    let weights: [Float]? = weighted ? (0..<n).map { [1, 0, 2.5, 1, 0.25][$0 % 5] } : nil
                    var g = SplitMix64(seed: UInt64(k))
                    var seeded = KMeansPlusPlus.seed(points, rowNorms: norms, weights: weights, k: k, rng: &g, backend: .swift, threads: 1)
                    for start in 0..<2 {
                        if start == 1 && k >= 2 {
                            // Centre 1 duplicates centre 0: one of them ends empty and is relocated.
                            for j in 0..<d { seeded[d + j] = seeded[j] }
                        }
                        for tol in [0.0, 1e-3] {
                            let what = "n \(n) d \(d) k \(k) weighted \(weighted) start \(start) tol \(tol)"
                            let generic = Lloyd.run(points, weights: weights, initial: seeded, k: k, maxIter: 40, tol: tol,
                                                    backend: .swift, threads: 1, rowNorms: norms)
                            let lane = Lloyd.run(points, weights: weights, initial: seeded, k: k, maxIter: 40, tol: tol,
                                                 backend: .swift, threads: 1, rowNorms: norms, lanes: lanes)
                            XCTAssertEqual(lane.centres, generic.centres, what)
                            XCTAssertEqual(lane.assignment.labels, generic.assignment.labels, what)
                            XCTAssertEqual(lane.assignment.distances, generic.assignment.distances, what)
                            XCTAssertEqual(lane.history, generic.history, what)
                            XCTAssertEqual(lane.iterations, generic.iterations, what)
                            XCTAssertEqual(lane.converged, generic.converged, what)
                        }
                    }
                }
            }
        }
    }

    /// One pass against a naive double-precision argmin on separated points (no near ties):
    /// labels, distances (to float rounding), the inertia and the per-cluster sums and counts.
    func testPassEqualsNaive() throws {
        let (x, _) = Fixtures.blobs(centres: [[0, 0, 0], [8, 8, 0], [-8, 8, 4], [0, -9, -5], [9, -9, 9]],
                                    perBlob: 13, spread: 0.5, seed: 21)
        let n = x.rows, d = x.cols, k = 5
        let centreRows: [[Float]] = [x.row(0), x.row(1), x.row(2), x.row(3), x.row(4)]
        let points = Points(x)
        let lanes = LaneRows(x, rowNorms: points.squaredNorms(backend: .swift, threads: 1))
        var packed = LaneCentres(k: k, d: d)
        packed.load(Centres(k: k, d: d, values: centreRows.flatMap { $0 }, backend: .swift))
        var labels = [Int32](repeating: 7, count: n), distances = [Float](repeating: 0, count: n)
        var sums = [Double](repeating: 0, count: k * d), counts = [Int](repeating: 0, count: k)
        func run() -> LaneKernel.Pass {
            for i in sums.indices { sums[i] = 0 }
            for c in counts.indices { counts[c] = 0 }
            return x.withUnsafeBufferPointer { xp in
                labels.withUnsafeMutableBufferPointer { lp in
                    distances.withUnsafeMutableBufferPointer { dp in
                        sums.withUnsafeMutableBufferPointer { sp in
                            counts.withUnsafeMutableBufferPointer { cp in
                                LaneKernel.pass(lanes, x: xp.baseAddress!, centres: packed, weights: nil, blocks: 0..<lanes.blocks,
                                                labels: lp.baseAddress!, distances: dp.baseAddress!,
                                                sums: sp.baseAddress, totals: nil, counts: cp.baseAddress)
                            }
                        }
                    }
                }
            }
        }
        let pass = run()
        XCTAssertTrue(pass.changed, "every label differs from the 7s stored before")
        let again = run()
        XCTAssertFalse(again.changed, "same centres, same labels")
        XCTAssertEqual(again.inertia, pass.inertia)
        labels[n - 1] = 7
        XCTAssertTrue(run().changed, "a change in the last, partial block counts")
        labels[9] = (labels[9] + 1) % 5
        XCTAssertTrue(run().changed, "a change in a full block counts")
        var inertia = 0.0
        var naiveSums = [Double](repeating: 0, count: k * d), naiveCounts = [Int](repeating: 0, count: k)
        for i in 0..<n {
            let dist = centreRows.map { Fixtures.sqDist(x.row(i), $0) }
            let best = dist.indices.min { dist[$0] < dist[$1] }!
            XCTAssertEqual(Int(labels[i]), best, "row \(i)")
            XCTAssertEqual(Double(distances[i]), dist[best], accuracy: 1e-4 * max(1, dist[best]), "row \(i)")
            inertia += Double(distances[i])
            naiveCounts[best] += 1
            for j in 0..<d { naiveSums[best * d + j] += Double(x[i, j]) }
        }
        XCTAssertEqual(pass.inertia, inertia)
        XCTAssertEqual(counts, naiveCounts)
        XCTAssertEqual(sums, naiveSums)
    }

    /// The exactness test of the incremental M-step: magnitudes against the smallest ulp.
    func testExactSums() {
        func exact(_ v: [Float]) -> Bool { v.withUnsafeBufferPointer { LaneRows.exactSums($0) } }
        XCTAssertTrue(exact([]))
        XCTAssertTrue(exact([0, 0, -0.0]))
        XCTAssertTrue(exact([0.5, 3.25, 4, -2.875, 5]), "ratings-like values")
        // ulp(2^-30) = 2^-53 and Σ|x| ≈ 1 ≥ 2^(-53 + 52): a sum may round.
        XCTAssertFalse(exact([1, Float(sign: .plus, exponent: -30, significand: 1)]))
        // ulp(1) = 2^-23: exact while Σ|x| < 2^29.
        XCTAssertTrue(exact([Float](repeating: 1, count: 1000) + [Float(sign: .plus, exponent: 28, significand: 1)]))
        XCTAssertFalse(exact([1, Float(sign: .plus, exponent: 29, significand: 1)]))
        XCTAssertFalse(exact([1e30, 1]))
        XCTAssertFalse(exact([1, .nan]))
        // The property itself: with exact values, two orders of the double sum agree; and the
        // case the check rejects really does depend on the order.
        let ok: [Float] = (0..<500).map { Float($0 % 37) / 8 - 2 }
        XCTAssertTrue(exact(ok))
        XCTAssertEqual(ok.reduce(0.0) { $0 + Double($1) }, ok.reversed().reduce(0.0) { $0 + Double($1) })
        let big = Float(sign: .plus, exponent: 60, significand: 1)
        let bad: [Float] = [big, 1, -big, 1]
        XCTAssertFalse(exact(bad))
        XCTAssertEqual(bad.reduce(0.0) { $0 + Double($1) }, 1)
        XCTAssertEqual(bad.reversed().reduce(0.0) { $0 + Double($1) }, 0)
    }

    /// `LaneKernel.dots` equals the Swift GEMM's products bit for bit (k-means++ candidates).
    func testDotsEqualGEMM() throws {
        let x = Self.data(n: 61, d: 19, seed: 3)
        let lanes = LaneRows(x, rowNorms: Points(x).squaredNorms(backend: .swift, threads: 1))
        for t in [1, 3, 8, 11] {
            let c = Self.data(n: t, d: 19, seed: UInt64(40 + t))
            let viaGEMM = try gemm(x, c, transposeB: true, backend: .swift, threads: 1).storage
            XCTAssertEqual(LaneKernel.dots(lanes, centres: c.storage, count: t), viaGEMM, "t \(t)")
        }
    }

    /// Restarts run as parallel tasks on the row-lane path: 1 and 2 threads give the same model,
    /// which is the best of the restarts run one by one.
    func testParallelRestartsEqualSerial() throws {
        let x = Self.data(n: 301, d: 6, seed: 5)
        let weights: [Float] = (0..<301).map { Float(1 + $0 % 4) }
        let one = try KMeans(k: 6, nInit: 7, seed: 9, backend: .swift, threads: 1).fit(x, weights: weights)
        let two = try KMeans(k: 6, nInit: 7, seed: 9, backend: .swift, threads: 2).fit(x, weights: weights)
        XCTAssertEqual(one, two)
        var best: KMeansModel? = nil
        for r in 0..<7 {
            // Restart r alone: k-means++ from stream r of the seed, then Lloyd.
            var g = SplitMix64.stream(seed: 9, index: UInt64(r))
            let points = Points(x)
            let norms = points.squaredNorms(backend: .swift, threads: 1)
            var km = KMeans(k: 6, nInit: 1, seed: 9, backend: .swift, threads: 1)
            km.initialCentres = try Matrix(rows: 6, cols: 6, storage:
                KMeansPlusPlus.seed(points, rowNorms: norms, weights: weights, k: 6, rng: &g, backend: .swift, threads: 1))
            let m = try km.fit(x, weights: weights)
            if best == nil || m.inertia < best!.inertia { best = m }
        }
        XCTAssertEqual(two.labels, best?.labels)
        XCTAssertEqual(two.inertia, best?.inertia)
        XCTAssertEqual(two.centres, best?.centres)
    }
}
