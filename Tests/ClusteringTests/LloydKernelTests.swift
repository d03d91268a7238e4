import Runtime
import XCTest
import LinearAlgebra
@testable import Clustering

/// The Lloyd pieces on the fast paths: the single-pass centre update against naive per-cluster
/// means, thread-count independence, and the Swift backend against the BLAS path.
final class LloydKernelTests: XCTestCase {
    /// `Fixtures.naiveMeans` on flat `k × cols` centres.
    func naiveMeans(_ x: Matrix<Float>, labels: [Int32], weights: [Float]?, k: Int, old: [Float]) -> [Float] {
        let centres = (0..<k).map { Array(old[($0 * x.cols)..<(($0 + 1) * x.cols)]) }
        return Fixtures.naiveMeans(x, labels: labels, weights: weights, centres: centres).flatMap { $0 }
    }

    /// Dense and CSR, with and without weights (some zero), k = 1, 3, 9: exactly the naive means
    /// (same additions in the same order), a cluster with only zero-weight rows keeps its centre.
    func testCentreUpdateEqualsNaiveMeans() throws {
        for (t, k) in [1, 3, 9].enumerated() {
            let s = Fixtures.sparse(rows: 97, cols: 13, density: 0.3, seed: UInt64(t))
            let x = s.densified()
            var g = SplitMix64(seed: UInt64(50 + t))
            // Every cluster gets at least one row (no relocation in this test).
            let labels = (0..<x.rows).map { i in Int32(i < k ? i : Int(g.next() % UInt64(k))) }
            let old = (0..<(k * x.cols)).map { Float($0) * 0.5 }
            var weights: [Float] = (0..<x.rows).map { Float(($0 * 7) % 4) * 0.75 }
            for i in 0..<x.rows where labels[i] == Int32(k - 1) { weights[i] = 0 }
            let a = Assignment(labels: labels, distances: [Float](repeating: 1, count: x.rows))
            for w in [nil, weights] {
                let ref = naiveMeans(x, labels: labels, weights: w, k: k, old: old)
                XCTAssertEqual(Lloyd.updateCentres(Points(x), assignment: a, weights: w, k: k, old: old, threads: 2), ref, "dense k \(k)")
                XCTAssertEqual(Lloyd.updateCentres(Points(s), assignment: a, weights: w, k: k, old: old, threads: 2), ref, "CSR k \(k)")
            }
            if k > 1 {
                let kept = Lloyd.updateCentres(Points(s), assignment: a, weights: weights, k: k, old: old, threads: 1)
                XCTAssertEqual(Array(kept[((k - 1) * x.cols)...]), Array(old[((k - 1) * x.cols)...]))
            }
        }
    }

    /// The in-place update with one scratch reused across calls (as `Lloyd.run` does every
    /// iteration): an empty cluster takes the farthest row (the pass repeated with that label),
    /// and a later call on the same scratch starts from zero sums — both equal the naive means.
    func testInPlaceUpdateReusesScratchAndRelocates() throws {
        let s = Fixtures.sparse(rows: 41, cols: 6, density: 0.5, seed: 77)
        let x = s.densified()
        let k = 3
        let labels = (0..<x.rows).map { Int32($0 % 2) }  // cluster 2 is empty
        let distances = (0..<x.rows).map { Float(($0 * 13) % 41) }  // distinct; row 22 is the farthest (40)
        let old = (0..<(k * x.cols)).map { Float($0) }
        var relocated = labels
        XCTAssertEqual(distances[22], 40)
        relocated[22] = 2
        for points in [Points(x), Points(s)] {
            var scratch = Lloyd.UpdateScratch(k: k, d: x.cols)
            var centres = old
            Lloyd.updateCentres(points, assignment: Assignment(labels: labels, distances: distances), weights: nil, k: k,
                                into: &centres, scratch: &scratch)
            XCTAssertEqual(centres, naiveMeans(x, labels: relocated, weights: nil, k: k, old: old))
            let second = (0..<x.rows).map { Int32(($0 / 3) % k) }
            let w: [Float] = (0..<x.rows).map { Float($0 % 3) + 0.5 }
            Lloyd.updateCentres(points, assignment: Assignment(labels: second, distances: distances), weights: w, k: k,
                                into: &centres, scratch: &scratch)
            XCTAssertEqual(centres, naiveMeans(x, labels: second, weights: w, k: k, old: centres))
        }
    }

    /// A fit on CSR rows large enough for the assignment to be split across threads: 1 and 2
    /// threads give the same model (labels, centres, inertia, iterations).
    func testFitIsThreadCountIndependent() throws {
        let s = Fixtures.sparse(rows: 6_001, cols: 500, density: 0.1, seed: 11)
        XCTAssertGreaterThan(s.nonZeroCount * 8, 2 << 20, "must really split (2 × the kernel's 1M multiply-add block)")
        let one = try KMeans(k: 8, nInit: 2, seed: 3, backend: .swift, threads: 1).fit(s)
        let two = try KMeans(k: 8, nInit: 2, seed: 3, backend: .swift, threads: 2).fit(s)
        XCTAssertEqual(one.labels, two.labels)
        XCTAssertEqual(one.centres, two.centres)
        XCTAssertEqual(one.inertia, two.inertia)
        XCTAssertEqual(one.iterations, two.iterations)
    }

    /// The Swift register kernel against the BLAS path (the products and argmin of before), same
    /// seed, on dense and CSR blobs: the same partition and inertia within 1e-5 relative. (Cluster
    /// numbers may differ: k-means++ candidate distances come from each backend's own product, and
    /// rounding can reorder the seeding's choices.)
    func testSwiftBackendMatchesBLASPath() throws {
        let centres: [[Float]] = (0..<9).map { b in (0..<19).map { j in Float((b * 7 + j * 3) % 11) } }
        let (x, _) = Fixtures.blobs(centres: centres, perBlob: 37, spread: 1.5, seed: 4)
        for input in [ClusterInput(x), ClusterInput(SparseMatrix(dense: x))] {
            let s = try KMeans(k: 9, nInit: 3, seed: 5, backend: .swift, threads: 2).fit(input, weights: nil)
            let b = try KMeans(k: 9, nInit: 3, seed: 5, backend: .blas, threads: 2).fit(input, weights: nil)
            XCTAssertTrue(Fixtures.samePartition(s.labels, b.labels.map(Int.init)))
            XCTAssertEqual(s.inertia, b.inertia, accuracy: 1e-5 * b.inertia)
        }
    }
}
