import COpenBLAS
import Runtime

/// Level-1 and level-2 kernels on `Float`: dot, axpy, GEMV. BLAS path: `cblas_sdot`,
/// `cblas_saxpy`, `cblas_sgemv`; Swift path: 8-lane SIMD loops (`SIMDLoops`).

/// `x · y`. - Throws: `.dimensionMismatch` when the lengths differ.
public func dot(_ x: [Float], _ y: [Float], backend: Backend = .default) throws -> Float {
    guard x.count == y.count else {
        throw LinearAlgebraError.dimensionMismatch(operation: "dot", details: "x has \(x.count) elements, y has \(y.count)")
    }
    return x.withUnsafeBufferPointer { xp in
        y.withUnsafeBufferPointer { yp in
            guard let xa = xp.baseAddress, let ya = yp.baseAddress else { return 0 }
            return VectorKernels.dot(xa, ya, x.count, backend: backend)
        }
    }
}

/// `y += alpha · x`. - Throws: `.dimensionMismatch` when the lengths differ.
public func axpy(_ alpha: Float, _ x: [Float], _ y: inout [Float], backend: Backend = .default) throws {
    guard x.count == y.count else {
        throw LinearAlgebraError.dimensionMismatch(operation: "axpy", details: "x has \(x.count) elements, y has \(y.count)")
    }
    x.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
            guard let xa = xp.baseAddress, let ya = yp.baseAddress else { return }
            VectorKernels.axpy(alpha, xa, ya, x.count, backend: backend)
        }
    }
}

/// `y = alpha · op(A) · x + beta · y` with `op(A)` = `A` or `Aᵀ`.
/// The Swift path computes rows in parallel (`A·x`: one dot per row) or, for `Aᵀ·x`, per-thread
/// partial sums over blocks of rows reduced in a fixed order (deterministic per thread count).
/// - Throws: `.dimensionMismatch` when shapes disagree.
public func gemv(_ a: Matrix<Float>, transposeA: Bool = false, _ x: [Float], alpha: Float = 1, beta: Float = 0,
                 into y: inout [Float], backend: Backend = .default, threads: Int = Threads.defaultCount) throws {
    let m = transposeA ? a.cols : a.rows, n = transposeA ? a.rows : a.cols
    guard x.count == n, y.count == m else {
        throw LinearAlgebraError.dimensionMismatch(operation: "gemv", details: "op(A) is \(m)x\(n), x has \(x.count), y has \(y.count)")
    }
    let t = Threads.resolve(threads)
    a.withUnsafeBufferPointer { ap in
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                guard m > 0, let yb = yp.baseAddress else { return }
                guard n > 0, let ab = ap.baseAddress, let xb = xp.baseAddress else {
                    for i in 0..<m { yb[i] = beta == 0 ? 0 : beta * yb[i] }
                    return
                }
                switch backend {
                case .blas:
                    BLASThreads.with(t) {
                        cblas_sgemv(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, Int32(a.rows), Int32(a.cols),
                                    alpha, ab, Int32(max(1, a.cols)), xb, 1, beta, yb, 1)
                    }
                case .swift:
                    VectorKernels.swiftGemv(transposeA: transposeA, rows: a.rows, cols: a.cols, alpha: alpha, a: ab, x: xb,
                                            beta: beta, y: yb, threads: t)
                }
            }
        }
    }
}

/// `alpha · op(A) · x` as a new vector.
public func gemv(_ a: Matrix<Float>, transposeA: Bool = false, _ x: [Float], alpha: Float = 1,
                 backend: Backend = .default, threads: Int = Threads.defaultCount) throws -> [Float] {
    var y = [Float](repeating: 0, count: transposeA ? a.cols : a.rows)
    try gemv(a, transposeA: transposeA, x, alpha: alpha, beta: 0, into: &y, backend: backend, threads: threads)
    return y
}

/// Pointer-level level-1/2 kernels used by the other kernels.
enum VectorKernels {
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int, backend: Backend) -> Float {
        switch backend {
        case .blas: return n > 0 ? cblas_sdot(Int32(n), x, 1, y, 1) : 0
        case .swift: return SIMDLoops.dot(x, y, n)
        }
    }

    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, backend: Backend) {
        switch backend {
        case .blas: if n > 0 { cblas_saxpy(Int32(n), alpha, x, 1, y, 1) }
        case .swift: SIMDLoops.axpy(alpha, x, y, n)
        }
    }

    static func swiftGemv(transposeA: Bool, rows: Int, cols: Int, alpha: Float, a: UnsafePointer<Float>,
                          x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>, threads: Int) {
        let sa = UnsafeSendable(a), sx = UnsafeSendable(x), sy = UnsafeSendable(y)
        if !transposeA {
            parallelRanges(rows, threads: threads, minBlock: max(1, 65_536 / max(1, cols))) { range in
                for i in range {
                    let d = alpha * SIMDLoops.dot(sa.value + i * cols, sx.value, cols)
                    sy.value[i] = beta == 0 ? d : d + beta * sy.value[i]
                }
            }
            return
        }
        // y (length cols) = alpha · Aᵀ x: partial sums per block of rows, reduced in block order.
        let blocks = splitRange(rows, parts: rows * cols >= 1 << 16 ? max(1, threads) : 1)
        var partial = [Float](repeating: 0, count: blocks.count * cols)
        partial.withUnsafeMutableBufferPointer { pp in
            let sp = UnsafeSendable(pp.baseAddress)
            parallelFor(chunks: blocks.count, threads: threads) { bi in
                guard let base = sp.value else { return }
                let acc = base + bi * cols
                for i in blocks[bi] { SIMDLoops.axpy(sx.value[i], sa.value + i * cols, acc, cols) }
            }
            guard let base = pp.baseAddress else { return }
            for j in 0..<cols {
                var s: Float = 0
                for bi in 0..<blocks.count { s += base[bi * cols + j] }
                y[j] = beta == 0 ? alpha * s : alpha * s + beta * y[j]
            }
        }
    }
}
