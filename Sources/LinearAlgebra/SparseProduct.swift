import Runtime

/// `A · Bᵀ` for CSR `A` (`n × d`) and `B` (`m × d`) as a CSR `n × m` matrix holding every pair
/// of rows that share at least one column (exact zeros from cancellation are kept as stored
/// entries). With L2-normalised rows this is the cosine-similarity matrix of sparse rows.
///
/// Gustavson's algorithm: `Bᵀ` is formed once (`transposed()`, O(nnz)); each row of `A` scatters
/// into a dense accumulator of length `m`. Rows run in parallel blocks. Both backends share this
/// code: BLAS has no sparse kernels (the result's size is the cost, so prefer `topKProducts`
/// for large inputs).
/// - Throws: `.dimensionMismatch` when column counts differ.
public func sparseProductTransposed(_ a: SparseMatrix, _ b: SparseMatrix, threads: Int = Threads.defaultCount) throws -> SparseMatrix {
    guard a.cols == b.cols else {
        throw LinearAlgebraError.dimensionMismatch(operation: "sparseProductTransposed", details: "A has \(a.cols) columns, B has \(b.cols)")
    }
    let bt = b.transposed()
    let m = b.rows
    let blocks = splitRange(a.rows, parts: max(1, Threads.resolve(threads)) * 4)
    var parts = [(cols: [Int32], vals: [Float], counts: [Int64])](repeating: ([], [], []), count: blocks.count)
    parts.withUnsafeMutableBufferPointer { pp in
        let sp = UnsafeSendable(pp.baseAddress)
        parallelFor(chunks: blocks.count, threads: Threads.resolve(threads)) { bi in
            var acc = [Float](repeating: 0, count: m)
            var touched = [Bool](repeating: false, count: m)
            var list: [Int32] = []
            var cs: [Int32] = [], vs: [Float] = [], counts: [Int64] = []
            for i in blocks[bi] {
                list.removeAll(keepingCapacity: true)
                SparseProductKernel.accumulateRow(a, row: i, bt: bt, acc: &acc, touched: &touched, list: &list)
                list.sort()
                for j in list {
                    cs.append(j); vs.append(acc[Int(j)])
                    acc[Int(j)] = 0; touched[Int(j)] = false
                }
                counts.append(Int64(list.count))
            }
            sp.value?[bi] = (cs, vs, counts)
        }
    }
    var offsets = [Int64](repeating: 0, count: a.rows + 1)
    var cols: [Int32] = [], vals: [Float] = []
    var r = 0
    for p in parts {
        for c in p.counts { offsets[r + 1] = offsets[r] + c; r += 1 }
        cols.append(contentsOf: p.cols)
        vals.append(contentsOf: p.vals)
    }
    return SparseMatrix(unchecked: a.rows, m, offsets, cols, vals)
}

enum SparseProductKernel {
    /// Adds `A[i, :] · Bᵀ` into `acc` (indexed by rows of `B`), appending newly touched rows to `list`.
    @inline(__always)
    static func accumulateRow(_ a: SparseMatrix, row i: Int, bt: SparseMatrix,
                              acc: inout [Float], touched: inout [Bool], list: inout [Int32]) {
        for p in a.range(ofRow: i) {
            let c = Int(a.columns[p]), v = a.values[p]
            for q in bt.range(ofRow: c) {
                let j = Int(bt.columns[q])
                if !touched[j] { touched[j] = true; list.append(Int32(j)) }
                acc[j] += v * bt.values[q]
            }
        }
    }
}
