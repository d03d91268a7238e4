import LinearAlgebra
import Runtime

/// KMeans clustering (Lloyd's algorithm with greedy k-means++ seeding), on dense or CSR rows.
///
/// Semantics follow scikit-learn's `KMeans(init="k-means++", algorithm="lloyd")`:
/// - `tol` is relative: the run stops when the total squared centre shift is at most
///   `tol × mean over columns of the column variance` (zeros of sparse input count as values);
///   it also stops when no label changed.
/// - `nInit` seeded restarts; the one with the lowest inertia is kept (the first on ties).
///   With `initialCentres` set, one run starts from exactly those centres (scikit-learn's
///   array `init`; `nInit` is then ignored).
/// - Optional non-negative sample weights: a row of weight 2 acts as two copies of the row.
/// - Empty clusters are moved to the rows farthest from their centres.
///
/// Distances are ‖x‖² − 2x·c + ‖c‖² fused with the argmin, in parallel row blocks; the centre
/// update accumulates in double precision per cluster in row order. Small dense inputs (Swift
/// backend, n·d·k below `Lloyd.laneWorkLimit`) take the row-lane path instead: each restart on
/// one thread with the assignment, inertia and centre sums fused in one pass (`LaneKernel`), and
/// the restarts as parallel tasks — the same results. Results depend only on the seed (not on
/// the thread count).
public struct KMeans: KMeansFitting {
    /// Number of clusters (1 ≤ k ≤ rows).
    public var k: Int
    /// Number of seeded restarts (≥ 1).
    public var nInit: Int
    /// Maximum Lloyd iterations per restart (≥ 1).
    public var maxIter: Int
    /// Relative tolerance on the centre shift (≥ 0), scikit-learn semantics.
    public var tol: Double
    /// Seed of every random choice.
    public var seed: UInt64
    /// Kernel implementation (OpenBLAS or pure Swift).
    public var backend: Backend
    /// Threads for the parallel loops (`nil` = `Threads.defaultCount`).
    public var threads: Int?
    /// Start from these `k × d` centres instead of k-means++ (one run). `nil`: k-means++.
    public var initialCentres: Matrix<Float>? = nil

    /// Creates a configuration; values are checked by `fit`.
    public init(k: Int, nInit: Int = 10, maxIter: Int = 300, tol: Double = 1e-4, seed: UInt64 = 0,
                backend: Backend = .default, threads: Int? = nil) {
        self.k = k
        self.nInit = nInit
        self.maxIter = maxIter
        self.tol = tol
        self.seed = seed
        self.backend = backend
        self.threads = threads
    }

    /// Clusters dense or CSR rows (see the `fit(_:weights:)` overloads of `KMeansFitting`).
    public func fit(_ input: ClusterInput, weights: [Float]?) throws -> KMeansModel {
        let points = input.points
        let t = Threads.resolve(threads)
        let norms = points.squaredNorms(backend: backend, threads: t)
        try validate(points, weights: weights, rowNorms: norms)
        let given = try initialCentres.map { try KMeans.validate(initialCentres: $0, k: k, d: points.d) }
        let scaledTol = tol * points.meanColumnVariance()
        let runs = given == nil ? nInit : 1
        // Small dense work runs each restart on one thread (row-lane kernel) and the restarts as
        // independent tasks; otherwise restarts run in turn, parallel inside each iteration.
        let lanes: LaneRows?
        if case .dense(let m) = points, Lloyd.usesLanes(points, k: k, backend: backend) {
            lanes = LaneRows(m, rowNorms: norms)
        } else {
            lanes = nil
        }
        let inner = lanes == nil ? t : 1
        func restart(_ r: Int) -> Lloyd.Outcome {
            var rng = SplitMix64.stream(seed: seed, index: UInt64(r))
            let initial = given ?? KMeansPlusPlus.seed(points, rowNorms: norms, weights: weights, k: k, rng: &rng, backend: backend, threads: inner,
                                                          lanes: lanes)
            return Lloyd.run(points, weights: weights, initial: initial, k: k,
                             maxIter: maxIter, tol: scaledTol, backend: backend, threads: inner, rowNorms: norms, lanes: lanes)
        }
        var outcomes = [Lloyd.Outcome?](repeating: nil, count: runs)
        if lanes != nil && t > 1 && runs > 1 {
            outcomes.withUnsafeMutableBufferPointer { op in
                let slots = UnsafeSendable(op)
                DynamicTasks.run(runs, threads: t) { r in slots.value[r] = restart(r) }
            }
        } else {
            for r in 0..<runs { outcomes[r] = restart(r) }
        }
        // The lowest inertia wins, the first restart on ties (independent of the thread count).
        var best: Lloyd.Outcome? = nil
        var bestInertia = Double.infinity
        for case let outcome? in outcomes {
            let inertia = outcome.assignment.inertia(weights: weights)
            if best == nil || inertia < bestInertia { best = outcome; bestInertia = inertia }
        }
        guard let b = best else { throw KMeansError.invalidParameter(name: "nInit", value: "\(nInit)", expected: "≥ 1") }
        return KMeansModel(
            centres: try Matrix(rows: k, cols: points.d, storage: b.centres),
            labels: b.assignment.labels, inertia: bestInertia, iterations: b.iterations,
            converged: b.converged, inertiaHistory: b.history)
    }

    /// Checks the parameters against `points`, then the values (through `rowNorms`, ‖xᵢ‖² of
    /// every row: see `Points.firstNonFinite(rowNorms:)`) and the weights.
    func validate(_ points: Points, weights: [Float]?, rowNorms: [Float]) throws {
        guard points.n > 0, points.d > 0 else { throw KMeansError.emptyInput(rows: points.n, columns: points.d) }
        guard k >= 1, k <= points.n else { throw KMeansError.invalidClusterCount(k: k, samples: points.n) }
        guard nInit >= 1 else { throw KMeansError.invalidParameter(name: "nInit", value: "\(nInit)", expected: "≥ 1") }
        guard maxIter >= 1 else { throw KMeansError.invalidParameter(name: "maxIter", value: "\(maxIter)", expected: "≥ 1") }
        guard tol >= 0, tol.isFinite else { throw KMeansError.invalidParameter(name: "tol", value: "\(tol)", expected: "a finite value ≥ 0") }
        if let (r, c) = points.firstNonFinite(rowNorms: rowNorms) { throw KMeansError.nonFiniteValue(row: r, column: c) }
        try KMeans.validate(weights: weights, count: points.n)
    }

    /// The storage of `c` if it is a finite `k × d` matrix.
    static func validate(initialCentres c: Matrix<Float>, k: Int, d: Int) throws -> [Float] {
        guard c.rows == k, c.cols == d else {
            throw KMeansError.invalidParameter(name: "initialCentres", value: "\(c.rows)x\(c.cols)", expected: "\(k)x\(d) (k × columns)")
        }
        if let bad = c.storage.firstIndex(where: { !$0.isFinite }) {
            throw KMeansError.invalidParameter(name: "initialCentres", value: "\(c.storage[bad]) at centre \(bad / d), column \(bad % d)",
                                               expected: "finite values")
        }
        return c.storage
    }

    static func validate(weights: [Float]?, count: Int) throws {
        guard let w = weights else { return }
        guard w.count == count else { throw KMeansError.invalidWeights(reason: "\(w.count) weights for \(count) rows") }
        var total = 0.0
        for (i, x) in w.enumerated() {
            guard x.isFinite, x >= 0 else { throw KMeansError.invalidWeights(reason: "weight of row \(i) is \(x); weights must be finite and ≥ 0") }
            total += Double(x)
        }
        guard total > 0 else { throw KMeansError.invalidWeights(reason: "all weights are zero") }
    }
}

extension Points {
    init(_ m: Matrix<Float>) { self = .dense(m) }
    init(_ s: SparseMatrix) { self = .sparse(s) }
}

/// The rows to cluster: a dense matrix or a CSR matrix (never densified).
public struct ClusterInput: Sendable {
    let points: Points
    /// Dense rows.
    public init(_ x: Matrix<Float>) { points = .dense(x) }
    /// CSR rows.
    public init(_ x: SparseMatrix) { points = .sparse(x) }
}

/// A KMeans algorithm (full Lloyd or mini-batch): clusters dense or CSR rows into a `KMeansModel`.
public protocol KMeansFitting: Sendable {
    /// Clusters `input`'s rows, optionally weighted (non-negative, finite, not all zero).
    func fit(_ input: ClusterInput, weights: [Float]?) throws -> KMeansModel
}

extension KMeansFitting {
    /// Clusters the rows of a dense matrix.
    public func fit(_ x: Matrix<Float>, weights: [Float]? = nil) throws -> KMeansModel {
        try fit(ClusterInput(x), weights: weights)
    }

    /// Clusters the rows of a CSR matrix (never densified).
    public func fit(_ x: SparseMatrix, weights: [Float]? = nil) throws -> KMeansModel {
        try fit(ClusterInput(x), weights: weights)
    }
}
