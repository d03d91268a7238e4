import Runtime
import Foundation
import LinearAlgebra
@testable import Clustering

/// Small deterministic inputs and naive reference implementations for the clustering tests.
enum Fixtures {
    /// `perBlob` Gaussian points (σ = `spread`) around each of `centres`; returns the matrix and
    /// the true blob of each row (rows interleaved across blobs).
    static func blobs(centres: [[Float]], perBlob: Int, spread: Float, seed: UInt64) -> (Matrix<Float>, [Int]) {
        var g = SplitMix64(seed: seed)
        var rows: [[Float]] = []
        var truth: [Int] = []
        for _ in 0..<perBlob {
            for (b, c) in centres.enumerated() {
                rows.append(c.map { $0 + spread * gaussian(&g) })
                truth.append(b)
            }
        }
        return (try! Matrix(rows), truth)
    }

    static func gaussian(_ g: inout SplitMix64) -> Float {
        let u1 = max(Double(g.nextUnitFloat()), 1e-7), u2 = Double(g.nextUnitFloat())
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }

    /// A random sparse matrix with about `density` of its entries set to 1...5.
    static func sparse(rows: Int, cols: Int, density: Double, seed: UInt64) -> SparseMatrix {
        var g = SplitMix64(seed: seed)
        var r: [Int] = [], c: [Int] = [], v: [Float] = []
        for i in 0..<rows {
            for j in 0..<cols where Double(g.nextUnitFloat()) < density {
                r.append(i); c.append(j); v.append(Float(1 + g.next() % 5))
            }
        }
        return try! SparseMatrix(rows: rows, cols: cols, rowIndices: r, colIndices: c, values: v)
    }

    static func sqDist(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
    }

    /// Naive nearest centre (ties to the lower index) and naive weighted means.
    static func naiveLloydStep(_ x: Matrix<Float>, centres: [[Float]], weights: [Float]? = nil) -> (labels: [Int32], inertia: Double, means: [[Float]]) {
        var labels: [Int32] = []
        var inertia = 0.0
        for i in 0..<x.rows {
            let row = x.row(i)
            var best = 0
            for j in 1..<centres.count where sqDist(row, centres[j]) < sqDist(row, centres[best]) { best = j }
            labels.append(Int32(best))
            inertia += Double(weights?[i] ?? 1) * sqDist(row, centres[best])
        }
        return (labels, inertia, naiveMeans(x, labels: labels, weights: weights, centres: centres))
    }

    /// Naive weighted means: each cluster's rows summed in row order in double precision; a
    /// cluster with no weight keeps its centre.
    static func naiveMeans(_ x: Matrix<Float>, labels: [Int32], weights: [Float]?, centres: [[Float]]) -> [[Float]] {
        var means = centres
        for j in 0..<centres.count {
            var acc = [Double](repeating: 0, count: x.cols)
            var w = 0.0
            for i in 0..<x.rows where labels[i] == Int32(j) {
                let wi = Double(weights?[i] ?? 1)
                w += wi
                for c in 0..<x.cols { acc[c] += wi * Double(x[i, c]) }
            }
            if w > 0 { means[j] = acc.map { Float($0 / w) } }
        }
        return means
    }

    /// Naive silhouette score, O(n²) with direct Euclidean distances.
    static func naiveSilhouette(_ x: Matrix<Float>, labels: [Int32]) -> Double {
        let n = x.rows
        let k = Int(labels.max() ?? 0) + 1
        var total = 0.0
        for i in 0..<n {
            var sums = [Double](repeating: 0, count: k), counts = [Int](repeating: 0, count: k)
            for j in 0..<n where j != i {
                sums[Int(labels[j])] += sqDist(x.row(i), x.row(j)).squareRoot()
                counts[Int(labels[j])] += 1
            }
            let own = Int(labels[i])
            if counts[own] == 0 { continue }
            let a = sums[own] / Double(counts[own])
            var b = Double.infinity
            for c in 0..<k where c != own && counts[c] > 0 { b = min(b, sums[c] / Double(counts[c])) }
            total += (b - a) / max(a, b)
        }
        return total / Double(n)
    }

    /// Whether two labelings are the same partition (equal up to renaming clusters).
    static func samePartition(_ a: [Int32], _ b: [Int]) -> Bool {
        var ab: [Int32: Int] = [:], ba: [Int: Int32] = [:]
        for (x, y) in zip(a, b) {
            if let m = ab[x], m != y { return false }
            if let m = ba[y], m != x { return false }
            ab[x] = y; ba[y] = x
        }
        return true
    }
}
