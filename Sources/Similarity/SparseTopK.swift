import LinearAlgebra
import Runtime

/// Top-k of each row of `A·Aᵀ` for a CSR matrix `A`, diagonal excluded: the kernel behind
/// `CosineNeighbours`.
///
/// Gustavson-style, row by row: `Aᵀ` (CSC) is formed once; row i scatters
/// `Σ_c a[i,c]·Aᵀ[c, :]` into a dense accumulator over rows, remembering the touched rows, and
/// each touched row is offered to a k-heap that ranks (score desc, index asc). For non-negative
/// input (TF-IDF) the touched bookkeeping is replaced by one scan of the accumulator for
/// positive sums, which keeps the inner loop a bare scatter-FMA. Because the heap
/// itself breaks ties by index, the touched rows need no sorting, which is what makes this
/// faster than `LinearAlgebra.topKProducts(SparseMatrix, …)` (that kernel sorts every row's
/// touched list: ~4,000 rows per movie on ml-latest-small). Row blocks run in parallel; every
/// row is computed independently, so the result does not depend on the thread count. Memory:
/// one accumulator of length n per worker plus the n × k result — never n × n.
enum SparseTopK {
    struct Result: Sendable {
        let rows: Int
        let k: Int
        /// `rows × k` neighbour indices (−1 = unused slot), best first.
        var indices: [Int32]
        /// `rows × k` scores (−∞ = unused slot).
        var scores: [Float]
        /// Valid entries per row.
        var counts: [Int32]

        func row(_ i: Int) -> [(index: Int32, score: Float)] {
            (0..<Int(counts[i])).map { (indices[i * k + $0], scores[i * k + $0]) }
        }
    }

    static func selfTopK(_ a: SparseMatrix, k: Int, threads: Int) -> Result {
        let n = a.rows
        let at = a.transposed()
        var indices = [Int32](repeating: -1, count: n * k)
        var scores = [Float](repeating: -.infinity, count: n * k)
        var counts = [Int32](repeating: 0, count: n)
        let block = 64
        // With no negative values (TF-IDF) every stored product is ≥ 0, so "sum > 0" marks the
        // rows worth offering and no touched list is needed (zero-score rows are not listed in
        // either path: the general path offers them, callers filter scores > 0).
        let nonNegative = a.values.allSatisfy { $0 >= 0 }
        let chunks = (n + block - 1) / block
        indices.withUnsafeMutableBufferPointer { ib in
            scores.withUnsafeMutableBufferPointer { sb in
                counts.withUnsafeMutableBufferPointer { cb in
                    a.rowOffsets.withUnsafeBufferPointer { aoff in
                    a.columns.withUnsafeBufferPointer { acol in
                    a.values.withUnsafeBufferPointer { aval in
                    at.rowOffsets.withUnsafeBufferPointer { toff in
                    at.columns.withUnsafeBufferPointer { tcol in
                    at.values.withUnsafeBufferPointer { tval in
                        let I = UnsafeSendable(ib), S = UnsafeSendable(sb), C = UnsafeSendable(cb)
                        let AO = UnsafeSendable(aoff), AC = UnsafeSendable(acol), AV = UnsafeSendable(aval)
                        let TO = UnsafeSendable(toff), TC = UnsafeSendable(tcol), TV = UnsafeSendable(tval)
                        parallelFor(chunks: chunks, threads: threads) { chunk in
                            let acc = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
                            acc.initialize(repeating: 0, count: max(n, 1))
                            let touched = UnsafeMutablePointer<Bool>.allocate(capacity: max(n, 1))
                            touched.initialize(repeating: false, count: max(n, 1))
                            let list = UnsafeMutablePointer<Int32>.allocate(capacity: max(n, 1))
                            defer { acc.deallocate(); touched.deallocate(); list.deallocate() }
                            for i in (chunk * block)..<min(n, (chunk + 1) * block) {
                                var heap = Heap(scores: S.value.baseAddress! + i * k, indices: I.value.baseAddress! + i * k, capacity: k)
                                if nonNegative {
                                    // Positive products only: a row is touched iff its sum is > 0,
                                    // so the inner loop is a bare scatter-FMA and one scan finds them.
                                    var touchedAny = false
                                    for p in Int(AO.value[i])..<Int(AO.value[i + 1]) {
                                        let v = AV.value[p]
                                        guard v > 0 else { continue }
                                        touchedAny = true
                                        let c = Int(AC.value[p])
                                        for q in Int(TO.value[c])..<Int(TO.value[c + 1]) {
                                            acc[Int(TC.value[q])] += v * TV.value[q]
                                        }
                                    }
                                    if touchedAny {
                                        acc[i] = 0
                                        // j ascends, so once the heap is full a candidate must beat
                                        // the worst kept score strictly (a tie has a larger index).
                                        var threshold: Float = 0
                                        for j in 0..<n {
                                            let x = acc[j]
                                            acc[j] = 0
                                            if x > threshold {
                                                heap.push(x, Int32(j))
                                                if heap.count == k { threshold = max(0, heap.scores[0]) }
                                            }
                                        }
                                    }
                                } else {
                                    var m = 0
                                    for p in Int(AO.value[i])..<Int(AO.value[i + 1]) {
                                        let c = Int(AC.value[p]), v = AV.value[p]
                                        for q in Int(TO.value[c])..<Int(TO.value[c + 1]) {
                                            let j = Int(TC.value[q])
                                            if !touched[j] { touched[j] = true; list[m] = Int32(j); m += 1 }
                                            acc[j] += v * TV.value[q]
                                        }
                                    }
                                    for t in 0..<m {
                                        let j = Int(list[t])
                                        if j != i { heap.push(acc[j], Int32(j)) }
                                        acc[j] = 0
                                        touched[j] = false
                                    }
                                }
                                heap.finish()
                                C.value[i] = Int32(heap.count)
                            }
                        }
                    }}}}}}
                }
            }
        }
        return Result(rows: n, k: k, indices: indices, scores: scores, counts: counts)
    }

    /// A fixed-capacity min-heap on (score, −index): the root is the worst kept pair.
    struct Heap {
        let scores: UnsafeMutablePointer<Float>
        let indices: UnsafeMutablePointer<Int32>
        let capacity: Int
        var count = 0

        init(scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>, capacity: Int) {
            self.scores = scores
            self.indices = indices
            self.capacity = capacity
        }

        /// (s1, i1) ranks strictly below (s2, i2).
        @inline(__always)
        static func worse(_ s1: Float, _ i1: Int32, _ s2: Float, _ i2: Int32) -> Bool {
            s1 < s2 || (s1 == s2 && i1 > i2)
        }

        @inline(__always)
        mutating func push(_ raw: Float, _ index: Int32) {
            let s = raw.isNaN ? -Float.infinity : raw
            if count < capacity {
                var c = count
                count += 1
                while c > 0 {
                    let parent = (c - 1) / 2
                    guard Heap.worse(s, index, scores[parent], indices[parent]) else { break }
                    scores[c] = scores[parent]; indices[c] = indices[parent]; c = parent
                }
                scores[c] = s; indices[c] = index
                return
            }
            guard capacity > 0, Heap.worse(scores[0], indices[0], s, index) else { return }
            var c = 0
            while true {
                let l = 2 * c + 1
                if l >= count { break }
                var w = l
                if l + 1 < count && Heap.worse(scores[l + 1], indices[l + 1], scores[l], indices[l]) { w = l + 1 }
                guard Heap.worse(scores[w], indices[w], s, index) else { break }
                scores[c] = scores[w]; indices[c] = indices[w]; c = w
            }
            scores[c] = s; indices[c] = index
        }

        /// Sorts the kept pairs best first; unused slots keep (−∞, −1).
        mutating func finish() {
            var pairs = (0..<count).map { (scores[$0], indices[$0]) }
            pairs.sort { Heap.worse($1.0, $1.1, $0.0, $0.1) }
            for (p, e) in pairs.enumerated() { scores[p] = e.0; indices[p] = e.1 }
        }
    }
}
