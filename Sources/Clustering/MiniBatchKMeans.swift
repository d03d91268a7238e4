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
        try KMeans(k: k, nInit: nInit, maxIter: maxIter).validate(points, weights: weights)
        guard batchSize >= 1 else { throw KMeansError.invalidParameter(name: "batchSize", value: "\(batchSize)", expected: "≥ 1") }
        guard maxNoImprovement >= 1 else {
            throw KMeansError.invalidParameter(name: "maxNoImprovement", value: "\(maxNoImprovement)", expected: "≥ 1")
        }
        let t = Threads.resolve(threads)
        let n = points.n, d = points.d
        let norms = points.squaredNorms(backend: backend, threads: t)

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

/// Centres `c_j = s_j·u_j` with `u` stored column-major (`d × kp`, double precision, `kp` = `k`
/// rounded up to 8 lanes, padding lanes zero) so that the dot products of a row with all centres
/// read one contiguous, aligned run of `SIMD8<Double>` per stored value, and a centre is rescaled
/// by changing `s_j` alone.
///
/// Rows are read through raw pointers (`RawRows`), with no per-value closure or copy-on-write
/// check: a step costs a handful of vector operations per stored value of the batch. Sums are
/// formed in the same order and with the same (unfused) operations as a scalar loop, so results
/// do not depend on the lane layout.
struct ScaledCentres {
    let k: Int
    let d: Int
    /// Lanes per stored column: `k` rounded up to a multiple of 8.
    let kp: Int
    var u: [Double]
    var scale: [Double]
    var uNorms: [Double]
    var mass: [Double]

    init(k: Int, d: Int, initial: [Float]) {
        self.k = k
        self.d = d
        kp = (k + 7) / 8 * 8
        u = [Double](repeating: 0, count: kp * d)
        for j in 0..<k { for c in 0..<d { u[c * kp + j] = Double(initial[j * d + c]) } }
        scale = [Double](repeating: 1, count: k)
        uNorms = [Double](repeating: 0, count: k)
        mass = [Double](repeating: 0, count: k)
        refreshNorms()
    }

    /// Recomputes every ‖u_j‖² (after each update: one pass over `u`, a vector multiply–add per
    /// stored column, far cheaper than maintaining the norms value by value).
    mutating func refreshNorms() {
        let k = self.k, d = self.d, blocks = kp / 8
        var sums = [SIMD8<Double>](repeating: SIMD8(), count: blocks)
        u.withUnsafeBytes { raw in
            for c in 0..<d {
                for q in 0..<blocks {
                    let x = raw.loadUnaligned(fromByteOffset: (c * blocks + q) * 64, as: SIMD8<Double>.self)
                    sums[q] = sums[q] + x * x
                }
            }
        }
        for j in 0..<k { uNorms[j] = sums[j / 8][j % 8] }
    }

    /// Nearest centre of each listed row, rows in parallel.
    func assign(_ points: Points, rows: [Int], rowNorms: [Float], labels: inout [Int32], distances: inout [Double], threads: Int) {
        let k = self.k, kp = self.kp, blocks = kp / 8
        labels.withUnsafeMutableBufferPointer { lb in
            distances.withUnsafeMutableBufferPointer { xb in
                u.withUnsafeBufferPointer { ub in
                    points.withRawRows { raw in
                        let L = UnsafeSendable(lb), X = UnsafeSendable(xb), U = UnsafeSendable(ub)
                        parallelRanges(rows.count, threads: threads, minBlock: 256) { range in
                            guard let base = U.value.baseAddress else { return }
                            // Array storage is only 16-byte aligned: unaligned vector loads.
                            let lanes = UnsafeRawPointer(base)
                            let columnBytes = kp * MemoryLayout<Double>.stride
                            withUnsafeTemporaryAllocation(of: SIMD8<Double>.self, capacity: blocks) { acc in
                                for b in range {
                                    let i = rows[b]
                                    if b + 16 < range.upperBound { raw.prefetchOffsets(row: rows[b + 16]) }
                                    if b + 8 < range.upperBound { raw.prefetch(row: rows[b + 8]) }
                                    if blocks == 1 {
                                        // k ≤ 8: the accumulator stays in a register.
                                        var a = SIMD8<Double>()
                                        raw.forEachValue(ofRow: i) { c, v in
                                            a = a + SIMD8(repeating: Double(v)) * (lanes + c * columnBytes).loadUnaligned(as: SIMD8<Double>.self)
                                        }
                                        acc[0] = a
                                    } else {
                                        for q in 0..<blocks { acc[q] = SIMD8() }
                                        raw.forEachValue(ofRow: i) { c, v in
                                            let x = SIMD8<Double>(repeating: Double(v))
                                            let col = lanes + c * columnBytes
                                            for q in 0..<blocks {
                                                acc[q] = acc[q] + x * col.loadUnaligned(fromByteOffset: q * 64, as: SIMD8<Double>.self)
                                            }
                                        }
                                    }
                                    var best = 0
                                    var bestD = Double.infinity
                                    for j in 0..<k {
                                        let s = scale[j]
                                        let dist = Double(rowNorms[i]) - 2 * s * acc[j / 8][j % 8] + s * s * uNorms[j]
                                        if dist < bestD { bestD = dist; best = j }
                                    }
                                    L.value[b] = Int32(best)
                                    X.value[b] = max(0, bestD)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Moves each centre to the running weighted mean of the rows it has absorbed.
    mutating func update(_ points: Points, rows: [Int], labels: [Int32], weights: [Float]?) {
        var batchMass = [Double](repeating: 0, count: k)
        for (b, i) in rows.enumerated() { batchMass[Int(labels[b])] += weights.map { Double($0[i]) } ?? 1 }
        // New scale per touched centre; a centre's first update forgets its seed value.
        var coefficient = [Double](repeating: 0, count: k)
        for j in 0..<k where batchMass[j] > 0 {
            let newMass = mass[j] + batchMass[j]
            if mass[j] == 0 {
                for c in 0..<d { u[c * kp + j] = 0 }
                scale[j] = 1
            } else {
                scale[j] *= mass[j] / newMass
            }
            mass[j] = newMass
            coefficient[j] = 1 / (newMass * scale[j])
        }
        let kp = self.kp
        u.withUnsafeMutableBufferPointer { ub in
            guard let uu = ub.baseAddress else { return }
            points.withRawRows { raw in
                for (b, i) in rows.enumerated() {
                    if b + 16 < rows.count { raw.prefetchOffsets(row: rows[b + 16]) }
                    if b + 8 < rows.count { raw.prefetch(row: rows[b + 8]) }
                    let j = Int(labels[b])
                    let a = coefficient[j] * (weights.map { Double($0[i]) } ?? 1)
                    if a == 0 { continue }
                    raw.forEachValue(ofRow: i) { c, v in
                        let slot = uu + (c * kp + j)
                        slot.pointee = slot.pointee + a * Double(v)
                    }
                }
            }
        }
        // Fold tiny scales back into u to keep u's magnitude bounded.
        for j in 0..<k where scale[j] < 1e-6 {
            let s = scale[j]
            for c in 0..<d { u[c * kp + j] *= s }
            scale[j] = 1
        }
        refreshNorms()
    }

    /// The centres as row-major `k × d` floats.
    func materialised() -> [Float] {
        var out = [Float](repeating: 0, count: k * d)
        for j in 0..<k { for c in 0..<d { out[j * d + c] = Float(scale[j] * u[c * kp + j]) } }
        return out
    }
}
