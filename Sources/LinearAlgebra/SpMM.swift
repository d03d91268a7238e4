import COpenBLAS
import Runtime

/// Sparse × dense: `C = alpha · op(A) · B + beta · C` with `A` in CSR and `op(A)` = `A` or `Aᵀ`.
///
/// - `A · B` (`transposeA: false`): rows of `C` in parallel blocks; each non-zero `a[i,c]` adds
///   `alpha·a[i,c] · B[c, :]` to `C[i, :]`.
/// - `Aᵀ · B` (`transposeA: true`) without materialising `Aᵀ`: each non-zero `a[i,c]` scatters
///   `B[i, :]` into `C[c, :]` (a whole-row SIMD axpy on the Swift path, `cblas_saxpy` on the
///   BLAS path). Forming `Aᵀ` and gathering instead was measured slower: on ml-1m-shaped data
///   (6040 × 3706, 0.94M non-zeros, 64 columns) the counting-sort transpose alone costs more CPU
///   than the whole scatter (single thread: scatter 13 ms, transpose + gather 29 ms, scipy's
///   `A.T @ B` 25 ms). With several threads every worker owns a private `C` buffer
///   (`threads × a.cols × n` floats) for its block of rows of `A`, and the buffers are summed in
///   block order, so the result is deterministic for a given thread count.
///
/// Backends: BLAS has no sparse kernels. The BLAS path of `A · B` gathers, for each row of `A`,
/// the rows of `B` its non-zeros select into a small dense panel (`nnz(row) × n`, at most 512
/// rows at a time) and multiplies the panel by the row's values with one `cblas_sgemv` — the
/// arithmetic is BLAS's, one call per row instead of one `cblas_saxpy` per non-zero. The Swift
/// path keeps a register tile of `C`'s row across the row's non-zeros (no gather).
/// - Throws: `.dimensionMismatch` when shapes disagree.
public func spmm(_ a: SparseMatrix, transposeA: Bool = false, _ b: Matrix<Float>, alpha: Float = 1, beta: Float = 0,
                 into c: inout Matrix<Float>, backend: Backend = .default, threads: Int = Threads.defaultCount) throws {
    let m = transposeA ? a.cols : a.rows, k = transposeA ? a.rows : a.cols
    guard b.rows == k, c.rows == m, c.cols == b.cols else {
        throw LinearAlgebraError.dimensionMismatch(operation: "spmm",
            details: "op(A) is \(m)x\(k), B is \(b.rows)x\(b.cols), C is \(c.rows)x\(c.cols)")
    }
    let n = b.cols
    let t = Threads.resolve(threads)
    c.withUnsafeMutableBufferPointer { cp in
        guard let cb = cp.baseAddress, m > 0, n > 0 else { return }
        GEMMKernel.scale(cb, m: m, n: n, ldc: n, beta: beta)
        guard alpha != 0, a.nonZeroCount > 0 else { return }
        b.withUnsafeBufferPointer { bp in
            guard let bb = bp.baseAddress else { return }
            BLASThreads.with(1) {
                if transposeA {
                    SpMMKernel.transposed(a, alpha: alpha, b: bb, n: n, c: cb, backend: backend, threads: t)
                } else {
                    SpMMKernel.plain(a, rows: 0..<a.rows, alpha: alpha, b: bb, n: n, c: cb, backend: backend, threads: t)
                }
            }
        }
    }
}

/// `alpha · op(A) · B` as a new matrix.
public func spmm(_ a: SparseMatrix, transposeA: Bool = false, _ b: Matrix<Float>, alpha: Float = 1,
                 backend: Backend = .default, threads: Int = Threads.defaultCount) throws -> Matrix<Float> {
    var c = Matrix<Float>.zeros(rows: transposeA ? a.cols : a.rows, cols: b.cols)
    try spmm(a, transposeA: transposeA, b, alpha: alpha, beta: 0, into: &c, backend: backend, threads: threads)
    return c
}

/// Pointer-level SpMM loops (callers set OpenBLAS to one thread).
enum SpMMKernel {
    /// `C[i - rows.lowerBound, :] += alpha · A[i, :] · B` for `i` in `rows` (C has `n` columns).
    static func plain(_ a: SparseMatrix, rows: Range<Int>, alpha: Float, b: UnsafePointer<Float>, n: Int,
                      c: UnsafeMutablePointer<Float>, backend: Backend, threads: Int) {
        a.rowOffsets.withUnsafeBufferPointer { op in
            a.columns.withUnsafeBufferPointer { cp in
                a.values.withUnsafeBufferPointer { vp in
                    let so = UnsafeSendable(op), sc = UnsafeSendable(cp), sv = UnsafeSendable(vp)
                    let sb = UnsafeSendable(b), sout = UnsafeSendable(c)
                    let avgRow = max(1, a.nonZeroCount / max(1, a.rows)) * n
                    parallelRanges(rows.count, threads: threads, minBlock: max(1, 32_768 / avgRow)) { range in
                        switch backend {
                        case .blas:
                            let panel = UnsafeMutablePointer<Float>.allocate(capacity: gatherRows * n)
                            defer { panel.deallocate() }
                            for local in range {
                                let i = rows.lowerBound + local
                                rowTimesDenseBLAS(Int(so.value[i])..<Int(so.value[i + 1]), columns: sc.value, values: sv.value,
                                                  alpha: alpha, b: sb.value, n: n, c: sout.value + local * n, panel: panel)
                            }
                        case .swift:
                            for local in range {
                                let i = rows.lowerBound + local
                                rowTimesDense(Int(so.value[i])..<Int(so.value[i + 1]), columns: sc.value, values: sv.value,
                                              alpha: alpha, b: sb.value, n: n, c: sout.value + local * n)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Rows of `B` gathered per `cblas_sgemv` call on the BLAS path.
    static let gatherRows = 512

    /// The BLAS path of `rowTimesDense`: the selected rows of `B` are copied into `panel`
    /// (`gatherRows × n`) and `c += alpha · panelᵀ · values` is one `cblas_sgemv` per 512 entries.
    @inline(__always)
    static func rowTimesDenseBLAS(_ entries: Range<Int>, columns: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Float>,
                                  alpha: Float, b: UnsafePointer<Float>, n: Int, c: UnsafeMutablePointer<Float>,
                                  panel: UnsafeMutablePointer<Float>) {
        guard let vbase = values.baseAddress else { return }
        var start = entries.lowerBound
        while start < entries.upperBound {
            let end = min(entries.upperBound, start + gatherRows)
            for p in start..<end {
                (panel + (p - start) * n).update(from: b + Int(columns[p]) * n, count: n)
            }
            cblas_sgemv(CblasRowMajor, CblasTrans, Int32(end - start), Int32(n), alpha, panel, Int32(n),
                        vbase + start, 1, 1, c, 1)
            start = end
        }
    }

    /// `c += alpha · Σ_p values[p] · B[columns[p], :]` for one CSR row. Columns of `c` are
    /// processed in register tiles (64, 32, then 8 wide): the tile's accumulators stay in SIMD
    /// registers across all the row's non-zeros, so `c` is loaded and stored once per tile
    /// instead of once per non-zero. The 8-wide tile sums even and odd non-zeros apart and adds
    /// the two sums at the end.
    @inline(__always)
    static func rowTimesDense(_ entries: Range<Int>, columns: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Float>,
                              alpha: Float, b: UnsafePointer<Float>, n: Int, c: UnsafeMutablePointer<Float>) {
        typealias V = SIMD8<Float>
        let cr = UnsafeMutableRawPointer(c)
        var j = 0
        while j + 64 <= n {
            var a0 = cr.loadUnaligned(fromByteOffset: j * 4, as: V.self), a1 = cr.loadUnaligned(fromByteOffset: j * 4 + 32, as: V.self)
            var a2 = cr.loadUnaligned(fromByteOffset: j * 4 + 64, as: V.self), a3 = cr.loadUnaligned(fromByteOffset: j * 4 + 96, as: V.self)
            var a4 = cr.loadUnaligned(fromByteOffset: j * 4 + 128, as: V.self), a5 = cr.loadUnaligned(fromByteOffset: j * 4 + 160, as: V.self)
            var a6 = cr.loadUnaligned(fromByteOffset: j * 4 + 192, as: V.self), a7 = cr.loadUnaligned(fromByteOffset: j * 4 + 224, as: V.self)
            for p in entries {
                let s = V(repeating: alpha * values[p])
                let br = UnsafeRawPointer(b + Int(columns[p]) * n + j)
                a0 = a0.addingProduct(s, br.loadUnaligned(as: V.self))
                a1 = a1.addingProduct(s, br.loadUnaligned(fromByteOffset: 32, as: V.self))
                a2 = a2.addingProduct(s, br.loadUnaligned(fromByteOffset: 64, as: V.self))
                a3 = a3.addingProduct(s, br.loadUnaligned(fromByteOffset: 96, as: V.self))
                a4 = a4.addingProduct(s, br.loadUnaligned(fromByteOffset: 128, as: V.self))
                a5 = a5.addingProduct(s, br.loadUnaligned(fromByteOffset: 160, as: V.self))
                a6 = a6.addingProduct(s, br.loadUnaligned(fromByteOffset: 192, as: V.self))
                a7 = a7.addingProduct(s, br.loadUnaligned(fromByteOffset: 224, as: V.self))
            }
            cr.storeBytes(of: a0, toByteOffset: j * 4, as: V.self); cr.storeBytes(of: a1, toByteOffset: j * 4 + 32, as: V.self)
            cr.storeBytes(of: a2, toByteOffset: j * 4 + 64, as: V.self); cr.storeBytes(of: a3, toByteOffset: j * 4 + 96, as: V.self)
            cr.storeBytes(of: a4, toByteOffset: j * 4 + 128, as: V.self); cr.storeBytes(of: a5, toByteOffset: j * 4 + 160, as: V.self)
            cr.storeBytes(of: a6, toByteOffset: j * 4 + 192, as: V.self); cr.storeBytes(of: a7, toByteOffset: j * 4 + 224, as: V.self)
            j += 64
        }
        while j + 32 <= n {
            var a0 = cr.loadUnaligned(fromByteOffset: j * 4, as: V.self), a1 = cr.loadUnaligned(fromByteOffset: j * 4 + 32, as: V.self)
            var a2 = cr.loadUnaligned(fromByteOffset: j * 4 + 64, as: V.self), a3 = cr.loadUnaligned(fromByteOffset: j * 4 + 96, as: V.self)
            for p in entries {
                let s = V(repeating: alpha * values[p])
                let br = UnsafeRawPointer(b + Int(columns[p]) * n + j)
                a0 = a0.addingProduct(s, br.loadUnaligned(as: V.self))
                a1 = a1.addingProduct(s, br.loadUnaligned(fromByteOffset: 32, as: V.self))
                a2 = a2.addingProduct(s, br.loadUnaligned(fromByteOffset: 64, as: V.self))
                a3 = a3.addingProduct(s, br.loadUnaligned(fromByteOffset: 96, as: V.self))
            }
            cr.storeBytes(of: a0, toByteOffset: j * 4, as: V.self); cr.storeBytes(of: a1, toByteOffset: j * 4 + 32, as: V.self)
            cr.storeBytes(of: a2, toByteOffset: j * 4 + 64, as: V.self); cr.storeBytes(of: a3, toByteOffset: j * 4 + 96, as: V.self)
            j += 32
        }
        while j + 8 <= n {
            // One tile: two accumulators (even and odd non-zeros) so that consecutive FMAs do not
            // wait on each other — a single chain is bound by the FMA latency (e.g. k-means++
            // distances to 8 padded candidates, a whole product in this loop).
            var a0 = cr.loadUnaligned(fromByteOffset: j * 4, as: V.self), a1 = V(repeating: 0)
            var p = entries.lowerBound
            while p + 2 <= entries.upperBound {
                a0 = a0.addingProduct(V(repeating: alpha * values[p]), UnsafeRawPointer(b + Int(columns[p]) * n + j).loadUnaligned(as: V.self))
                a1 = a1.addingProduct(V(repeating: alpha * values[p + 1]), UnsafeRawPointer(b + Int(columns[p + 1]) * n + j).loadUnaligned(as: V.self))
                p += 2
            }
            if p < entries.upperBound {
                a0 = a0.addingProduct(V(repeating: alpha * values[p]), UnsafeRawPointer(b + Int(columns[p]) * n + j).loadUnaligned(as: V.self))
            }
            cr.storeBytes(of: a0 + a1, toByteOffset: j * 4, as: V.self)
            j += 8
        }
        while j < n {
            var s = c[j]
            for p in entries { s += alpha * values[p] * b[Int(columns[p]) * n + j] }
            c[j] = s
            j += 1
        }
    }

    /// `C += alpha · Aᵀ · B` by scattering rows of `B` (see `spmm`); `C` has `a.cols` rows of `n`.
    static func transposed(_ a: SparseMatrix, alpha: Float, b: UnsafePointer<Float>, n: Int,
                        c: UnsafeMutablePointer<Float>, backend: Backend, threads: Int) {
        let blocks = splitRange(a.rows, parts: a.nonZeroCount * n >= 1 << 18 ? max(1, threads) : 1)
        let outCount = a.cols * n
        var privateBuffers = [Float](repeating: 0, count: blocks.count > 1 ? blocks.count * outCount : 0)
        a.rowOffsets.withUnsafeBufferPointer { op in
            a.columns.withUnsafeBufferPointer { cp in
                a.values.withUnsafeBufferPointer { vp in
                    privateBuffers.withUnsafeMutableBufferPointer { pb in
                        let so = UnsafeSendable(op), sc = UnsafeSendable(cp), sv = UnsafeSendable(vp)
                        let sb = UnsafeSendable(b), sout = UnsafeSendable(c), spb = UnsafeSendable(pb.baseAddress)
                        let single = blocks.count == 1
                        parallelFor(chunks: blocks.count, threads: threads) { bi in
                            guard let target = single ? sout.value : spb.value.map({ $0 + bi * outCount }) else { return }
                            for i in blocks[bi] {
                                let brow = sb.value + i * n
                                for p in Int(so.value[i])..<Int(so.value[i + 1]) {
                                    VectorKernels.axpy(alpha * sv.value[p], brow, target + Int(sc.value[p]) * n, n, backend: backend)
                                }
                            }
                        }
                        // Reduce the private buffers into C in block order, in parallel over C's rows.
                        guard !single, let pbase = pb.baseAddress else { return }
                        let sp = UnsafeSendable(pbase)
                        parallelRanges(outCount, threads: threads, minBlock: 1 << 14) { range in
                            for bi in 0..<blocks.count {
                                let src = sp.value + bi * outCount
                                for q in range { sout.value[q] += src[q] }
                            }
                        }
                    }
                }
            }
        }
    }
}
