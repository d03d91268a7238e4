import LinearAlgebra
import Runtime

/// Implicit-feedback alternating least squares (Hu, Koren & Volinsky 2008).
///
/// The input is a CSR matrix whose rows are users and columns items; stored values become
/// preference strengths through `ImplicitALSParameters.preference`. Each sweep solves every
/// user's factors with the item factors fixed, then every item's with the user factors fixed.
/// The Gram matrix `YᵀY` is formed once per half-sweep by GEMM (OpenBLAS on `.blas`, our SGEMM on
/// `.swift`), and each row's k × k system is solved by Cholesky (LAPACKE `posv` / our Cholesky) or
/// by warm-started conjugate gradient.
///
/// Determinism: each row's solve reads only the fixed side and that row's entries, and the Gram
/// matrix is computed single-threaded, so the factors are identical for every thread count given
/// the same seed, parameters and backend.
public enum ImplicitALS {
    /// Scale of the uniform `[0, scale)` initial factors (as in the `implicit` library).
    public static let initialScale: Float = 0.01

    /// Fits user and item factors.
    /// - Parameters:
    ///   - interactions: users × items, values ≥ 0 after the preference transform.
    ///   - progress: receives one stage, "ALS", with one unit per sweep.
    /// - Throws: `.invalidParameter`, `.invalidInput` (negative / non-finite strengths),
    ///   `.solveFailed` (only possible with λ = 0).
    public static func fit(_ interactions: SparseMatrix, parameters: ImplicitALSParameters,
                           progress: (any ProgressReporter)? = nil) throws(ALSError) -> ALSModel {
        try parameters.validate()
        let k = parameters.factors
        let userWeights = try ImplicitWeights(values: interactions.values, rowOf: { rowOfEntry(interactions, $0) },
                                              colOf: { Int(interactions.columns[$0]) },
                                              alpha: parameters.alpha, preference: parameters.preference)
        let transposed = interactions.transposed()
        let itemWeights = try ImplicitWeights(values: transposed.values, rowOf: { Int(transposed.columns[$0]) },
                                              colOf: { rowOfEntry(transposed, $0) },
                                              alpha: parameters.alpha, preference: parameters.preference)
        var rng = SplitMix64(seed: parameters.seed)
        var itemFactors = randomFactors(rows: interactions.cols, k: k, rng: &rng)
        var userFactors = randomFactors(rows: interactions.rows, k: k, rng: &rng)
        let threads = Threads.resolve(parameters.threads)
        progress?.begin("ALS", total: parameters.iterations)
        defer { progress?.end() }
        for _ in 0..<parameters.iterations {
            try solveSide(interactions, weights: userWeights, fixed: itemFactors, target: &userFactors,
                          parameters: parameters, threads: threads)
            try solveSide(transposed, weights: itemWeights, fixed: userFactors, target: &itemFactors,
                          parameters: parameters, threads: threads)
            progress?.advance(1)
        }
        var counts = [Int32](repeating: 0, count: interactions.cols)
        for c in 0..<transposed.rows {
            var n: Int32 = 0
            for p in transposed.range(ofRow: c) where itemWeights.b[p] != 0 { n += 1 }
            counts[c] = n
        }
        return try ALSModel(userFactors: userFactors, itemFactors: itemFactors, itemInteractionCounts: counts,
                        parameters: parameters)
    }

    /// The row holding entry `p` of a CSR matrix (binary search; used only for error messages).
    static func rowOfEntry(_ m: SparseMatrix, _ p: Int) -> Int {
        var lo = 0, hi = m.rows
        while lo < hi {
            let mid = (lo + hi) / 2
            if m.rowOffsets[mid + 1] <= Int64(p) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    static func randomFactors(rows: Int, k: Int, rng: inout SplitMix64) -> Matrix<Float> {
        var m = Matrix<Float>.zeros(rows: rows, cols: k)
        m.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = rng.nextUnitFloat() * initialScale }
        }
        return m
    }

    /// `YᵀY` (k × k) on the requested backend, single-threaded so that it is the same for every
    /// thread count.
    static func gram(_ y: Matrix<Float>, backend: Backend) -> Matrix<Float> {
        var g = Matrix<Float>.zeros(rows: y.cols, cols: y.cols)
        // Shapes agree by construction, so gemm cannot throw here.
        try? gemm(y, transposeA: true, y, into: &g, backend: backend, threads: 1)
        return g
    }

    /// One half-sweep: solves every row of `target` from `fixed`.
    static func solveSide(_ rows: SparseMatrix, weights: ImplicitWeights, fixed: Matrix<Float>, target: inout Matrix<Float>,
                          parameters: ImplicitALSParameters, threads: Int) throws(ALSError) {
        let k = parameters.factors
        let g = gram(fixed, backend: parameters.backend)
        let blockSize = 32
        let blocks = (rows.rows + blockSize - 1) / blockSize
        var errors = [ALSError?](repeating: nil, count: blocks)
        let lambda = parameters.regularization, backend = parameters.backend, solver = parameters.solver
        g.withUnsafeBufferPointer { gp in
            fixed.withUnsafeBufferPointer { yp in
                rows.columns.withUnsafeBufferPointer { cp in
                    weights.a.withUnsafeBufferPointer { ap in
                        weights.b.withUnsafeBufferPointer { bp in
                            target.withUnsafeMutableBufferPointer { xp in
                                errors.withUnsafeMutableBufferPointer { ep in
                                    let shared = UnsafeSendable((gp.baseAddress, yp.baseAddress, cp.baseAddress,
                                                                 ap.baseAddress, bp.baseAddress, xp.baseAddress, ep.baseAddress))
                                    let offsets = rows.rowOffsets
                                    let rowCount = rows.rows
                                    BLASThreads.with(1) {
                                        parallelFor(chunks: blocks, threads: threads) { block in
                                            let (gq, yq, cq, aq, bq, xq, eq) = shared.value
                                            guard let g = gq, let x = xq, let e = eq else { return }
                                            // Empty fixed side / no entries: pointers may be nil; use a dummy.
                                            let dummyF = UnsafeMutablePointer<Float>.allocate(capacity: 1)
                                            let dummyI = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
                                            defer { dummyF.deallocate(); dummyI.deallocate() }
                                            let y = yq ?? UnsafePointer(dummyF), c = cq ?? UnsafePointer(dummyI)
                                            let a = aq ?? UnsafePointer(dummyF), b = bq ?? UnsafePointer(dummyF)
                                            let solver1 = ImplicitRowSolver(k: k, lambda: lambda, backend: backend)
                                            let r0 = block * blockSize, r1 = min(rowCount, r0 + blockSize)
                                            for r in r0..<r1 {
                                                let range = Int(offsets[r])..<Int(offsets[r + 1])
                                                switch solver {
                                                case .cholesky:
                                                    do {
                                                        try solver1.solveCholesky(gram: g, fixed: y, columns: c, aw: a, bw: b,
                                                                                  range: range, out: x + r * k)
                                                    } catch {
                                                        e[block] = .solveFailed("row \(r): \(error)")
                                                        return
                                                    }
                                                case .conjugateGradient(let steps):
                                                    solver1.solveConjugateGradient(gram: g, fixed: y, columns: c, aw: a, bw: b,
                                                                                   range: range, steps: steps, x: x + r * k)
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
        }
        if let first = errors.compactMap({ $0 }).first { throw first }
    }

    /// The implicit objective `Σᵤᵢ cᵤᵢ (pᵤᵢ − xᵤ·yᵢ)² + λ(Σ‖xᵤ‖² + Σ‖yᵢ‖²)` over ALL user-item pairs,
    /// computed in `O(nnz·k + (users + items)·k²)` as `Σᵤ xᵤᵀ(YᵀY)xᵤ` plus corrections on the
    /// stored entries. Double accumulation.
    public static func loss(_ interactions: SparseMatrix, model: ALSModel) throws(ALSError) -> Double {
        let x = model.userFactors, y = model.itemFactors
        guard interactions.rows == x.rows, interactions.cols == y.rows else {
            throw .invalidInput("matrix is \(interactions.rows)x\(interactions.cols) but the model has \(x.rows) users and \(y.rows) items")
        }
        let k = model.factors
        let p = model.parameters
        let g = gram(y, backend: .swift)
        var total = 0.0
        for u in 0..<x.rows {
            let xu = x.row(u)
            var quad = 0.0
            for i in 0..<k { for j in 0..<k { quad += Double(xu[i]) * Double(g[i, j]) * Double(xu[j]) } }
            total += quad
            for q in interactions.range(ofRow: u) {
                let r = p.preference.strength(interactions.values[q])
                guard r > 0 else { continue }
                let item = Int(interactions.columns[q])
                var s = 0.0
                for f in 0..<k { s += Double(xu[f]) * Double(y[item, f]) }
                let c = 1 + Double(p.alpha) * Double(r)
                total += c * (1 - s) * (1 - s) - s * s
            }
        }
        var norms = 0.0
        for v in x.storage { norms += Double(v) * Double(v) }
        for v in y.storage { norms += Double(v) * Double(v) }
        return total + Double(p.regularization) * norms
    }
}
