import Runtime

/// Stable, parallel partition of a node's rows (and their ordered gradients, and their ordered
/// bin records when the partitioner carries them) into the left and right child: rows keep their
/// relative order inside each child, so the result is the same for every thread count.
///
/// Two passes over the node: each block of rows reads its split byte once per row and writes its
/// left rows forwards from the block's start and its right rows backwards from the block's end in
/// the scratch buffers (branch-free); the second pass, knowing every block's left count, copies
/// the left runs to the front of the range and the (reversed) right runs behind them, in block
/// order.
///
/// Ordered records (`recordStride > 0`): `records(depth:)` holds, at partition position `i`,
/// the `BinRecords` record of row `rowIndex[i]`, so a node's records are contiguous and every
/// later read of them (histograms, the next split) streams instead of gathering scattered rows.
/// Two buffers alternate by depth: splitting a node of depth `d` reads its records from buffer
/// `d % 2` and writes each child's in order into buffer `(d + 1) % 2` (one load and one store
/// per row, no copy back). Nodes' ranges are nested and disjoint, so this holds for any growth
/// order; a range of a buffer is only read for the depth it was written for.
final class RowPartitioner {
    static let blockRows = 16_384
    let capacity: Int
    let rowIndex: UnsafeMutablePointer<UInt32>
    let gradients: UnsafeMutablePointer<SIMD2<Float>>
    /// Bytes per ordered record (8, 16, 32 or 64), or 0 without records.
    let recordStride: Int
    /// The two record buffers (`capacity · recordStride` bytes each), empty without records.
    private let recordBuffers: [UnsafeMutableRawPointer]
    private let scratchIndex: UnsafeMutablePointer<UInt32>
    private let scratchGrad: UnsafeMutablePointer<SIMD2<Float>>

    /// - Parameter recordStride: 0 (no records) or 8, 16, 32, 64.
    init(capacity: Int, recordStride: Int = 0) {
        self.capacity = capacity
        let c = max(1, capacity)
        rowIndex = .allocate(capacity: c)
        gradients = .allocate(capacity: c)
        scratchIndex = .allocate(capacity: c)
        scratchGrad = .allocate(capacity: c)
        let stride = [8, 16, 32, 64].contains(recordStride) ? recordStride : 0
        self.recordStride = stride
        recordBuffers = stride > 0 ? (0..<2).map { _ in .allocate(byteCount: c * stride, alignment: 64) } : []
    }

    deinit {
        rowIndex.deallocate(); gradients.deallocate()
        scratchIndex.deallocate(); scratchGrad.deallocate()
        for b in recordBuffers { b.deallocate() }
    }

    /// The ordered records of the nodes of depth `depth`, nil without records.
    func records(depth: Int) -> UnsafeMutableRawPointer? {
        recordBuffers.isEmpty ? nil : recordBuffers[depth & 1]
    }

    /// What a partition does with the ordered records.
    enum RecordMode {
        /// Nothing (the node's descendants read columns).
        case none
        /// The node of depth `depth` has ordered records: move them to the children's buffer.
        case move(depth: Int)
        /// The node of depth `depth` has none: its children's are gathered from `source` (the
        /// record of row `rowIndex[i]`), in the same pass that places them.
        case gather(source: BinRecords, depth: Int)
    }

    /// Partitions `range` by the split rule on feature column `column` (bin indices of all rows):
    /// a row goes left when its bin is `missingBin` and `defaultLeft`, or its bin ≤ `splitBin`.
    /// Returns the first index of the right child.
    func partition(range: Range<Int>, column: UnsafePointer<UInt8>, splitBin: Int, missingBin: Int, defaultLeft: Bool,
                   records mode: RecordMode = .none, threads: Int) -> Int {
        var table = [UInt8](repeating: 0, count: 256)
        for b in 0..<256 { table[b] = (b == missingBin ? defaultLeft : b <= splitBin) ? 1 : 0 }
        return table.withUnsafeBufferPointer { tb in
            guard let t = tb.baseAddress else { return range.lowerBound }
            return run(range: range, key: ColumnKey(index: rowIndex, column: column, table: t), mode: mode, threads: threads)
        }
    }

    /// Partitions the range of a node of depth `depth` by the byte at `slot` of its ordered
    /// records: a row goes left when `left[byte]` is 1 (`left` has 256 entries). Needs records.
    func partition(range: Range<Int>, recordSlot slot: Int, left: [UInt8], depth: Int, threads: Int) -> Int {
        guard let rec = records(depth: depth), left.count == 256 else { return range.lowerBound }
        return left.withUnsafeBufferPointer { tb in
            guard let t = tb.baseAddress else { return range.lowerBound }
            return run(range: range, key: RecordKey(records: UnsafePointer(rec.assumingMemoryBound(to: UInt8.self)) + slot,
                                                    stride: recordStride, table: t), mode: .move(depth: depth), threads: threads)
        }
    }

    private func run<K: SideKey>(range: Range<Int>, key: K, mode: RecordMode, threads: Int) -> Int {
        switch recordStride {
        case 8: return run(range: range, key: key, word: UInt64.self, mode: mode, threads: threads)
        case 16: return run(range: range, key: key, word: SIMD16<UInt8>.self, mode: mode, threads: threads)
        case 32: return run(range: range, key: key, word: SIMD32<UInt8>.self, mode: mode, threads: threads)
        case 64: return run(range: range, key: key, word: SIMD64<UInt8>.self, mode: mode, threads: threads)
        default: return run(range: range, key: key, word: Void.self, mode: .none, threads: threads)
        }
    }

    /// The partition, placing the children's records (words of type `W`) as `mode` says.
    private func run<K: SideKey, W>(range: Range<Int>, key: K, word: W.Type, mode: RecordMode, threads: Int) -> Int {
        let count = range.count
        let blocks = max(1, (count + Self.blockRows - 1) / Self.blockRows)
        let useThreads = count < 32_768 ? 1 : threads
        var leftCounts = [Int](repeating: 0, count: blocks)
        let ix = UnsafeSendable(rowIndex), gr = UnsafeSendable(gradients)
        let si = UnsafeSendable(scratchIndex), sg = UnsafeSendable(scratchGrad)
        let k = UnsafeSendable(key)
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
                    let left = k.value.left(i)
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
        // Records go straight to their place in the children's buffer (before the row index,
        // which a column key and a gather read, is rewritten): one select per row, no branch.
        func place(depth: Int, _ load: (Int) -> W) {
            guard W.self != Void.self, let d = records(depth: depth + 1)?.assumingMemoryBound(to: W.self) else { return }
            let dv = UnsafeSendable(d)
            parallelFor(chunks: blocks, threads: useThreads) { blk in
                let lo = range.lowerBound + blk * Self.blockRows
                let hi = min(range.upperBound, lo + Self.blockRows)
                var l = range.lowerBound + leftStart[blk], r = range.lowerBound + rightStart[blk]
                for i in lo..<hi {
                    let left = k.value.left(i)
                    dv.value[left != 0 ? l : r] = load(i)
                    l += left
                    r += 1 - left
                }
            }
        }
        switch mode {
        case .none:
            break
        case .move(let depth):
            if let s = records(depth: depth)?.assumingMemoryBound(to: W.self) {
                let sv = UnsafeSendable(s)
                place(depth: depth) { sv.value[$0] }
            }
        case .gather(let source, let depth):
            guard source.stride == MemoryLayout<W>.size, source.rows <= capacity else { break }
            source.bytes.withUnsafeBytes { sb in
                guard let base = sb.baseAddress else { return }
                let b = UnsafeSendable(base)
                place(depth: depth) { b.value.loadUnaligned(fromByteOffset: Int(ix.value[$0]) &* MemoryLayout<W>.size, as: W.self) }
            }
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
            var j = hi - 1
            while j >= lo + nl {
                ix.value[d] = si.value[j]; gr.value[d] = sg.value[j]
                d += 1; j -= 1
            }
        }
        return range.lowerBound + totalLeft
    }
}

/// Which side a partition position goes to: 1 left, 0 right.
protocol SideKey {
    func left(_ i: Int) -> Int
}

/// The split byte of position `i` is row `index[i]`'s byte of a bin column.
struct ColumnKey: SideKey {
    let index: UnsafePointer<UInt32>
    let column: UnsafePointer<UInt8>
    let table: UnsafePointer<UInt8>
    @inline(__always) func left(_ i: Int) -> Int { Int(table[Int(column[Int(index[i])])]) }
}

/// The split byte of position `i` is at `records + i · stride` (ordered records, offset by the slot).
struct RecordKey: SideKey {
    let records: UnsafePointer<UInt8>
    let stride: Int
    let table: UnsafePointer<UInt8>
    @inline(__always) func left(_ i: Int) -> Int { Int(table[Int(records[i &* stride])]) }
}
