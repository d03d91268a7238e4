import LinearAlgebra
import Runtime

/// A fitted KMeans model: the centres, the training rows' labels and the fit's statistics.
public struct KMeansModel: Sendable, Equatable {
    /// `k × d` centres (row-major).
    public let centres: Matrix<Float>
    /// Cluster of each training row, in `0..<k`.
    public let labels: [Int32]
    /// Σ wᵢ‖xᵢ − c(xᵢ)‖² of the training rows (double precision).
    public let inertia: Double
    /// Lloyd iterations (or mini-batch steps) of the kept run.
    public let iterations: Int
    /// Whether the kept run stopped on its convergence test rather than the iteration cap.
    public let converged: Bool
    /// Inertia after each assignment step of the kept run (non-increasing for Lloyd; for
    /// mini-batch KMeans the smoothed per-row batch inertia of every step but the first).
    public let inertiaHistory: [Double]

    /// Number of clusters.
    public var k: Int { centres.rows }

    /// Number of training rows in each cluster.
    public var sizes: [Int] {
        var s = [Int](repeating: 0, count: k)
        for l in labels { s[Int(l)] += 1 }
        return s
    }

    /// Nearest centre of each row of `x` (ties to the lower index).
    public func predict(_ x: Matrix<Float>, backend: Backend = .default, threads: Int? = nil) throws -> [Int32] {
        try predict(points: Points(x), backend: backend, threads: threads).labels
    }

    /// Nearest centre of each row of a CSR matrix.
    public func predict(_ x: SparseMatrix, backend: Backend = .default, threads: Int? = nil) throws -> [Int32] {
        try predict(points: Points(x), backend: backend, threads: threads).labels
    }

    func predict(points: Points, backend: Backend, threads: Int?) throws -> Assignment {
        guard points.d == centres.cols else { throw KMeansError.dimensionMismatch(expected: centres.cols, got: points.d) }
        if let (r, c) = points.firstNonFinite() { throw KMeansError.nonFiniteValue(row: r, column: c) }
        let t = Threads.resolve(threads)
        let cs = Centres(k: k, d: centres.cols, values: centres.storage, backend: backend)
        return AssignKernel.assign(points, centres: cs, backend: backend, threads: t)
    }
}
