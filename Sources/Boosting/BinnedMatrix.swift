import Runtime

/// The training matrix as bin indices: one contiguous `UInt8` column per feature
/// (`bins[f * rows + i]`), the layout the histogram kernel streams through.
public struct BinnedMatrix: Sendable {
    public let rows: Int
    public let features: Int
    public let cuts: BinCuts
    /// Column-major bin indices; `cuts.binCount(f)` is feature `f`'s missing bin.
    public let bins: [UInt8]

    /// Bins every value of `matrix` with `cuts` (parallel over features and row blocks).
    public init(_ matrix: FeatureMatrix, cuts: BinCuts, threads: Int = 1) {
        let n = matrix.rows
        let nf = matrix.columns
        let cutsCopy = cuts
        var out = [UInt8](repeating: 0, count: n * nf)
        let blocks = splitRange(n, parts: max(1, min(64, n / 65_536 + 1)))
        out.withUnsafeMutableBufferPointer { o in
            let op = UnsafeSendable(o)
            matrix.values.withUnsafeBufferPointer { v in
                let vp = UnsafeSendable(v)
                parallelFor(chunks: nf * blocks.count, threads: threads) { task in
                    let f = task / blocks.count
                    let r = blocks[task % blocks.count]
                    let lo = Int(cutsCopy.offsets[f]), hi = Int(cutsCopy.offsets[f + 1])
                    let nb = hi - lo
                    cutsCopy.cuts.withUnsafeBufferPointer { c in
                        for i in r {
                            let x = vp.value[f * n + i]
                            if x.isNaN { op.value[f * n + i] = UInt8(truncatingIfNeeded: nb); continue }
                            var a = lo, b = hi - 1
                            while a < b {
                                let mid = (a + b) >> 1
                                if x < c[mid] { b = mid } else { a = mid + 1 }
                            }
                            op.value[f * n + i] = UInt8(truncatingIfNeeded: a - lo)
                        }
                    }
                }
            }
        }
        rows = n
        features = nf
        self.cuts = cuts
        bins = out
    }
}
