import Runtime

/// Stable, parallel partition of a node's rows (and their ordered gradients) into the left and
/// right child: rows keep their relative order inside each child, so the result is the same for
/// every thread count.
///
/// Two passes over the node: each block of rows reads its split column once and writes its left
/// rows forwards from the block's start and its right rows backwards from the block's end in the
/// scratch buffers (branch-free); the second pass, knowing every block's left count, copies the left runs to
/// the front of the range and the (reversed) right runs behind them, in block order.
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
                let lcs = UnsafeSendable(lc)
                parallelFor(chunks: blocks, threads: useThreads) { blk in
                    let lo = range.lowerBound + blk * Self.blockRows
                    let hi = min(range.upperBound, lo + Self.blockRows)
                    // Scratch positions are relative to the range start.
                    var l = lo - range.lowerBound, r = hi - range.lowerBound - 1
                    // Branch-free: the row goes to both free slots (the next left and the next
                    // right one; the same slot for the block's last row) and only its side's
                    // cursor moves, so a random split costs no mispredicted branches.
                    for i in lo..<hi {
                        let row = ix.value[i]
                        let g = gr.value[i]
                        let left = Int(t.value[Int(col.value[Int(row)])])
                        si.value[l] = row; sg.value[l] = g
                        si.value[r] = row; sg.value[r] = g
                        l += left
                        r -= 1 - left
                    }
                    lcs.value[blk] = l - (lo - range.lowerBound)
                }
            }
            var leftStart = [Int](repeating: 0, count: blocks)
            var rightStart = [Int](repeating: 0, count: blocks)
            let totalLeft = leftCounts.reduce(0, +)
            var accL = 0, accR = totalLeft
            for blk in 0..<blocks {
                leftStart[blk] = accL
                let size = min(count, (blk + 1) * Self.blockRows) - blk * Self.blockRows
                rightStart[blk] = accR
                accL += leftCounts[blk]
                accR += size - leftCounts[blk]
            }
            parallelFor(chunks: blocks, threads: useThreads) { blk in
                let lo = blk * Self.blockRows
                let hi = min(count, lo + Self.blockRows)
                let nl = leftCounts[blk]
                let dst = range.lowerBound
                (ix.value + dst + leftStart[blk]).update(from: si.value + lo, count: nl)
                (gr.value + dst + leftStart[blk]).update(from: sg.value + lo, count: nl)
                // The right run was written backwards from hi − 1 down to lo + nl.
                var d = dst + rightStart[blk]
                var k = hi - 1
                while k >= lo + nl {
                    ix.value[d] = si.value[k]; gr.value[d] = sg.value[k]
                    d += 1; k -= 1
                }
            }
        }
        return range.lowerBound + leftCounts.reduce(0, +)
    }
}
