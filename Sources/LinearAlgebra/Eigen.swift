import COpenBLAS
import Runtime

/// Eigen-decomposition of a symmetric matrix: `A = V·diag(values)·Vᵀ`.
public struct SymmetricEigen: Sendable {
    /// Eigenvalues in ascending order.
    public let values: [Float]
    /// Eigenvectors as columns (`vectors[:, j]` belongs to `values[j]`), orthonormal. Signs are
    /// not unique and may differ between backends.
    public let vectors: Matrix<Float>
}

/// Eigenvalues and eigenvectors of symmetric `a` (only the lower triangle is read).
///
/// BLAS path: LAPACK `ssyevd` (divide and conquer) with `threads` OpenBLAS threads. Swift path:
/// the cyclic Jacobi method in `Double` (rotations until the off-diagonal mass is below
/// 1e-24 of the total, at most 64 sweeps) — O(n³) per sweep, intended for n up to a few hundred.
/// - Throws: `.dimensionMismatch` for a non-square matrix, `.nonFinite`, `.lapackFailure`.
public func symmetricEigen(_ a: Matrix<Float>, backend: Backend = .default, threads: Int = Threads.defaultCount) throws -> SymmetricEigen {
    guard a.rows == a.cols else {
        throw LinearAlgebraError.dimensionMismatch(operation: "symmetricEigen", details: "A is \(a.rows)x\(a.cols), not square")
    }
    let n = a.rows
    guard a.storage.allSatisfy({ $0.isFinite }) else {
        throw LinearAlgebraError.nonFinite(operation: "symmetricEigen", details: "A contains NaN or infinity")
    }
    if n == 0 { return SymmetricEigen(values: [], vectors: .zeros(rows: 0, cols: 0)) }
    switch backend {
    case .blas:
        var v = a
        var w = [Float](repeating: 0, count: n)
        let info: Int32 = BLASThreads.with(Threads.resolve(threads)) {
            v.withUnsafeMutableBufferPointer { vp in
                w.withUnsafeMutableBufferPointer { wp in
                    LAPACKE_ssyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "L")), Int32(n),
                                   vp.baseAddress, Int32(n), wp.baseAddress)
                }
            }
        }
        guard info == 0 else { throw LinearAlgebraError.lapackFailure(routine: "ssyevd", info: Int(info)) }
        return SymmetricEigen(values: w, vectors: v)
    case .swift:
        // Symmetrise from the lower triangle, in Double.
        var m = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0...i { let x = Double(a.storage[i * n + j]); m[i * n + j] = x; m[j * n + i] = x } }
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        Jacobi.diagonalise(&m, &v, n: n)
        let order = (0..<n).sorted { (m[$0 * n + $0], $0) < (m[$1 * n + $1], $1) }
        let values = order.map { Float(m[$0 * n + $0]) }
        var vecs = Matrix<Float>.zeros(rows: n, cols: n)
        vecs.withUnsafeMutableBufferPointer { p in
            for (newJ, oldJ) in order.enumerated() { for i in 0..<n { p[i * n + newJ] = Float(v[oldJ * n + i]) } }
        }
        return SymmetricEigen(values: values, vectors: vecs)
    }
}

/// Thin singular value decomposition `A = U·diag(s)·Vᵀ`.
public struct SingularValueDecomposition: Sendable {
    /// `m × r` with orthonormal columns, `r = min(m, n)`.
    public let u: Matrix<Float>
    /// The `r` singular values, descending.
    public let singularValues: [Float]
    /// `r × n` with orthonormal rows.
    public let vt: Matrix<Float>
}

/// Thin SVD of `a` (`m × n`).
///
/// BLAS path: LAPACK `sgesdd` (divide and conquer). Swift path: one-sided Jacobi (Hestenes) in
/// `Double` on the columns of `A` (or of `Aᵀ` when `m < n`); columns of `U` belonging to zero
/// singular values are zero rather than completed to an orthonormal basis.
/// - Throws: `.nonFinite`, `.lapackFailure`.
public func svd(_ a: Matrix<Float>, backend: Backend = .default, threads: Int = Threads.defaultCount) throws -> SingularValueDecomposition {
    guard a.storage.allSatisfy({ $0.isFinite }) else {
        throw LinearAlgebraError.nonFinite(operation: "svd", details: "A contains NaN or infinity")
    }
    let m = a.rows, n = a.cols, r = min(m, n)
    if r == 0 { return SingularValueDecomposition(u: .zeros(rows: m, cols: 0), singularValues: [], vt: .zeros(rows: 0, cols: n)) }
    switch backend {
    case .blas:
        var work = a
        var s = [Float](repeating: 0, count: r)
        var u = [Float](repeating: 0, count: m * r)
        var vt = [Float](repeating: 0, count: r * n)
        let info: Int32 = BLASThreads.with(Threads.resolve(threads)) {
            work.withUnsafeMutableBufferPointer { ap in
                s.withUnsafeMutableBufferPointer { sp in
                    u.withUnsafeMutableBufferPointer { up in
                        vt.withUnsafeMutableBufferPointer { vp in
                            LAPACKE_sgesdd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "S")), Int32(m), Int32(n), ap.baseAddress, Int32(n),
                                           sp.baseAddress, up.baseAddress, Int32(r), vp.baseAddress, Int32(n))
                        }
                    }
                }
            }
        }
        guard info == 0 else { throw LinearAlgebraError.lapackFailure(routine: "sgesdd", info: Int(info)) }
        return SingularValueDecomposition(u: Matrix(uncheckedRows: m, cols: r, storage: u), singularValues: s,
                                          vt: Matrix(uncheckedRows: r, cols: n, storage: vt))
    case .swift:
        // Work on columns of B = A (m ≥ n) or B = Aᵀ (m < n), stored as rows for contiguity.
        let tall = m >= n
        let rowsB = tall ? m : n, colsB = tall ? n : m   // B is rowsB × colsB, colsB == r
        var w = [Double](repeating: 0, count: colsB * rowsB)  // w[j*rowsB + i] = B[i, j]
        for i in 0..<m { for j in 0..<n {
            let x = Double(a.storage[i * n + j])
            if tall { w[j * rowsB + i] = x } else { w[i * rowsB + j] = x }
        } }
        var v = [Double](repeating: 0, count: colsB * colsB)   // v[j*colsB + i] = V[i, j]
        for j in 0..<colsB { v[j * colsB + j] = 1 }
        Jacobi.orthogonaliseColumns(&w, &v, rows: rowsB, cols: colsB)
        var sigma = (0..<colsB).map { j in (0..<rowsB).reduce(0.0) { $0 + w[j * rowsB + $1] * w[j * rowsB + $1] }.squareRoot() }
        let order = (0..<colsB).sorted { (sigma[$0], -$0) > (sigma[$1], -$1) }
        // B = W·Vᵀ with W's columns = σ·u. A = B (tall) gives U = W/σ, V = V; A = Bᵀ gives U = V, V = W/σ.
        var left = [Float](repeating: 0, count: rowsB * r)   // B's left vectors, rowsB × r
        var right = [Float](repeating: 0, count: colsB * r)  // B's right vectors, colsB × r
        for (newJ, oldJ) in order.enumerated() {
            let s = sigma[oldJ]
            for i in 0..<rowsB { left[i * r + newJ] = s > 0 ? Float(w[oldJ * rowsB + i] / s) : 0 }
            for i in 0..<colsB { right[i * r + newJ] = Float(v[oldJ * colsB + i]) }
        }
        sigma = order.map { sigma[$0] }
        let leftM = Matrix<Float>(uncheckedRows: rowsB, cols: r, storage: left)
        let rightM = Matrix<Float>(uncheckedRows: colsB, cols: r, storage: right)
        let values = sigma.map { Float($0) }
        return tall
            ? SingularValueDecomposition(u: leftM, singularValues: values, vt: rightM.transposed())
            : SingularValueDecomposition(u: rightM, singularValues: values, vt: leftM.transposed())
    }
}

/// Jacobi rotations in `Double` for the Swift paths of `symmetricEigen` and `svd`.
enum Jacobi {
    /// Cyclic Jacobi on symmetric `matrix` (`n × n`, row-major); accumulates the rotations into
    /// `vectors`, whose row `j` is eigenvector `j` (start from the identity). On return the
    /// diagonal of `matrix` holds the eigenvalues.
    static func diagonalise(_ matrix: inout [Double], _ vectors: inout [Double], n: Int) {
        var total = 0.0
        for x in matrix { total += x * x }
        matrix.withUnsafeMutableBufferPointer { mb in
            vectors.withUnsafeMutableBufferPointer { vb in
                guard let m = mb.baseAddress, let v = vb.baseAddress else { return }
                for _ in 0..<64 {
                    var off = 0.0
                    for i in 0..<n { for j in 0..<n where i != j { off += m[i * n + j] * m[i * n + j] } }
                    if off <= 1e-24 * total || off == 0 { return }
                    for p in 0..<n {
                        for q in (p + 1)..<max(p + 1, n) {
                            let apq = m[p * n + q]
                            if apq == 0 { continue }
                            let theta = (m[q * n + q] - m[p * n + p]) / (2 * apq)
                            let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                            let c = 1 / (t * t + 1).squareRoot(), s = t * c
                            // Rows p and q are contiguous: rotate them, then the same for columns
                            // (by symmetry, column k of rows p/q equals row k's entries p/q).
                            let rp = m + p * n, rq = m + q * n
                            for k in 0..<n {
                                let x = rp[k], y = rq[k]
                                rp[k] = c * x - s * y
                                rq[k] = s * x + c * y
                            }
                            for k in 0..<n {
                                let x = m[k * n + p], y = m[k * n + q]
                                m[k * n + p] = c * x - s * y
                                m[k * n + q] = s * x + c * y
                            }
                            // Eigenvectors stored as rows of vᵀ (contiguous): v[p*n ...] is column p of V.
                            let vp = v + p * n, vq = v + q * n
                            for k in 0..<n {
                                let x = vp[k], y = vq[k]
                                vp[k] = c * x - s * y
                                vq[k] = s * x + c * y
                            }
                        }
                    }
                }
            }
        }
    }

    /// One-sided Jacobi: rotates pairs of columns of `W` (stored as rows of length `rows` in
    /// `w`) until all are mutually orthogonal, applying the same rotations to `V` (columns stored
    /// as rows of length `cols` in `v`).
    static func orthogonaliseColumns(_ w: inout [Double], _ v: inout [Double], rows: Int, cols: Int) {
        for _ in 0..<64 {
            var rotated = false
            for p in 0..<cols {
                for q in (p + 1)..<max(p + 1, cols) {
                    var alpha = 0.0, beta = 0.0, gamma = 0.0
                    for i in 0..<rows {
                        let x = w[p * rows + i], y = w[q * rows + i]
                        alpha += x * x; beta += y * y; gamma += x * y
                    }
                    if gamma == 0 || abs(gamma) <= 1e-15 * (alpha * beta).squareRoot() { continue }
                    rotated = true
                    let zeta = (beta - alpha) / (2 * gamma)
                    let t = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + (1 + zeta * zeta).squareRoot())
                    let c = 1 / (1 + t * t).squareRoot(), s = c * t
                    for i in 0..<rows {
                        let x = w[p * rows + i], y = w[q * rows + i]
                        w[p * rows + i] = c * x - s * y
                        w[q * rows + i] = s * x + c * y
                    }
                    for i in 0..<cols {
                        let x = v[p * cols + i], y = v[q * cols + i]
                        v[p * cols + i] = c * x - s * y
                        v[q * cols + i] = s * x + c * y
                    }
                }
            }
            if !rotated { return }
        }
    }
}
