import Runtime

/// The rows of one tree under `subsample` (stochastic gradient boosting): row `i` is kept when
/// the `i`-th draw of the round's generator is below the fraction, and the kept rows are
/// compacted, in row order, with their gradient pairs beside them ("ordered gradients").
///
/// The draws are those of one sequential pass (`rng.nextUnit()` for row 0, 1, …), so the sample
/// does not depend on `threads`: rows are cut into fixed blocks, each block draws from a copy of
/// the generator skipped to its first row, counts what it keeps, and writes at its offset.
enum RowSample {
    /// Rows per block (a constant: the blocks, not the threads, define the work).
    static let blockRows = 32_768

    /// Draws the sample of `rows` rows: `sampled[i]` says whether row `i` is kept; the kept rows'
    /// indices and gradient pairs go to `rowIndex` / `sampledGradients` in row order. `rng` ends
    /// as after `rows` draws. Returns the number of kept rows.
    static func draw(rows n: Int, fraction: Double, rng: inout SplitMix64, gradients: UnsafePointer<SIMD2<Float>>,
                     sampled: UnsafeMutableBufferPointer<Bool>, rowIndex: UnsafeMutablePointer<UInt32>,
                     sampledGradients: UnsafeMutablePointer<SIMD2<Float>>, threads: Int) -> Int {
        let blocks = max(1, (n + blockRows - 1) / blockRows)
        var kept = [Int](repeating: 0, count: blocks + 1)
        let start = rng
        let flags = UnsafeSendable(sampled)
        let t = n < 2 * blockRows ? 1 : threads
        kept.withUnsafeMutableBufferPointer { kb in
            let counts = UnsafeSendable(kb)
            parallelFor(chunks: blocks, threads: t) { b in
                let lo = b * blockRows, hi = min(n, lo + blockRows)
                var r = start
                r.skip(lo)
                var c = 0
                for i in lo..<hi {
                    let keep = r.nextUnit() < fraction
                    flags.value[i] = keep
                    c += keep ? 1 : 0
                }
                counts.value[b + 1] = c
            }
        }
        for b in 0..<blocks { kept[b + 1] += kept[b] }
        let offsets = kept
        let (ix, gs, g) = (UnsafeSendable(rowIndex), UnsafeSendable(sampledGradients), UnsafeSendable(gradients))
        parallelFor(chunks: blocks, threads: t) { b in
            let lo = b * blockRows, hi = min(n, lo + blockRows)
            var c = offsets[b]
            let end = offsets[b + 1]
            // Branch-free compaction: every row is written at the block's next free slot, which
            // only a kept row claims (the slot test fails only once the block's share is full).
            for i in lo..<hi {
                if c < end {
                    ix.value[c] = UInt32(truncatingIfNeeded: i)
                    gs.value[c] = g.value[i]
                }
                c += flags.value[i] ? 1 : 0
            }
        }
        rng.skip(n)
        return offsets[blocks]
    }
}
