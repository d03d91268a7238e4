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
            var acc = SparseRowAccumulator(size: m)
            var cs: [Int32] = [], vs: [Float] = [], counts: [Int64] = []
            var row: [(Int32, Float)] = []
            CSRView.with(a) { av in
                CSRView.with(bt) { btv in
                    for i in blocks[bi] {
                        acc.accumulate(row: i, of: av, times: btv)
                        row.removeAll(keepingCapacity: true)
                        acc.drain { j, s in row.append((j, s)) }
                        row.sort { $0.0 < $1.0 }
                        for (j, s) in row { cs.append(j); vs.append(s) }
                        counts.append(Int64(row.count))
                    }
                }
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

/// Raw views of a CSR matrix's arrays, for the inner loops of the sparse kernels.
struct CSRView {
    let offsets: UnsafeBufferPointer<Int64>
    let columns: UnsafeBufferPointer<Int32>
    let values: UnsafeBufferPointer<Float>

    static func with<R>(_ m: SparseMatrix, _ body: (CSRView) throws -> R) rethrows -> R {
        try m.rowOffsets.withUnsafeBufferPointer { o in
            try m.columns.withUnsafeBufferPointer { c in
                try m.values.withUnsafeBufferPointer { v in try body(CSRView(offsets: o, columns: c, values: v)) }
            }
        }
    }
}

/// A dense accumulator over the rows of `B` with a list of touched entries (Gustavson's SpGEMM):
/// `accumulate` adds `A[i, :]·Bᵀ`, `drain` hands out every touched (index, sum) and resets.
struct SparseRowAccumulator {
    private var sums: UnsafeMutablePointer<Float>
    private var touched: UnsafeMutablePointer<Bool>
    private var list: UnsafeMutablePointer<Int32>
    private var count = 0
    private let size: Int
    private let owner: Storage

    /// Frees the buffers when the last copy of the accumulator goes away.
    private final class Storage {
        let sums: UnsafeMutablePointer<Float>, touched: UnsafeMutablePointer<Bool>, list: UnsafeMutablePointer<Int32>
        init(_ n: Int) {
            sums = .allocate(capacity: max(1, n)); sums.initialize(repeating: 0, count: max(1, n))
            touched = .allocate(capacity: max(1, n)); touched.initialize(repeating: false, count: max(1, n))
            list = .allocate(capacity: max(1, n)); list.initialize(repeating: 0, count: max(1, n))
        }
        deinit { sums.deallocate(); touched.deallocate(); list.deallocate() }
    }

    init(size: Int) {
        owner = Storage(size)
        sums = owner.sums; touched = owner.touched; list = owner.list
        self.size = size
    }

    /// Adds row `i` of `a` times `btᵀ` (i.e. `a[i, :]·B_jᵀ` for every row `j` of `B`).
    @inline(__always)
    mutating func accumulate(row i: Int, of a: CSRView, times bt: CSRView) {
        for p in Int(a.offsets[i])..<Int(a.offsets[i + 1]) {
            let c = Int(a.columns[p]), v = a.values[p]
            for q in Int(bt.offsets[c])..<Int(bt.offsets[c + 1]) {
                let j = Int(bt.columns[q])
                if !touched[j] { touched[j] = true; list[count] = Int32(truncatingIfNeeded: j); count += 1 }
                sums[j] += v * bt.values[q]
            }
        }
    }

    /// `accumulate` without the touched list, for inputs whose products are all positive (the
    /// touched entries are then exactly the positive sums; see `drainPositive`).
    @inline(__always)
    mutating func accumulatePositive(row i: Int, of a: CSRView, times bt: CSRView) {
        for p in Int(a.offsets[i])..<Int(a.offsets[i + 1]) {
            let c = Int(a.columns[p]), v = a.values[p]
            for q in Int(bt.offsets[c])..<Int(bt.offsets[c + 1]) { sums[Int(bt.columns[q])] += v * bt.values[q] }
            count += 1
        }
    }

    /// After `accumulatePositive`: offers every positive sum except entry `skip` to `heap` in
    /// ascending index order, clearing the accumulator. Indices ascend, so once the heap is full
    /// a candidate must beat the worst kept score strictly (a tie has a larger index).
    @inline(__always)
    mutating func drainPositive(skipping skip: Int, into heap: inout TopKHeap) {
        guard count > 0 else { return }
        count = 0
        if skip >= 0 && skip < size { sums[skip] = 0 }
        var threshold: Float = 0
        for j in 0..<size {
            let x = sums[j]
            sums[j] = 0
            if x > threshold {
                heap.push(x, Int32(truncatingIfNeeded: j))
                if heap.count == heap.capacity { threshold = max(0, heap.scores[0]) }
            }
        }
    }

    /// Calls `body(j, sum)` for each touched `j` in first-touched order, then clears.
    @inline(__always)
    mutating func drain(_ body: (Int32, Float) -> Void) {
        for t in 0..<count {
            let j = Int(list[t])
            body(Int32(truncatingIfNeeded: j), sums[j])
            sums[j] = 0
            touched[j] = false
        }
        count = 0
    }
}
