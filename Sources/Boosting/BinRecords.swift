import Runtime

/// A row-major copy of the bytes the histogram builder sums: per row one record of `stride`
/// bytes holding the bin of every feature outside a packed group and the joint code of every
/// packed group (`FeaturePacking`), in "slots".
///
/// A deep node's rows are scattered (a node of 1/16 of the rows still has a row in almost every
/// 64-byte line of a column), so summing its histogram column by column reads nearly every line
/// of every column. The tree builder keeps a copy of the records in partition order
/// (`RowPartitioner.records`, moved along with the rows at every split), so a node's records
/// are contiguous and its histogram streams them: one record per row, no gather. (Gathering
/// the records of scattered rows instead, as XGBoost's row-wise builder does, measured slower
/// than the column-wise gather here: without software prefetch the irregular line misses are
/// latency-bound, while the column streams are prefetched.)
///
/// Slots: the features without a group in feature order, then the groups in group order. The
/// stride is the slot count rounded up to a power of two from 8 to 64 (a record never straddles
/// a cache line and moves as one word), to a multiple of 64 beyond (then the tree builder keeps
/// no ordered copy and sums column-wise).
struct BinRecords: Sendable {
    let rows: Int
    let stride: Int
    /// `featureSlot[f]` is feature `f`'s slot, or -1 when `f` is a packed group member.
    let featureSlot: [Int]
    /// `groupSlot[g]` is packed group `g`'s slot.
    let groupSlot: [Int]
    /// Row `i`'s record is `bytes[i * stride ..< (i + 1) * stride]` (padding bytes are 0).
    let bytes: [UInt8]

    /// Rows per block of the parallel copy.
    static let blockRows = 8_192

    init(binned: BinnedMatrix, packing: FeaturePacking?, threads: Int = 1) {
        let n = binned.rows
        rows = n
        var fs = [Int](repeating: -1, count: binned.features)
        var sources: [(codes: Bool, column: Int)] = []
        for f in 0..<binned.features where (packing?.groupOf[f] ?? -1) < 0 {
            fs[f] = sources.count
            sources.append((false, f))
        }
        var gs: [Int] = []
        for g in 0..<(packing?.groups.count ?? 0) {
            gs.append(sources.count)
            sources.append((true, g))
        }
        featureSlot = fs
        groupSlot = gs
        let m = max(1, sources.count)
        var s = 8
        while s < m && s < 64 { s *= 2 }
        if m > 64 { s = (m + 63) / 64 * 64 }
        stride = s
        let st = s
        var out = [UInt8](repeating: 0, count: n * s)
        let codes = packing?.codes ?? []
        let blocks = (n + Self.blockRows - 1) / Self.blockRows
        out.withUnsafeMutableBufferPointer { o in
            let op = UnsafeSendable(o)
            binned.bins.withUnsafeBufferPointer { b in
                let bp = UnsafeSendable(b)
                codes.withUnsafeBufferPointer { c in
                    let cp = UnsafeSendable(c)
                    parallelFor(chunks: blocks, threads: n < 2 * Self.blockRows ? 1 : threads) { blk in
                        let lo = blk * Self.blockRows, hi = min(n, lo + Self.blockRows)
                        guard let dst = op.value.baseAddress else { return }
                        for (slot, src) in sources.enumerated() {
                            guard let base = (src.codes ? cp.value.baseAddress : bp.value.baseAddress) else { continue }
                            let column = base + src.column * n
                            for i in lo..<hi { dst[i &* st &+ slot] = column[i] }
                        }
                    }
                }
            }
        }
        bytes = out
    }
}
