import Runtime

/// The `k` largest entries of each row of a product `A·Bᵀ`, best first.
///
/// Row `i` holds `counts[i]` entries (`min(k, candidates)`), stored at `indices[i*k ..< i*k+counts[i]]`
/// and the same positions of `scores`; unused slots hold index `-1` and score `-infinity`.
/// Order: larger score first, ties broken by the smaller column index. NaN scores rank below
/// every number.
public struct TopKResult: Sendable, Equatable {
    /// Number of rows (rows of `A`).
    public let rows: Int
    /// Requested `k` (the row stride of `indices`/`scores`).
    public let k: Int
    /// Column indices (rows of `B`), `rows × k`, row-major.
    public let indices: [Int32]
    /// Scores `a_i · b_j`, `rows × k`, row-major.
    public let scores: [Float]
    /// Number of valid entries in each row.
    public let counts: [Int32]

    /// The valid entries of row `i`, best first.
    public func row(_ i: Int) -> [(index: Int32, score: Float)] {
        (0..<Int(counts[i])).map { (indices[i * k + $0], scores[i * k + $0]) }
    }
}

/// A fixed-capacity heap keeping the `k` best (score, index) pairs; the root is the worst kept.
struct TopKHeap {
    var scores: UnsafeMutablePointer<Float>
    var indices: UnsafeMutablePointer<Int32>
    let capacity: Int
    var count = 0

    /// `true` when (s1, i1) ranks strictly below (s2, i2).
    @inline(__always)
    static func worse(_ s1: Float, _ i1: Int32, _ s2: Float, _ i2: Int32) -> Bool {
        s1 < s2 || (s1 == s2 && i1 > i2)
    }

    /// Cheap pre-check: could (score, index) enter the heap? (NaN never displaces anything.)
    @inline(__always)
    func accepts(_ s: Float, _ index: Int32) -> Bool {
        if count < capacity { return true }
        let rs = scores[0]
        return s > rs || (s == rs && index < indices[0])
    }

    @inline(__always)
    mutating func push(_ rawScore: Float, _ index: Int32) {
        let s = rawScore.isNaN ? -Float.infinity : rawScore
        if count < capacity {
            var c = count
            count += 1
            while c > 0 {
                let parent = (c - 1) / 2
                if TopKHeap.worse(s, index, scores[parent], indices[parent]) {
                    scores[c] = scores[parent]; indices[c] = indices[parent]; c = parent
                } else { break }
            }
            scores[c] = s; indices[c] = index
            return
        }
        guard capacity > 0, TopKHeap.worse(scores[0], indices[0], s, index) else { return }
        var c = 0
        while true {
            let l = 2 * c + 1
            if l >= count { break }
            var w = l
            let r = l + 1
            if r < count && TopKHeap.worse(scores[r], indices[r], scores[l], indices[l]) { w = r }
            if TopKHeap.worse(scores[w], indices[w], s, index) {
                scores[c] = scores[w]; indices[c] = indices[w]; c = w
            } else { break }
        }
        scores[c] = s; indices[c] = index
    }

    /// Sorts the kept entries best first (in place) and pads the rest.
    mutating func finish() {
        var pairs = (0..<count).map { (scores[$0], indices[$0]) }
        pairs.sort { TopKHeap.worse($1.0, $1.1, $0.0, $0.1) }
        for (p, e) in pairs.enumerated() { scores[p] = e.0; indices[p] = e.1 }
        for p in count..<capacity { scores[p] = -.infinity; indices[p] = -1 }
    }
}

/// Top-`k` of each row of `A·Bᵀ` for dense `A` (`n × d`) and `B` (`m × d`), never forming the
/// `n × m` product: row blocks of `rowBlock` rows run in parallel, each multiplying against
/// column blocks of `columnBlock` rows of `B` with GEMM (BLAS: `cblas_sgemm` single-threaded per
/// worker; Swift: the packed SIMD GEMM) and feeding a `k`-heap per row. Memory is
/// `O(threads × rowBlock × columnBlock + n × k)`.
/// - Parameter excludeDiagonal: skip column `j == i` (self-similarity when `A` and `B` are the same rows).
/// - Throws: `.invalidArgument` for `k < 1`, `.dimensionMismatch` when column counts differ.
public func topKProducts(_ a: Matrix<Float>, _ b: Matrix<Float>, k: Int, excludeDiagonal: Bool = false,
                         rowBlock: Int = 64, columnBlock: Int = 2048,
                         backend: Backend = .default, threads: Int = Threads.defaultCount) throws -> TopKResult {
    try TopKKernel.validate(k: k, aCols: a.cols, bCols: b.cols)
    let t = Threads.resolve(threads)
    let n = a.rows, m = b.rows, d = a.cols
    let rb = max(1, rowBlock), cbk = max(1, columnBlock)
    return TopKKernel.run(rows: n, k: k, threads: t, blockSize: rb) { r0, r1, heaps in
        var g = [Float](repeating: 0, count: (r1 - r0) * min(cbk, max(1, m)))
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                g.withUnsafeMutableBufferPointer { gp in
                    guard let gb = gp.baseAddress else { return }
                    var c0 = 0
                    while c0 < m {
                        let c1 = min(m, c0 + cbk), w = c1 - c0
                        if let ab = ap.baseAddress, let bb = bp.baseAddress, d > 0 {
                            GEMMKernel.run(transposeA: false, transposeB: true, m: r1 - r0, n: w, k: d, alpha: 1,
                                           a: ab + r0 * d, lda: d, b: bb + c0 * d, ldb: d, beta: 0, c: gb, ldc: w,
                                           backend: backend, threads: 1)
                        } else {
                            gb.update(repeating: 0, count: (r1 - r0) * w)
                        }
                        for i in r0..<r1 {
                            var h = heaps[i - r0]
                            let row = gb + (i - r0) * w
                            for j in c0..<c1 {
                                let s = row[j - c0], jj = Int32(truncatingIfNeeded: j)
                                if h.accepts(s, jj) && !(excludeDiagonal && j == i) { h.push(s, jj) }
                            }
                            heaps[i - r0] = h
                        }
                        c0 = c1
                    }
                }
            }
        }
    }
}

/// Top-`k` of each row of `A·Bᵀ` for CSR `A` (`n × d`) and `B` (`m × d`), e.g. cosine
/// similarity of L2-normalised sparse rows. Uses a Gustavson-style product row by row: `Bᵀ`
/// (CSC of `B`) is formed once, and each row of `A` accumulates its scores into a dense
/// length-`m` accumulator (only rows of `B` sharing a column are touched), then feeds the heap.
/// Only rows of `B` sharing a column with the row of `A` are candidates, so rows may hold fewer
/// than `k`. The heap's (score desc, index asc) order makes the result independent of the order
/// in which candidates are offered, so no row is sorted.
///
/// When every stored value of `A` and `B` is at least 2⁻⁶⁰ (e.g. TF-IDF vectors), every product
/// is positive (no underflow to 0), so "touched" is exactly "sum > 0": the inner loop is a bare
/// scatter-FMA and one ascending scan of the accumulator, with a rising threshold once the heap
/// is full, finds the candidates. Otherwise a list of touched rows is kept.
///
/// Backends: BLAS has no sparse kernels; both backends run this same sparse code (the
/// `backend` parameter is accepted for a uniform API and has no effect here).
public func topKProducts(_ a: SparseMatrix, _ b: SparseMatrix, k: Int, excludeDiagonal: Bool = false,
                         backend: Backend = .default, threads: Int = Threads.defaultCount) throws -> TopKResult {
    try TopKKernel.validate(k: k, aCols: a.cols, bCols: b.cols)
    let t = Threads.resolve(threads)
    let bt = b.transposed()
    let m = b.rows
    let floor = Float(sign: .plus, exponent: -60, significand: 1)
    let positive = a.values.allSatisfy { $0 >= floor } && b.values.allSatisfy { $0 >= floor }
    return TopKKernel.run(rows: a.rows, k: k, threads: t, blockSize: 64) { r0, r1, heaps in
        var acc = SparseRowAccumulator(size: m)
        CSRView.with(a) { av in
            CSRView.with(bt) { btv in
                for i in r0..<r1 {
                    var h = heaps[i - r0]
                    if positive {
                        acc.accumulatePositive(row: i, of: av, times: btv)
                        acc.drainPositive(skipping: excludeDiagonal ? i : -1, into: &h)
                    } else {
                        acc.accumulate(row: i, of: av, times: btv)
                        acc.drain { j, s in
                            if h.accepts(s, j) && !(excludeDiagonal && Int(j) == i) { h.push(s, j) }
                        }
                    }
                    heaps[i - r0] = h
                }
            }
        }
    }
}

enum TopKKernel {
    static func validate(k: Int, aCols: Int, bCols: Int) throws {
        guard k >= 1 else { throw LinearAlgebraError.invalidArgument(operation: "topKProducts", details: "k must be at least 1, got \(k)") }
        guard aCols == bCols else {
            throw LinearAlgebraError.dimensionMismatch(operation: "topKProducts", details: "A has \(aCols) columns, B has \(bCols)")
        }
    }

    /// Runs `block(r0, r1, &heaps)` over row blocks in parallel (OpenBLAS set to one thread);
    /// `heaps[i - r0]` is row `i`'s k-heap.
    static func run(rows n: Int, k: Int, threads: Int, blockSize: Int,
                    _ block: (Int, Int, inout [TopKHeap]) -> Void) -> TopKResult {
        var scores = [Float](repeating: -.infinity, count: n * k)
        var indices = [Int32](repeating: -1, count: n * k)
        var counts = [Int32](repeating: 0, count: n)
        scores.withUnsafeMutableBufferPointer { sp in
            indices.withUnsafeMutableBufferPointer { ip in
                counts.withUnsafeMutableBufferPointer { cp in
                    let ss = UnsafeSendable(sp.baseAddress), si = UnsafeSendable(ip.baseAddress), sc = UnsafeSendable(cp.baseAddress)
                    let chunks = (n + blockSize - 1) / blockSize
                    BLASThreads.with(1) {
                        parallelFor(chunks: chunks, threads: threads) { ci in
                            guard let sb = ss.value, let ib = si.value, let cb = sc.value else { return }
                            let r0 = ci * blockSize, r1 = min(n, r0 + blockSize)
                            var heaps = (r0..<r1).map { TopKHeap(scores: sb + $0 * k, indices: ib + $0 * k, capacity: k) }
                            block(r0, r1, &heaps)
                            for h in 0..<heaps.count {
                                heaps[h].finish()
                                cb[r0 + h] = Int32(heaps[h].count)
                            }
                        }
                    }
                }
            }
        }
        return TopKResult(rows: n, k: k, indices: indices, scores: scores, counts: counts)
    }
}
