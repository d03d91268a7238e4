import Runtime

/// Groups of low-cardinality features of a binned matrix packed into one byte per row, their
/// "joint code", so the histogram builder can add a row's gradient pair once per group instead of
/// once per feature and then marginalise the group's joint histogram into the per-feature bins.
///
/// Member `k` of a group has a radix `r_k` — the largest bin index its column holds plus one: its
/// value bins, and its missing bin only when the column has missing values — and a stride
/// `s_k = r_0 · … · r_(k−1)`; a row's code is `Σ bin_k · s_k`, below `Π r_k ≤ 256`. Packing is
/// exact: the joint bin of a code holds exactly the rows whose members have those bins, so the sum
/// of the joint bins whose digit `k` is `b` is the histogram bin `b` of member `k`.
///
/// Grouping is first-fit decreasing on the radix (ties by feature index), among features of radix
/// ≤ `maxRadix`; groups left with a single feature are dropped (nothing to share).
struct FeaturePacking: Sendable {
    /// One packed group.
    struct Group: Sendable, Equatable {
        /// The member features, in stride order (the first has stride 1).
        let features: [Int]
        let radices: [Int]
        let strides: [Int]
        /// Bins of the joint histogram: the product of the radices (≤ 256).
        let jointBins: Int
    }

    /// A feature is a packing candidate when its radix is at most this (so at least 16 · 16 fit
    /// in a byte: wider features gain less per row and cost more to marginalise).
    static let maxRadix = 16

    let rows: Int
    let groups: [Group]
    /// `groupOf[f]` is the group of feature `f`, or -1.
    let groupOf: [Int]
    /// Group `g`'s codes are `codes[g * rows ..< (g + 1) * rows]`.
    let codes: [UInt8]

    /// Groups the low-cardinality features of `binned` and computes their codes (parallel over
    /// columns, then over groups and row blocks).
    init(binned: BinnedMatrix, threads: Int = 1) {
        let n = binned.rows
        rows = n
        // Radix of every candidate: the largest bin index present, plus one (columns scanned in parallel).
        let small = (0..<binned.features).filter { binned.cuts.binCount($0) <= Self.maxRadix }
        var tops = [UInt8](repeating: 0, count: small.count)
        tops.withUnsafeMutableBufferPointer { t in
            let tp = UnsafeSendable(t)
            binned.bins.withUnsafeBufferPointer { b in
                let bp = UnsafeSendable(b)
                parallelFor(chunks: small.count, threads: threads) { k in
                    guard let column = bp.value.baseAddress?.advanced(by: small[k] * n) else { return }
                    var top: UInt8 = 0
                    for i in 0..<n { top = max(top, column[i]) }
                    tp.value[k] = top
                }
            }
        }
        var candidates: [(feature: Int, radix: Int)] = []
        for (k, f) in small.enumerated() where Int(tops[k]) + 1 <= Self.maxRadix { candidates.append((f, Int(tops[k]) + 1)) }
        candidates.sort { $0.radix != $1.radix ? $0.radix > $1.radix : $0.feature < $1.feature }
        var members: [[(feature: Int, radix: Int)]] = []
        var products: [Int] = []
        for c in candidates {
            if let g = products.firstIndex(where: { $0 * c.radix <= 256 }) {
                members[g].append(c)
                products[g] *= c.radix
            } else {
                members.append([c])
                products.append(c.radix)
            }
        }
        var gs: [Group] = []
        var owner = [Int](repeating: -1, count: binned.features)
        for m in members where m.count >= 2 {
            var strides: [Int] = []
            var s = 1
            for x in m { strides.append(s); s *= x.radix }
            for x in m { owner[x.feature] = gs.count }
            gs.append(Group(features: m.map(\.feature), radices: m.map(\.radix), strides: strides, jointBins: s))
        }
        groups = gs
        groupOf = owner
        var out = [UInt8](repeating: 0, count: gs.count * n)
        if !gs.isEmpty {
            let groupsCopy = gs
            out.withUnsafeMutableBufferPointer { o in
                let op = UnsafeSendable(o)
                binned.bins.withUnsafeBufferPointer { b in
                    let bp = UnsafeSendable(b)
                    let blocks = splitRange(n, parts: max(1, min(64, n / 65_536 + 1)))
                    parallelFor(chunks: groupsCopy.count * blocks.count, threads: threads) { task in
                        let g = groupsCopy[task / blocks.count]
                        let r = blocks[task % blocks.count]
                        guard let dst = op.value.baseAddress?.advanced(by: (task / blocks.count) * n),
                              let src = bp.value.baseAddress else { return }
                        for i in r { dst[i] = 0 }
                        for (k, f) in g.features.enumerated() {
                            // Every bin is below its radix, so the code stays below jointBins ≤ 256.
                            let stride = UInt8(truncatingIfNeeded: g.strides[k])
                            let column = src + f * n
                            for i in r { dst[i] &+= column[i] &* stride }
                        }
                    }
                }
            }
        }
        codes = out
    }
}
