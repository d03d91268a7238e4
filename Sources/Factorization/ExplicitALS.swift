import LinearAlgebra
import Runtime

/// Explicit-feedback ALS with biases: alternately solves, for every user, the ridge regression
/// of `r − μ − bᵢ` on `[yᵢ, 1]` over the user's ratings (unknowns `[xᵤ, bᵤ]`, penalty `λ·nᵤ`),
/// then the same for every item. Each half-step minimises the regularised squared error exactly
/// (Cholesky of a (k+1) × (k+1) system per row), so the objective never rises.
///
/// Deterministic for a seed, and independent of the thread count (rows are solved independently).
public enum ExplicitALS {
    /// Scale of the uniform `[−scale, scale)` initial factors.
    public static let initialScale: Float = 0.1

    /// Fits the model to `ratings` (users × items, stored values = ratings; every stored entry is
    /// an observation, zeros included).
    /// - Throws: `.invalidParameter`, `.invalidInput` (non-finite ratings), `.solveFailed`.
    public static func fit(ratings: SparseMatrix, parameters: ExplicitALSParameters,
                           progress: (any ProgressReporter)? = nil) throws(ALSError) -> ExplicitALSModel {
        try parameters.validate()
        for (p, v) in ratings.values.enumerated() where !v.isFinite {
            throw .invalidInput("rating at (row \(ImplicitALS.rowOfEntry(ratings, p)), column \(ratings.columns[p])) is \(v)")
        }
        let k = parameters.factors
        var sum = 0.0
        for v in ratings.values { sum += Double(v) }
        let mean = ratings.nonZeroCount > 0 ? Float(sum / Double(ratings.nonZeroCount)) : 0
        let lo = ratings.values.min() ?? 0, hi = ratings.values.max() ?? 0
        let transposed = ratings.transposed()
        var rng = SplitMix64(seed: parameters.seed)
        var itemFactors = randomFactors(rows: ratings.cols, k: k, rng: &rng)
        var userFactors = randomFactors(rows: ratings.rows, k: k, rng: &rng)
        var userBias = [Float](repeating: 0, count: ratings.rows)
        var itemBias = [Float](repeating: 0, count: ratings.cols)
        let threads = Threads.resolve(parameters.threads)
        progress?.begin("explicit ALS", total: parameters.iterations)
        defer { progress?.end() }
        for _ in 0..<parameters.iterations {
            try solveSide(ratings, mean: mean, fixed: itemFactors, fixedBias: itemBias,
                          target: &userFactors, targetBias: &userBias, parameters: parameters, threads: threads)
            try solveSide(transposed, mean: mean, fixed: userFactors, fixedBias: userBias,
                          target: &itemFactors, targetBias: &itemBias, parameters: parameters, threads: threads)
            progress?.advance(1)
        }
        return try ExplicitALSModel(globalMean: mean, userBias: userBias, itemBias: itemBias,
                                    userFactors: userFactors, itemFactors: itemFactors,
                                    ratingRange: lo...max(lo, hi), parameters: parameters)
    }

    static func randomFactors(rows: Int, k: Int, rng: inout SplitMix64) -> Matrix<Float> {
        var m = Matrix<Float>.zeros(rows: rows, cols: k)
        m.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = (2 * rng.nextUnitFloat() - 1) * initialScale }
        }
        return m
    }

    /// One half-step: every row of `target` (and its bias) from `fixed`.
    static func solveSide(_ rows: SparseMatrix, mean: Float, fixed: Matrix<Float>, fixedBias: [Float],
                          target: inout Matrix<Float>, targetBias: inout [Float],
                          parameters: ExplicitALSParameters, threads: Int) throws(ALSError) {
        let k = parameters.factors, n = k + 1
        let blockSize = 32
        let blocks = (rows.rows + blockSize - 1) / blockSize
        var errors = [ALSError?](repeating: nil, count: blocks)
        let lambda = parameters.regularization, backend = parameters.backend
        let offsets = rows.rowOffsets, rowCount = rows.rows
        fixed.withUnsafeBufferPointer { yp in
            fixedBias.withUnsafeBufferPointer { fbp in
                rows.columns.withUnsafeBufferPointer { cp in
                    rows.values.withUnsafeBufferPointer { vp in
                        target.withUnsafeMutableBufferPointer { xp in
                            targetBias.withUnsafeMutableBufferPointer { tbp in
                                errors.withUnsafeMutableBufferPointer { ep in
                                    let shared = UnsafeSendable((yp.baseAddress, fbp.baseAddress, cp.baseAddress, vp.baseAddress,
                                                                 xp.baseAddress, tbp.baseAddress, ep.baseAddress))
                                    BLASThreads.with(1) {
                                        parallelFor(chunks: blocks, threads: threads) { block in
                                            let (yq, fbq, cq, vq, xq, tbq, eq) = shared.value
                                            guard let tb = tbq, let e = eq else { return }
                                            let a = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
                                            let b = UnsafeMutablePointer<Float>.allocate(capacity: n)
                                            var features = [Float]()
                                            var pointers = [UnsafePointer<Float>]()
                                            var ones = [Float]()
                                            defer { a.deallocate(); b.deallocate() }
                                            let r0 = block * blockSize, r1 = min(rowCount, r0 + blockSize)
                                            for r in r0..<r1 {
                                                let range = Int(offsets[r])..<Int(offsets[r + 1])
                                                guard !range.isEmpty, let fb = fbq, let c = cq, let v = vq else {
                                                    if let x = xq { (x + r * k).update(repeating: 0, count: k) }
                                                    tb[r] = 0
                                                    continue
                                                }
                                                // With k = 0 the factor arrays are empty (no pointer); nothing is read.
                                                let y = yq ?? UnsafePointer(b)
                                                // Gather [y_i, 1] rows and accumulate b = Σ z·[y_i, 1].
                                                features.removeAll(keepingCapacity: true)
                                                b.update(repeating: 0, count: n)
                                                for p in range {
                                                    let i = Int(c[p])
                                                    let z = v[p] - mean - fb[i]
                                                    for f in 0..<k {
                                                        let yv = y[i * k + f]
                                                        features.append(yv)
                                                        b[f] += z * yv
                                                    }
                                                    features.append(1)
                                                    b[k] += z
                                                }
                                                a.update(repeating: 0, count: n * n)
                                                let reg = lambda * Float(range.count)
                                                for d in 0..<n { a[d * n + d] = reg }
                                                features.withUnsafeBufferPointer { fp in
                                                    guard let base = fp.baseAddress else { return }
                                                    pointers.removeAll(keepingCapacity: true)
                                                    for j in 0..<range.count { pointers.append(base + j * n) }
                                                    if ones.count < range.count { ones = [Float](repeating: 1, count: range.count) }
                                                    pointers.withUnsafeBufferPointer { pp in
                                                        ones.withUnsafeBufferPointer { op in
                                                            guard let pv = pp.baseAddress, let ov = op.baseAddress else { return }
                                                            VectorOps.rankUpdate(a, n: n, vectors: pv, weights: ov, count: range.count)
                                                        }
                                                    }
                                                }
                                                do {
                                                    try Cholesky.solveInPlace(a, b, n: n, nrhs: 1, backend: backend)
                                                } catch {
                                                    e[block] = .solveFailed("row \(r): \(error)")
                                                    return
                                                }
                                                if let x = xq { (x + r * k).update(from: b, count: k) }
                                                tb[r] = b[k]
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let first = errors.compactMap({ $0 }).first { throw first }
    }

    /// The regularised objective `Σ (r − r̂)² + λ Σ_rows n·(‖x‖² + b²)` (both sides), in Double.
    public static func loss(ratings: SparseMatrix, model: ExplicitALSModel) throws(ALSError) -> Double {
        guard ratings.rows == model.users, ratings.cols == model.items else {
            throw .invalidInput("matrix is \(ratings.rows)x\(ratings.cols) but the model has \(model.users) users and \(model.items) items")
        }
        let k = model.factors
        var total = 0.0
        var userCount = [Int](repeating: 0, count: ratings.rows), itemCount = [Int](repeating: 0, count: ratings.cols)
        for u in 0..<ratings.rows {
            for p in ratings.range(ofRow: u) {
                let i = Int(ratings.columns[p])
                userCount[u] += 1
                itemCount[i] += 1
                var s = Double(model.globalMean) + Double(model.userBias[u]) + Double(model.itemBias[i])
                for f in 0..<k { s += Double(model.userFactors[u, f]) * Double(model.itemFactors[i, f]) }
                let d = Double(ratings.values[p]) - s
                total += d * d
            }
        }
        let lambda = Double(model.parameters.regularization)
        for u in 0..<ratings.rows {
            var sq = Double(model.userBias[u]) * Double(model.userBias[u])
            for f in 0..<k { sq += Double(model.userFactors[u, f]) * Double(model.userFactors[u, f]) }
            total += lambda * Double(userCount[u]) * sq
        }
        for i in 0..<ratings.cols {
            var sq = Double(model.itemBias[i]) * Double(model.itemBias[i])
            for f in 0..<k { sq += Double(model.itemFactors[i, f]) * Double(model.itemFactors[i, f]) }
            total += lambda * Double(itemCount[i]) * sq
        }
        return total
    }
}
