import LinearAlgebra

/// The weights of one row's observed entries in the implicit normal equations:
/// `A = G + λI + Σ aWeight·y·yᵀ` and `b = Σ bWeight·y`, where for strength `r`
/// `aWeight = c − 1 = alpha·r` and `bWeight = c·p = (1 + alpha·r)·[r > 0]`.
struct ImplicitWeights: Sendable {
    /// `alpha · r` per stored entry.
    var a: [Float]
    /// `(1 + alpha · r) · [r > 0]` per stored entry.
    var b: [Float]

    /// Weights of the stored values of `matrix` (any orientation: the arrays follow its entries).
    /// - Throws: `.invalidInput` for a non-finite or negative strength, naming the entry.
    init(values: [Float], rowOf: (Int) -> Int, colOf: (Int) -> Int, alpha: Float, preference: PreferenceTransform) throws(ALSError) {
        var a = [Float](repeating: 0, count: values.count)
        var b = [Float](repeating: 0, count: values.count)
        for p in 0..<values.count {
            let r = preference.strength(values[p])
            guard r.isFinite, r >= 0 else {
                throw .invalidInput("entry at (row \(rowOf(p)), column \(colOf(p))) has strength \(r); strengths must be finite and ≥ 0")
            }
            let w = alpha * r
            guard w.isFinite else { throw .invalidInput("alpha · r overflows at (row \(rowOf(p)), column \(colOf(p)))") }
            a[p] = w
            b[p] = r > 0 ? 1 + w : 0
        }
        self.a = a
        self.b = b
    }

    init(a: [Float], b: [Float]) {
        self.a = a
        self.b = b
    }
}

/// Per-worker scratch space and the solve of one row of implicit ALS: given the fixed side's
/// factors `Y` (`n × k`, row-major) and their Gram matrix `G = YᵀY`, computes the row's factors
/// either exactly (Cholesky of the k × k normal equations) or by warm-started conjugate gradient.
/// A class only to own its scratch buffers; one per worker, never shared.
final class ImplicitRowSolver {
    let k: Int
    let lambda: Float
    let backend: Backend
    private let matrix: UnsafeMutablePointer<Float>
    private let rhs: UnsafeMutablePointer<Float>
    private let residual: UnsafeMutablePointer<Float>
    private let direction: UnsafeMutablePointer<Float>
    private let product: UnsafeMutablePointer<Float>
    private var vectors: UnsafeMutablePointer<UnsafePointer<Float>>
    private var weights: UnsafeMutablePointer<Float>
    private var capacity: Int

    init(k: Int, lambda: Float, backend: Backend) {
        self.k = k
        self.lambda = lambda
        self.backend = backend
        let n = max(1, k)
        matrix = .allocate(capacity: n * n)
        rhs = .allocate(capacity: n)
        residual = .allocate(capacity: n)
        direction = .allocate(capacity: n)
        product = .allocate(capacity: n)
        capacity = 64
        vectors = .allocate(capacity: capacity)
        weights = .allocate(capacity: capacity)
    }

    deinit {
        matrix.deallocate(); rhs.deallocate(); residual.deallocate(); direction.deallocate(); product.deallocate()
        vectors.deallocate(); weights.deallocate()
    }

    private func reserve(_ n: Int) {
        guard n > capacity else { return }
        vectors.deallocate(); weights.deallocate()
        capacity = max(n, 2 * capacity)
        vectors = .allocate(capacity: capacity)
        weights = .allocate(capacity: capacity)
    }

    /// Exact solve of `(G + λI + Σ aᵢ yᵢyᵢᵀ) x = Σ bᵢ yᵢ` over the entries `range` of
    /// `columns`/`aw`/`bw`; writes `x` to `out` (k values).
    /// - Throws: `.solveFailed` when the system is not positive definite (λ = 0 with a singular Gram).
    func solveCholesky(gram: UnsafePointer<Float>, fixed y: UnsafePointer<Float>,
                       columns: UnsafePointer<Int32>, aw: UnsafePointer<Float>, bw: UnsafePointer<Float>,
                       range: Range<Int>, out: UnsafeMutablePointer<Float>) throws(ALSError) {
        let k = self.k
        var any = false
        for p in range where bw[p] != 0 { any = true; break }
        if !any {
            // b = 0 and A is positive definite, so x = 0 exactly.
            out.update(repeating: 0, count: k)
            return
        }
        reserve(range.count)
        var count = 0
        let b = rhs, a = matrix
        b.update(repeating: 0, count: k)
        for p in range {
            let row = y + Int(columns[p]) * k
            if aw[p] != 0 {
                vectors[count] = row
                weights[count] = aw[p]
                count += 1
            }
            if bw[p] != 0 { VectorOps.axpy(bw[p], row, b, k) }
        }
        a.update(from: gram, count: k * k)
        for i in 0..<k { a[i * k + i] += lambda }
        VectorOps.rankUpdate(a, n: k, vectors: vectors, weights: weights, count: count)
        do {
            try Cholesky.solveInPlace(a, b, n: k, nrhs: 1, backend: backend)
        } catch {
            throw .solveFailed("\(error) (a k × k system with k = \(k), λ = \(lambda); use regularization > 0)")
        }
        out.update(from: b, count: k)
    }

    /// `out = (G + λI + Σ aᵢ yᵢyᵢᵀ)·v`.
    @inline(__always)
    private func applyMatrix(gram: UnsafePointer<Float>, fixed y: UnsafePointer<Float>, columns: UnsafePointer<Int32>,
                             aw: UnsafePointer<Float>, range: Range<Int>, v: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        VectorOps.symv(gram, v, out, k)
        VectorOps.axpy(lambda, v, out, k)
        for p in range where aw[p] != 0 {
            let row = y + Int(columns[p]) * k
            VectorOps.axpy(aw[p] * VectorOps.dot(row, v, k), row, out, k)
        }
    }

    /// `steps` conjugate-gradient iterations on the same system, starting from the current `x`
    /// (Takács, Pilászy & Tikk 2011): the matrix is never formed, each step costs `O(k² + n·k)`.
    func solveConjugateGradient(gram: UnsafePointer<Float>, fixed y: UnsafePointer<Float>,
                                columns: UnsafePointer<Int32>, aw: UnsafePointer<Float>, bw: UnsafePointer<Float>,
                                range: Range<Int>, steps: Int, x: UnsafeMutablePointer<Float>) {
        let k = self.k
        var any = false
        for p in range where bw[p] != 0 { any = true; break }
        if !any {
            // b = 0: the exact solution is x = 0 (CG would only approach it).
            x.update(repeating: 0, count: k)
            return
        }
        let r = residual, d = direction, q = product
        // r = b − A·x
        applyMatrix(gram: gram, fixed: y, columns: columns, aw: aw, range: range, v: x, out: q)
        for i in 0..<k { r[i] = -q[i] }
        for p in range where bw[p] != 0 { VectorOps.axpy(bw[p], y + Int(columns[p]) * k, r, k) }
        d.update(from: r, count: k)
        var rsOld = VectorOps.dot(r, r, k)
        if !(rsOld > 1e-20) { return }
        for _ in 0..<steps {
            applyMatrix(gram: gram, fixed: y, columns: columns, aw: aw, range: range, v: d, out: q)
            let dq = VectorOps.dot(d, q, k)
            guard dq > 0, dq.isFinite else { return }
            let step = rsOld / dq
            VectorOps.axpy(step, d, x, k)
            VectorOps.axpy(-step, q, r, k)
            let rsNew = VectorOps.dot(r, r, k)
            if !(rsNew > 1e-20) { return }
            VectorOps.xpby(r, rsNew / rsOld, d, k)
            rsOld = rsNew
        }
    }
}
