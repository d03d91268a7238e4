/// Where the kernel finds the data row of partition position `i`.
protocol HistogramRows {
    func row(_ i: Int) -> Int
}

/// Positions are the rows themselves (the root without subsampling): sequential reads.
struct SequentialRows: HistogramRows {
    @inline(__always) func row(_ i: Int) -> Int { i }
}

/// Positions hold row ids (`rowIndex`): one gathered byte per row and feature.
struct GatheredRows: HistogramRows {
    let index: UnsafePointer<UInt32>
    @inline(__always) func row(_ i: Int) -> Int { Int(index[i]) }
}

/// Positions' bytes are read from the ordered records (`RowPartitioner.records`): a "column"
/// is the first record's slot, and position `i`'s byte lies `i · stride` beyond it.
struct OrderedRecords: HistogramRows {
    let stride: Int
    @inline(__always) func row(_ i: Int) -> Int { i &* stride }
}

/// The inner loop of `HistogramBuilder`: adds the gradient pairs of partition positions `lo..<hi`
/// into the float histograms of up to four features at once.
enum HistogramKernel {
    /// How a group of `count` features is cut into passes of 4, 3 or 2 features (a single only
    /// when `count` is 1): every pass keeps several independent read-modify-write chains, since
    /// the bins of one feature in consecutive rows often repeat, which serialises a one-feature
    /// loop on store-to-load forwarding.
    static func passWidths(_ count: Int) -> [Int] {
        var out: [Int] = []
        var m = count
        while m > 0 {
            let w = m == 5 ? 3 : min(4, m)
            out.append(w)
            m -= w
        }
        return out
    }

    /// Adds `g[i]` to `h_q[column_q[row(i)]]` for every position `i` in `lo..<hi` and each of the
    /// `width` (1…4) features; each bin receives its rows in position order.
    @inline(__always)
    static func accumulate<R: HistogramRows>(
        _ rows: R, _ lo: Int, _ hi: Int, _ g: UnsafePointer<SIMD2<Float>>, width: Int,
        columns c: (UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>),
        histograms h: (UnsafeMutablePointer<SIMD2<Float>>, UnsafeMutablePointer<SIMD2<Float>>,
                       UnsafeMutablePointer<SIMD2<Float>>, UnsafeMutablePointer<SIMD2<Float>>)
    ) {
        switch width {
        case 4:
            for i in lo..<hi {
                let r = rows.row(i), gi = g[i]
                h.0[Int(c.0[r])] += gi; h.1[Int(c.1[r])] += gi
                h.2[Int(c.2[r])] += gi; h.3[Int(c.3[r])] += gi
            }
        case 3:
            for i in lo..<hi {
                let r = rows.row(i), gi = g[i]
                h.0[Int(c.0[r])] += gi; h.1[Int(c.1[r])] += gi; h.2[Int(c.2[r])] += gi
            }
        case 2:
            for i in lo..<hi {
                let r = rows.row(i), gi = g[i]
                h.0[Int(c.0[r])] += gi; h.1[Int(c.1[r])] += gi
            }
        default:
            for i in lo..<hi { h.0[Int(c.0[rows.row(i)])] += g[i] }
        }
    }
}

extension HistogramKernel {
    /// Adds the joint histogram `joint` (`jointBins` bins of a packed group) into the histogram
    /// `h` of the member with `stride` and `radix`: `h[b] += Σ joint[j]` over the codes `j` whose
    /// digit `(j / stride) % radix` is `b` (runs of `stride` codes summed first, in a fixed order).
    @inline(__always)
    static func marginalise(
        _ joint: UnsafePointer<SIMD2<Float>>, jointBins: Int, stride: Int, radix: Int,
        into h: UnsafeMutablePointer<SIMD2<Float>>
    ) {
        if stride == 1 {
            var j = 0
            while j < jointBins {
                for b in 0..<radix { h[b] += joint[j + b] }
                j += radix
            }
            return
        }
        var j = 0
        while j < jointBins {
            for b in 0..<radix {
                var acc = SIMD2<Float>(0, 0)
                for k in 0..<stride { acc += joint[j + k] }
                h[b] += acc
                j += stride
            }
        }
    }
}
