import Runtime

/// Stable, parallel partition of a node's rows (and their ordered gradients) into the left and
/// right child: rows keep their relative order inside each child, so the result is the same for
/// every thread count.
final class RowPartitioner {
    static let blockRows = 16_384
    let capacity: Int
    let rowIndex: UnsafeMutablePointer<UInt32>
    let gradients: UnsafeMutablePointer<SIMD2<Float>>
    private let scratchIndex: UnsafeMutablePointer<UInt32>
    private let scratchGrad: UnsafeMutablePointer<SIMD2<Float>>

    init(capacity: Int) {
        self.capacity = capacity
        let c = max(1, capacity)
        rowIndex = .allocate(capacity: c)
        gradients = .allocate(capacity: c)
        scratchIndex = .allocate(capacity: c)
        scratchGrad = .allocate(capacity: c)
    }

    deinit {
        rowIndex.deallocate(); gradients.deallocate()
        scratchIndex.deallocate(); scratchGrad.deallocate()
    }

    /// Partitions `range` by the split rule on feature column `column` (bin indices of all rows):
    /// a row goes left when its bin is `missingBin` and `defaultLeft`, or its bin ≤ `splitBin`.
    /// Returns the first index of the right child.
    func partition(range: Range<Int>, column: UnsafePointer<UInt8>, splitBin: Int, missingBin: Int, defaultLeft: Bool, threads: Int) -> Int {
        let count = range.count
        let blocks = max(1, (count + Self.blockRows - 1) / Self.blockRows)
        let useThreads = count < 32_768 ? 1 : threads
        var leftCounts = [Int](repeating: 0, count: blocks)
        let ix = UnsafeSendable(rowIndex), gr = UnsafeSendable(gradients)
        let si = UnsafeSendable(scratchIndex), sg = UnsafeSendable(scratchGrad)
        let col = UnsafeSendable(column)
        // A 256-entry lookup table turns the rule into one load per row.
        var table = [UInt8](repeating: 0, count: 256)
        for b in 0..<256 { table[b] = (b == missingBin ? defaultLeft : b <= splitBin) ? 1 : 0 }
        table.withUnsafeBufferPointer { tb in
            let t = UnsafeSendable(tb)
            leftCounts.withUnsafeMutableBufferPointer { lc in
                let l = UnsafeSendable(lc)
                parallelFor(chunks: blocks, threads: useThreads) { blk in
                    let lo = range.lowerBound + blk * Self.blockRows
                    let hi = min(range.upperBound, lo + Self.blockRows)
                    var c = 0
                    for i in lo..<hi { c += Int(t.value[Int(col.value[Int(ix.value[i])])]) }
                    l.value[blk] = c
                }
            }
            var leftStart = [Int](repeating: 0, count: blocks)
            var rightStart = [Int](repeating: 0, count: blocks)
            let totalLeft = leftCounts.reduce(0, +)
            var accL = 0, accR = totalLeft
            for blk in 0..<blocks {
                leftStart[blk] = accL
                let size = min(range.upperBound, range.lowerBound + (blk + 1) * Self.blockRows) - (range.lowerBound + blk * Self.blockRows)
                rightStart[blk] = accR
                accL += leftCounts[blk]
                accR += size - leftCounts[blk]
            }
            parallelFor(chunks: blocks, threads: useThreads) { blk in
                let lo = range.lowerBound + blk * Self.blockRows
                let hi = min(range.upperBound, lo + Self.blockRows)
                var l = leftStart[blk], r = rightStart[blk]
                for i in lo..<hi {
                    let row = ix.value[i]
                    if t.value[Int(col.value[Int(row)])] != 0 {
                        si.value[l] = row; sg.value[l] = gr.value[i]; l += 1
                    } else {
                        si.value[r] = row; sg.value[r] = gr.value[i]; r += 1
                    }
                }
            }
            parallelFor(chunks: blocks, threads: useThreads) { blk in
                let lo = blk * Self.blockRows
                let hi = min(count, lo + Self.blockRows)
                (ix.value + range.lowerBound + lo).update(from: si.value + lo, count: hi - lo)
                (gr.value + range.lowerBound + lo).update(from: sg.value + lo, count: hi - lo)
            }
        }
        return range.lowerBound + leftCounts.reduce(0, +)
    }
}
