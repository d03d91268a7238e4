import COpenBLAS
import Runtime

/// General matrix multiply: `C = alpha · op(A) · op(B) + beta · C`, where `op(X)` is `X` or `Xᵀ`.
///
/// - Parameters:
///   - transposeA, transposeB: use `Aᵀ` / `Bᵀ` (no copy is made; e.g. `A·Bᵀ` for Gram matrices).
///   - c: an `m × n` output, where `op(A)` is `m × k` and `op(B)` is `k × n`. With `beta == 0`,
///     `C`'s previous contents are ignored (NaNs in it do not propagate).
///   - backend: `.blas` calls `cblas_sgemm`/`cblas_dgemm` with OpenBLAS limited to `threads`;
///     `.swift` runs the packed, register-blocked SIMD kernel (`Float`; see `SwiftSGEMM`) or a
///     simpler row-blocked SIMD loop (`Double`), parallel over blocks of rows of `C`.
/// - Throws: `LinearAlgebraError.dimensionMismatch` when shapes disagree.
@_specialize(exported: true, where E == Float)
@_specialize(exported: true, where E == Double)
public func gemm<E: MatrixElement>(
    _ a: Matrix<E>, transposeA: Bool = false,
    _ b: Matrix<E>, transposeB: Bool = false,
    alpha: E = 1, beta: E = 0, into c: inout Matrix<E>,
    backend: Backend = .default, threads: Int = Threads.defaultCount
) throws {
    let m = transposeA ? a.cols : a.rows, k = transposeA ? a.rows : a.cols
    let kb = transposeB ? b.cols : b.rows, n = transposeB ? b.rows : b.cols
    guard k == kb, c.rows == m, c.cols == n else {
        throw LinearAlgebraError.dimensionMismatch(operation: "gemm",
            details: "op(A) is \(m)x\(k), op(B) is \(kb)x\(n), C is \(c.rows)x\(c.cols)")
    }
    let t = Threads.resolve(threads)
    a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            c.withUnsafeMutableBufferPointer { cp in
                BLASThreads.with(backend == .blas ? t : 1) {
                    GEMMKernel.run(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                   a: ap.baseAddress, lda: a.cols, b: bp.baseAddress, ldb: b.cols,
                                   beta: beta, c: cp.baseAddress, ldc: n, backend: backend, threads: t)
                }
            }
        }
    }
}

/// `alpha · op(A) · op(B)` as a new matrix (see `gemm(_:transposeA:_:transposeB:alpha:beta:into:backend:threads:)`).
@_specialize(exported: true, where E == Float)
@_specialize(exported: true, where E == Double)
public func gemm<E: MatrixElement>(
    _ a: Matrix<E>, transposeA: Bool = false,
    _ b: Matrix<E>, transposeB: Bool = false, alpha: E = 1,
    backend: Backend = .default, threads: Int = Threads.defaultCount
) throws -> Matrix<E> {
    var c = Matrix<E>.zeros(rows: transposeA ? a.cols : a.rows, cols: transposeB ? b.rows : b.cols)
    try gemm(a, transposeA: transposeA, b, transposeB: transposeB, alpha: alpha, beta: 0, into: &c, backend: backend, threads: threads)
    return c
}

/// Pointer-level GEMM shared by the kernels (distances, top-k, …). Shapes are validated by the
/// caller; OpenBLAS's thread count is the caller's business (see `BLASThreads`).
enum GEMMKernel {
    /// Row-major `C[m×n] = alpha·op(A)·op(B) + beta·C` with leading dimensions `lda`, `ldb`, `ldc`.
    /// Pointers may be nil only when the corresponding matrix is empty.
    static func run<E: MatrixElement>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: E,
        a: UnsafePointer<E>?, lda: Int, b: UnsafePointer<E>?, ldb: Int,
        beta: E, c: UnsafeMutablePointer<E>?, ldc: Int, backend: Backend, threads: Int
    ) {
        guard m > 0, n > 0, let c else { return }
        if k == 0 || alpha == 0 || a == nil || b == nil {
            scale(c, m: m, n: n, ldc: ldc, beta: beta)
            return
        }
        guard let a, let b else { return }
        switch backend {
        case .blas:
            // BLAS requires leading dimensions >= 1 even for degenerate shapes.
            let ta = transposeA ? CblasTrans : CblasNoTrans, tb = transposeB ? CblasTrans : CblasNoTrans
            if E.self == Float.self {
                cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Float(alpha),
                            UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(max(1, lda)),
                            UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), Int32(max(1, ldb)), Float(beta),
                            UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), Int32(max(1, ldc)))
            } else {
                cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Double(alpha),
                            UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(max(1, lda)),
                            UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), Int32(max(1, ldb)), Double(beta),
                            UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), Int32(max(1, ldc)))
            }
        case .swift:
            if E.self == Float.self {
                SwiftSGEMM.run(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: Float(alpha),
                               a: UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda: lda,
                               b: UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb: ldb, beta: Float(beta),
                               c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: ldc, threads: threads)
            } else {
                SwiftGenericGEMM.run(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                     a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
            }
        }
    }

    /// `C = beta · C` (with `beta == 0` writing exact zeros).
    static func scale<E: MatrixElement>(_ c: UnsafeMutablePointer<E>, m: Int, n: Int, ldc: Int, beta: E) {
        if beta == 1 { return }
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 { row.update(repeating: 0, count: n) } else { for j in 0..<n { row[j] *= beta } }
        }
    }
}

/// The Swift path of GEMM for element types without a hand-tuned kernel (`Double`): `op(B)` is
/// first copied to row-major (when transposed); then rows of C run in parallel blocks, and each
/// row is accumulated as a sum of scaled rows of `op(B)` (8-lane SIMD axpy), tiled so that the
/// `128 × 256` block of `op(B)` being reused (256 KiB of doubles) stays in L2 and the 256-wide
/// piece of the C row stays in L1.
enum SwiftGenericGEMM {
    static let kTile = 128
    static let nTile = 256

    static func run<E: MatrixElement>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: E,
        a: UnsafePointer<E>, lda: Int, b: UnsafePointer<E>, ldb: Int,
        beta: E, c: UnsafeMutablePointer<E>, ldc: Int, threads: Int
    ) {
        GEMMKernel.scale(c, m: m, n: n, ldc: ldc, beta: beta)
        var packed: [E] = []
        if transposeB {
            packed = [E](repeating: 0, count: k * n)
            for j in 0..<n { for p in 0..<k { packed[p * n + j] = b[j * ldb + p] } }
        }
        packed.withUnsafeBufferPointer { pb in
            let bRows = transposeB ? (pb.baseAddress ?? b) : b
            let stride = transposeB ? n : ldb
            let sa = UnsafeSendable(a), sb = UnsafeSendable(bRows), sc = UnsafeSendable(c)
            let rowBlocks = splitRange(m, parts: max(1, threads) * 4)
            parallelFor(chunks: rowBlocks.count, threads: threads) { blk in
                let rows = rowBlocks[blk]
                var j0 = 0
                while j0 < n {
                    let jw = min(nTile, n - j0)
                    var p0 = 0
                    while p0 < k {
                        let p1 = min(k, p0 + kTile)
                        for i in rows {
                            let crow = sc.value + i * ldc + j0
                            for p in p0..<p1 {
                                let aip = alpha * (transposeA ? sa.value[p * lda + i] : sa.value[i * lda + p])
                                SIMDLoops.axpy(aip, sb.value + p * stride + j0, crow, jw)
                            }
                        }
                        p0 = p1
                    }
                    j0 += jw
                }
            }
        }
    }
}
