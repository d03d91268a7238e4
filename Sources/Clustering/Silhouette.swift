import Foundation
import LinearAlgebra
import Runtime

/// The silhouette coefficient of a clustering (Rousseeuw 1987), Euclidean distance.
///
/// For row i in cluster A: a(i) = mean distance to the other rows of A, b(i) = the smallest mean
/// distance to the rows of another cluster, s(i) = (b − a) / max(a, b), and s(i) = 0 when A has
/// a single row. The score is the mean of s(i). When `sampleSize` is given and smaller than n,
/// the score is computed on a seeded uniform sample of that many rows (distances among the
/// sample only), as scikit-learn's `silhouette_score(sample_size:)` does.
///
/// Distances come from the Gram matrix of the (sampled) rows, computed in row blocks, so memory
/// is O(block × m), never m × m.
public enum Silhouette {
    /// Silhouette score of `labels` for the rows of a dense matrix.
    public static func score(_ x: Matrix<Float>, labels: [Int32], sampleSize: Int? = nil, seed: UInt64 = 0,
                             backend: Backend = .default, threads: Int? = nil) throws -> Double {
        try score(points: Points(x), labels: labels, sampleSize: sampleSize, seed: seed, backend: backend, threads: threads)
    }

    /// Silhouette score of `labels` for the rows of a CSR matrix.
    public static func score(_ x: SparseMatrix, labels: [Int32], sampleSize: Int? = nil, seed: UInt64 = 0,
                             backend: Backend = .default, threads: Int? = nil) throws -> Double {
        try score(points: Points(x), labels: labels, sampleSize: sampleSize, seed: seed, backend: backend, threads: threads)
    }

    static func score(points: Points, labels: [Int32], sampleSize: Int?, seed: UInt64,
                      backend: Backend, threads: Int?) throws -> Double {
        let n = points.n
        guard labels.count == n else {
            throw KMeansError.invalidParameter(name: "labels", value: "\(labels.count) labels", expected: "one per row (\(n))")
        }
        if let s = sampleSize, s < 2 {
            throw KMeansError.invalidParameter(name: "sampleSize", value: "\(s)", expected: "≥ 2")
        }
        if let bad = labels.first(where: { $0 < 0 }) {
            throw KMeansError.invalidParameter(name: "labels", value: "\(bad)", expected: "non-negative cluster indices")
        }
        var idx = Array(0..<n)
        if let s = sampleSize, s < n {
            var rng = SplitMix64(seed: seed)
            idx = rng.sample(s, from: n).sorted()
        }
        let sub = idx.count == n ? points : points.subset(idx)
        let subLabels = idx.map { Int(labels[$0]) }
        let k = (subLabels.max() ?? 0) + 1
        var sizes = [Int](repeating: 0, count: k)
        for l in subLabels { sizes[l] += 1 }
        let used = sizes.filter { $0 > 0 }.count
        let m = idx.count
        guard used >= 2, used <= m - 1 else {
            throw KMeansError.invalidParameter(name: "labels", value: "\(used) distinct clusters among \(m) rows",
                                               expected: "between 2 and rows − 1 clusters")
        }
        let t = Threads.resolve(threads)
        let norms = sub.squaredNorms(backend: backend, threads: t)
        var s = [Double](repeating: 0, count: m)
        let block = 256
        let blocks = (m + block - 1) / block
        s.withUnsafeMutableBufferPointer { sb in
            let S = UnsafeSendable(sb)
            parallelFor(chunks: blocks, threads: t) { bi in
                let range = (bi * block)..<min(m, (bi + 1) * block)
                let gram = PairwiseDots.block(sub, rows: range, backend: backend)
                var sums = [Double](repeating: 0, count: k)
                for (r, i) in range.enumerated() {
                    for c in 0..<k { sums[c] = 0 }
                    for j in 0..<m where j != i {
                        let dd = Double(norms[i]) + Double(norms[j]) - 2 * Double(gram[r * m + j])
                        sums[subLabels[j]] += dd > 0 ? dd.squareRoot() : 0
                    }
                    let own = subLabels[i]
                    guard sizes[own] > 1 else { S.value[i] = 0; continue }
                    let a = sums[own] / Double(sizes[own] - 1)
                    var b = Double.infinity
                    for c in 0..<k where c != own && sizes[c] > 0 { b = min(b, sums[c] / Double(sizes[c])) }
                    let den = max(a, b)
                    S.value[i] = den > 0 ? (b - a) / den : 0
                }
            }
        }
        return s.reduce(0, +) / Double(m)
    }
}

/// Dot products of a block of rows with every row of the same matrix (a slice of X·Xᵀ):
/// GEMM for dense rows, the sparse × sparseᵀ product for CSR rows.
enum PairwiseDots {
    /// Row-major `rows.count × n` dot products.
    static func block(_ points: Points, rows: Range<Int>, backend: Backend) -> [Float] {
        let n = points.n
        do {
            switch points {
            case .dense(let m):
                return try gemm(m.rows(rows), m, transposeB: true, backend: backend, threads: 1).storage
            case .sparse(let s):
                let g = try sparseProductTransposed(s.rows(rows), s, threads: 1)
                var out = [Float](repeating: 0, count: rows.count * n)
                for r in 0..<g.rows { for p in g.range(ofRow: r) { out[r * n + Int(g.columns[p])] = g.values[p] } }
                return out
            }
        } catch {
            preconditionFailure("internal: pairwise products failed: \(error)")
        }
    }
}
