import Runtime

/// Builds gradient histograms of a node: for every selected feature and bin, the sums of the
/// (gradient, hessian) pairs of the node's rows whose value falls in that bin.
///
/// The node's rows are a range of the row partition (`rowIndex`), with their gradient pairs
/// stored beside them in the same order ("ordered gradients"), so the kernel streams the
/// gradients and gathers only one byte per row and feature from the feature's bin column.
/// Features are summed four (or three, or two) at a time (`HistogramKernel`).
///
/// Determinism and precision: rows are cut into blocks of `blockRows` (a constant, not a
/// function of the thread count). Each (block, feature) is summed in `SIMD2<Float>` — 8-byte
/// read-modify-writes keep the kernel fast, and a block is short enough for float sums to stay
/// accurate — and the block partials are then added into the `SIMD2<Double>` histogram in block
/// order. Threads only decide who computes which partial, so any thread count gives bitwise the
/// same histogram.
final class HistogramBuilder {
    static let blockRows = 16_384

    let binned: BinnedMatrix
    /// Feature `f`'s bins start at `offsets[f]` in a histogram (value bins, then missing).
    let offsets: [Int]
    let totalBins: Int
    private let partials: UnsafeMutablePointer<SIMD2<Float>>
    private let maxBlocks: Int

    init(binned: BinnedMatrix) {
        self.binned = binned
        var offs: [Int] = []
        var t = 0
        for f in 0..<binned.features {
            offs.append(t)
            t += binned.cuts.binCount(f) + 1
        }
        offs.append(t)
        offsets = offs
        totalBins = t
        maxBlocks = max(1, (binned.rows + Self.blockRows - 1) / Self.blockRows)
        partials = .allocate(capacity: maxBlocks * max(1, t))
    }

    deinit { partials.deallocate() }

    /// Fills `out` (totalBins entries) with the histogram of rows `range` of the partition.
    /// - Parameters:
    ///   - identity: the partition range is exactly rows `range` in order (the root without
    ///     subsampling), so bins are read sequentially without the index.
    func build(
        range: Range<Int>, rowIndex: UnsafePointer<UInt32>, gradients: UnsafePointer<SIMD2<Float>>,
        identity: Bool, features: [Int], threads: Int, out: UnsafeMutablePointer<GradSum>
    ) {
        let count = range.count
        let blocks = max(1, (count + Self.blockRows - 1) / Self.blockRows)
        let nf = features.count
        // Enough tasks to balance: split features into groups when there are few blocks.
        let work = count * nf
        let useThreads = work < 65_536 ? 1 : threads
        let groups = blocks >= 4 * useThreads ? 1 : min(nf, max(1, (4 * useThreads + blocks - 1) / blocks))
        let featureGroups = splitRange(nf, parts: groups)
        let nRows = binned.rows
        let offs = offsets
        let total = totalBins
        let part = UnsafeSendable(partials)
        let idx = UnsafeSendable(rowIndex)
        let grad = UnsafeSendable(gradients)
        binned.bins.withUnsafeBufferPointer { binsBuf in
            let bins = UnsafeSendable(binsBuf)
            parallelFor(chunks: blocks * featureGroups.count, threads: useThreads) { task in
                let blk = task / featureGroups.count
                let fg = featureGroups[task % featureGroups.count]
                let lo = range.lowerBound + blk * Self.blockRows
                let hi = min(range.upperBound, lo + Self.blockRows)
                guard let binBase = bins.value.baseAddress else { return }
                let g = grad.value
                let ix = idx.value
                for k in fg {
                    let f = features[k]
                    (part.value + blk * total + offs[f]).initialize(repeating: SIMD2<Float>(0, 0), count: offs[f + 1] - offs[f])
                }
                var k = fg.lowerBound
                for width in HistogramKernel.passWidths(fg.count) {
                    // Unused lanes repeat the first feature; the kernel does not touch them.
                    let f0 = features[k], f1 = features[k + min(1, width - 1)]
                    let f2 = features[k + min(2, width - 1)], f3 = features[k + min(3, width - 1)]
                    let c = (binBase + f0 * nRows, binBase + f1 * nRows, binBase + f2 * nRows, binBase + f3 * nRows)
                    let hb = part.value + blk * total
                    let h = (hb + offs[f0], hb + offs[f1], hb + offs[f2], hb + offs[f3])
                    if identity {
                        HistogramKernel.accumulate(SequentialRows(), lo, hi, g, width: width, columns: c, histograms: h)
                    } else {
                        HistogramKernel.accumulate(GatheredRows(index: ix), lo, hi, g, width: width, columns: c, histograms: h)
                    }
                    k += width
                }
            }
        }
        // Merge block partials in block order, in double precision.
        let o = UnsafeSendable(out)
        parallelFor(chunks: nf, threads: blocks * nf * 64 < 1 << 16 ? 1 : threads) { k in
            let f = features[k]
            let start = offs[f], end = offs[f + 1]
            for b in start..<end {
                var s = GradSum(0, 0)
                for blk in 0..<blocks {
                    let p = part.value[blk * total + b]
                    s += GradSum(Double(p.x), Double(p.y))
                }
                o.value[b] = s
            }
        }
    }
}
