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
    ///
    /// A feature whose cuts have 256 value bins (sketched from a column without missing values)
    /// has no bin index left for missing values; if the column holds a NaN anyway — `cuts` came
    /// from another matrix — its last two value bins are merged to make room, and `self.cuts`
    /// holds the cuts actually used.
    public init(_ matrix: FeatureMatrix, cuts: BinCuts, threads: Int = 1) {
        var used = cuts
        var (out, lacking) = Self.bin(matrix, cuts: used, threads: threads)
        if !lacking.isEmpty {
            for f in lacking { used = used.mergingLastBins(ofFeature: f) }
            (out, lacking) = Self.bin(matrix, cuts: used, threads: threads)
        }
        rows = matrix.rows
        features = matrix.columns
        self.cuts = used
        bins = out
    }

    /// The column-major bins of `matrix`, and the features with 256 value bins that hold a NaN
    /// (their missing values are not binned).
    static func bin(_ matrix: FeatureMatrix, cuts: BinCuts, threads: Int) -> (bins: [UInt8], lacking: [Int]) {
        let n = matrix.rows
        let nf = matrix.columns
        let cutsCopy = cuts
        var out = [UInt8](repeating: 0, count: n * nf)
        let blocks = splitRange(n, parts: max(1, min(64, n / 65_536 + 1)))
        var nanSeen = [UInt8](repeating: 0, count: max(1, nf * blocks.count))
        // Each feature's cuts except the last, padded with +∞ to 256 entries: the bin of x is the
        // number of those cuts ≤ x, found by eight branch-free halving steps (vectorised), or by
        // one comparison when there is a single cut to search (binary flags).
        var padded = [Float](repeating: .infinity, count: max(1, nf) * 256)
        for f in 0..<nf {
            let lo = Int(cutsCopy.offsets[f]), hi = Int(cutsCopy.offsets[f + 1])
            for k in 0..<max(0, hi - lo - 1) { padded[f * 256 + k] = cutsCopy.cuts[lo + k] }
        }
        out.withUnsafeMutableBufferPointer { o in
            let op = UnsafeSendable(o)
            nanSeen.withUnsafeMutableBufferPointer { ns in
                let nanP = UnsafeSendable(ns)
                matrix.values.withUnsafeBufferPointer { v in
                    let vp = UnsafeSendable(v)
                    padded.withUnsafeBufferPointer { pb in
                        let pp = UnsafeSendable(pb)
                        parallelFor(chunks: nf * blocks.count, threads: threads) { task in
                            let f = task / blocks.count
                            let r = blocks[task % blocks.count]
                            let missing = UInt8(truncatingIfNeeded: cutsCopy.binCount(f))
                            let last = cutsCopy.binCount(f) - 1  // +∞ values must not pass the last bin
                            guard let c = pp.value.baseAddress?.advanced(by: f * 256),
                                  let src = vp.value.baseAddress?.advanced(by: f * n),
                                  let dst = op.value.baseAddress?.advanced(by: f * n) else { return }
                            var nan: UInt8 = 0
                            if Int(cutsCopy.offsets[f + 1]) - Int(cutsCopy.offsets[f]) <= 2 {
                                let c0 = c[0]
                                for i in r {
                                    let x = src[i]
                                    let idx = Int(unsafeBitCast(c0 <= x, to: UInt8.self))
                                    nan |= x.isNaN ? 1 : 0
                                    dst[i] = x.isNaN ? missing : UInt8(truncatingIfNeeded: min(idx, last))
                                }
                            } else {
                                for i in r {
                                    let x = src[i]
                                    var idx = 0
                                    idx += 128 &* Int(unsafeBitCast(c[idx + 127] <= x, to: UInt8.self))
                                    idx += 64 &* Int(unsafeBitCast(c[idx + 63] <= x, to: UInt8.self))
                                    idx += 32 &* Int(unsafeBitCast(c[idx + 31] <= x, to: UInt8.self))
                                    idx += 16 &* Int(unsafeBitCast(c[idx + 15] <= x, to: UInt8.self))
                                    idx += 8 &* Int(unsafeBitCast(c[idx + 7] <= x, to: UInt8.self))
                                    idx += 4 &* Int(unsafeBitCast(c[idx + 3] <= x, to: UInt8.self))
                                    idx += 2 &* Int(unsafeBitCast(c[idx + 1] <= x, to: UInt8.self))
                                    idx += Int(unsafeBitCast(c[idx] <= x, to: UInt8.self))
                                    nan |= x.isNaN ? 1 : 0
                                    dst[i] = x.isNaN ? missing : UInt8(truncatingIfNeeded: min(idx, last))
                                }
                            }
                            nanP.value[task] = nan
                        }
                    }
                }
            }
        }
        var lacking: [Int] = []
        for f in 0..<nf where cuts.binCount(f) > BinCuts.maxValueBins {
            if nanSeen[(f * blocks.count)..<((f + 1) * blocks.count)].contains(where: { $0 != 0 }) { lacking.append(f) }
        }
        return (out, lacking)
    }
}
