import LinearAlgebra
import Runtime

/// Per-cluster column statistics of a sparse matrix: for each cluster c and column j, the
/// number of stored values of rows in c, their sum, and the shrunk mean
/// `(sum + m·prior) / (count + m)`.
///
/// With rows = users, columns = items and values = ratings this is the cluster × item affinity:
/// the mean rating of each item among each cluster's raters, pulled toward `prior` when few of
/// them rated it (m = `shrinkage` pseudo-ratings at the prior). Computed as one-hot(labels)ᵀ × X
/// by the sparse-transposed × dense kernel (`spmm(X, transposeA: true, H)`, H the n × k one-hot
/// matrix), once for the values and once for the sparsity pattern — X is never densified.
public struct ClusterProfiles: Sendable, Equatable {
    /// Number of clusters.
    public let k: Int
    /// Number of columns.
    public let columns: Int
    /// Stored values per cluster and column (`k × columns`).
    public let counts: Matrix<Float>
    /// Sum of stored values per cluster and column (`k × columns`).
    public let sums: Matrix<Float>
    /// `(sum + shrinkage·prior) / (count + shrinkage)` (`k × columns`); `prior` where count = 0.
    public let shrunkMeans: Matrix<Float>
    /// The value the means are shrunk toward.
    public let prior: Double
    /// Pseudo-count `m` of the shrinkage (≥ 0; 0 = plain means, `prior` for empty cells).
    public let shrinkage: Double

    /// Computes the profiles of `labels` (one per row of `x`, in `0..<k`).
    public init(_ x: SparseMatrix, labels: [Int32], k: Int, prior: Double, shrinkage: Double,
                backend: Backend = .default, threads: Int? = nil) throws {
        guard labels.count == x.rows else {
            throw KMeansError.invalidParameter(name: "labels", value: "\(labels.count) labels", expected: "one per row (\(x.rows))")
        }
        guard k >= 1 else { throw KMeansError.invalidParameter(name: "k", value: "\(k)", expected: "≥ 1") }
        if let bad = labels.first(where: { $0 < 0 || Int($0) >= k }) {
            throw KMeansError.invalidParameter(name: "labels", value: "\(bad)", expected: "cluster indices in 0..<\(k)")
        }
        guard shrinkage >= 0, shrinkage.isFinite else {
            throw KMeansError.invalidParameter(name: "shrinkage", value: "\(shrinkage)", expected: "a finite value ≥ 0")
        }
        guard prior.isFinite else { throw KMeansError.invalidParameter(name: "prior", value: "\(prior)", expected: "a finite value") }
        let t = Threads.resolve(threads)
        var oneHot = Matrix<Float>.zeros(rows: x.rows, cols: k)
        for (i, l) in labels.enumerated() { oneHot[i, Int(l)] = 1 }
        // (Xᵀ H) is columns × k; transpose to k × columns.
        let sumsT = try spmm(x, transposeA: true, oneHot, backend: backend, threads: t)
        let countsT = try spmm(x.mapValues { _ in 1 }, transposeA: true, oneHot, backend: backend, threads: t)
        let sumValues = sumsT.transposed(), countValues = countsT.transposed()
        sums = sumValues
        counts = countValues
        var means = Matrix<Float>.zeros(rows: k, cols: x.cols)
        means.withUnsafeMutableBufferPointer { mp in
            for p in 0..<mp.count {
                let c = Double(countValues.storage[p]), s = Double(sumValues.storage[p])
                let den = c + shrinkage
                mp[p] = Float(den > 0 ? (s + shrinkage * prior) / den : prior)
            }
        }
        shrunkMeans = means
        self.k = k
        self.columns = x.cols
        self.prior = prior
        self.shrinkage = shrinkage
    }

    /// Cosine similarity between clusters of their profiles' deviations from the prior
    /// (`shrunkMeans − prior`, so items nobody in a cluster rated contribute 0): `k × k`,
    /// 1 on the diagonal; a cluster whose deviations are all zero has similarity 0 to others.
    public func clusterCosine(backend: Backend = .default) throws -> Matrix<Float> {
        var dev = shrunkMeans
        dev.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] -= Float(prior) } }
        let unit = normalizedRows(dev, backend: backend, threads: 1)
        var g = try gemm(unit, unit, transposeB: true, backend: backend, threads: 1)
        for i in 0..<k { g[i, i] = 1 }
        return g
    }
}
