import LinearAlgebra
import Runtime

/// Mini-batch KMeans (Sculley 2010, with scikit-learn's per-centre learning rate) for inputs too
/// large for full Lloyd iterations, e.g. 162k users × 62k movies of sparse ratings.
///
/// - Initialisation: `nInit` greedy k-means++ seedings, each on a seeded random subsample of
///   `min(n, max(3·batchSize, 3·k))` rows; the seeding with the lowest inertia on its subsample
///   is kept.
/// - Each step draws `batchSize` rows uniformly with replacement, assigns them to the nearest
///   centre and moves each centre to the weighted mean of everything it has absorbed so far:
///   `c ← c·W/(W + w_b) + Σ_b w·x / (W + w_b)` (a centre's first update replaces it by the batch
///   mean of its rows).
/// - Stopping: after `maxIter` passes' worth of steps (`maxIter · n / batchSize`), or when the
///   exponentially weighted average of the per-row batch inertia has not improved for
///   `maxNoImprovement` steps (scikit-learn's rule, `BatchInertiaMonitor`: the first step's
///   inertia, which measures the seeding, is left out of the average).
/// - Finally every row is labelled by the final centres (one full assignment pass) and the
///   inertia is computed over all rows.
///
/// Centres are stored as `s_j·u_j` with a per-centre scale `s_j` (lazy scaling), so a step costs
/// O(stored values of the batch × k), not O(k·d): the scaling of a whole centre is one multiply.
/// The update runs in batch order on one thread, so results depend only on the seed.
public struct MiniBatchKMeans: KMeansFitting {
    /// Number of clusters.
    public var k: Int
    /// Rows per step (≥ 1).
    public var batchSize: Int
    /// Maximum number of passes over the data, counted in steps (`maxIter · n / batchSize`).
    public var maxIter: Int
    /// Steps without improvement of the smoothed batch inertia before stopping (≥ 1).
    public var maxNoImprovement: Int
    /// Number of k-means++ seedings tried on subsamples (≥ 1).
    public var nInit: Int
    /// Seed of every random choice.
    public var seed: UInt64
    /// Kernel implementation for the seeding and the final assignment pass.
    public var backend: Backend
    /// Threads for the parallel loops (`nil` = default).
    public var threads: Int?

    /// Creates a configuration (checked by `fit`).
    public init(k: Int, batchSize: Int = 1024, maxIter: Int = 100, maxNoImprovement: Int = 10, nInit: Int = 3,
                seed: UInt64 = 0, backend: Backend = .default, threads: Int? = nil) {
        self.k = k
        self.batchSize = batchSize
        self.maxIter = maxIter
        self.maxNoImprovement = maxNoImprovement
        self.nInit = nInit
        self.seed = seed
        self.backend = backend
        self.threads = threads
    }

    /// Clusters dense or CSR rows (see the `fit(_:weights:)` overloads of `KMeansFitting`).
    public func fit(_ input: ClusterInput, weights: [Float]?) throws -> KMeansModel {
        let points = input.points
        let t = Threads.resolve(threads)
        let n = points.n, d = points.d
        let norms = points.squaredNorms(backend: backend, threads: t)
        try KMeans(k: k, nInit: nInit, maxIter: maxIter).validate(points, weights: weights, rowNorms: norms)
        guard batchSize >= 1 else { throw KMeansError.invalidParameter(name: "batchSize", value: "\(batchSize)", expected: "≥ 1") }
        guard maxNoImprovement >= 1 else {
            throw KMeansError.invalidParameter(name: "maxNoImprovement", value: "\(maxNoImprovement)", expected: "≥ 1")
        }

        // Seeding on subsamples.
        let initSize = min(n, max(3 * batchSize, 3 * k))
        var bestInit: [Float] = []
        var bestInitInertia = Double.infinity
        for r in 0..<nInit {
            var rng = SplitMix64.stream(seed: seed, index: UInt64(r))
            let idx = rng.sample(initSize, from: n).sorted()
            let sub = points.subset(idx)
            let subW = weights.map { w in idx.map { w[$0] } }
            let subNorms = idx.map { norms[$0] }
            let c = KMeansPlusPlus.seed(sub, rowNorms: subNorms, weights: subW, k: k, rng: &rng, backend: backend, threads: t)
            let a = AssignKernel.assign(sub, centres: Centres(k: k, d: d, values: c, backend: backend), backend: backend, threads: t)
            let inertia = a.inertia(weights: subW)
            if inertia < bestInitInertia || bestInit.isEmpty { bestInit = c; bestInitInertia = inertia }
        }

        var state = ScaledCentres(k: k, d: d, initial: bestInit)
        var rng = SplitMix64.stream(seed: seed, index: UInt64(nInit) &+ 0x5EED)
        let steps = max(1, Int((Double(maxIter) * Double(n) / Double(batchSize)).rounded(.up)))
        var monitor = BatchInertiaMonitor(batchSize: batchSize, rows: n, maxNoImprovement: maxNoImprovement)
        var performed = 0
        var converged = false
        var batch = [Int](repeating: 0, count: batchSize)
        var labels = [Int32](repeating: 0, count: batchSize)
        var dist = [Double](repeating: 0, count: batchSize)
        for step in 0..<steps {
            performed = step + 1
            for b in 0..<batchSize { batch[b] = rng.nextIndex(below: n) }
            state.assign(points, rows: batch, rowNorms: norms, labels: &labels, distances: &dist, threads: t)
            var batchInertia = 0.0
            for b in 0..<batchSize { batchInertia += (weights.map { Double($0[batch[b]]) } ?? 1) * dist[b] }
            state.update(points, rows: batch, labels: labels, weights: weights)

            if monitor.observe(meanBatchInertia: batchInertia / Double(batchSize)) { converged = true; break }
        }

        let final = state.materialised()
        let centres = Centres(k: k, d: d, values: final, backend: backend)
        let assignment = AssignKernel.assign(points, centres: centres, backend: backend, threads: t)
        return KMeansModel(centres: try Matrix(rows: k, cols: d, storage: final), labels: assignment.labels,
                           inertia: assignment.inertia(weights: weights), iterations: performed,
                           converged: converged, inertiaHistory: monitor.history)
    }
}
