import COpenBLAS
import Runtime

/// Squared Euclidean norm of every row: BLAS path `cblas_sdot(row, row)`, Swift path SIMD dot.
public func rowNormsSquared(_ m: Matrix<Float>, backend: Backend = .default, threads: Int = Threads.defaultCount) -> [Float] {
    var out = [Float](repeating: 0, count: m.rows)
    let cols = m.cols
    let t = Threads.resolve(threads)
    m.withUnsafeBufferPointer { mp in
        out.withUnsafeMutableBufferPointer { op in
            guard let base = mp.baseAddress, let ob = op.baseAddress, cols > 0 else { return }
            let sm = UnsafeSendable(base), so = UnsafeSendable(ob)
            BLASThreads.with(1) {
                parallelRanges(m.rows, threads: t, minBlock: max(1, 65_536 / cols)) { range in
                    for i in range {
                        let row = sm.value + i * cols
                        so.value[i] = VectorKernels.dot(row, row, cols, backend: backend)
                    }
                }
            }
        }
    }
    return out
}

/// Each row scaled to unit Euclidean length; all-zero rows stay zero. BLAS path: `cblas_sdot`
/// and `cblas_sscal`; Swift path: SIMD loops. The norm is accumulated in `Float`.
public func normalizedRows(_ m: Matrix<Float>, backend: Backend = .default, threads: Int = Threads.defaultCount) -> Matrix<Float> {
    var out = m
    let cols = m.cols
    let t = Threads.resolve(threads)
    out.withUnsafeMutableBufferPointer { op in
        guard let base = op.baseAddress, cols > 0 else { return }
        let sm = UnsafeSendable(base)
        BLASThreads.with(1) {
            parallelRanges(m.rows, threads: t, minBlock: max(1, 65_536 / cols)) { range in
                for i in range {
                    let row = sm.value + i * cols
                    let nn = VectorKernels.dot(row, row, cols, backend: backend)
                    guard nn > 0 else { continue }
                    let s = 1 / nn.squareRoot()
                    switch backend {
                    case .blas: cblas_sscal(Int32(cols), s, row, 1)
                    case .swift: SIMDLoops.scale(s, row, cols)
                    }
                }
            }
        }
    }
    return out
}

extension SparseMatrix {
    /// Squared Euclidean norm of every row (sum of squares of the stored values). Both backends
    /// share one loop: BLAS has no sparse kernels, and a row's values are a contiguous vector,
    /// so the BLAS path calls `cblas_sdot` on it and the Swift path the SIMD dot.
    public func rowNormsSquared(backend: Backend = .default) -> [Float] {
        values.withUnsafeBufferPointer { vp in
            (0..<rows).map { r in
                let rg = range(ofRow: r)
                guard !rg.isEmpty, let base = vp.baseAddress else { return 0 }
                return VectorKernels.dot(base + rg.lowerBound, base + rg.lowerBound, rg.count, backend: backend)
            }
        }
    }

    /// A copy with every non-empty row scaled to unit Euclidean length (rows whose stored values
    /// are all zero are left as they are). Used for cosine similarity of sparse rows.
    public func normalizedRows(backend: Backend = .default) -> SparseMatrix {
        let norms = rowNormsSquared(backend: backend)
        var newValues = values
        for r in 0..<rows where norms[r] > 0 {
            let s = 1 / norms[r].squareRoot()
            for p in range(ofRow: r) { newValues[p] *= s }
        }
        return SparseMatrix(unchecked: rows, cols, rowOffsets, columns, newValues)
    }
}
