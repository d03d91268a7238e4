import Runtime

/// Maps original ids (Int64) to dense indices of a sorted, duplicate-free id list. A direct
/// table when the ids span a small range (the MovieLens case: ids below a few hundred
/// thousand), a dictionary otherwise.
struct IdIndex: Sendable {
    let ids: [Int64]
    private let minId: Int64
    private let table: [Int32]
    private let map: [Int64: Int32]

    /// `ids` must be sorted ascending without duplicates.
    init(sortedIds ids: [Int64]) {
        self.ids = ids
        minId = ids.first ?? 0
        let span = (ids.last ?? 0) &- minId
        if !ids.isEmpty, span >= 0, span < max(Int64(1) << 22, Int64(ids.count) * 8) {
            var t = [Int32](repeating: -1, count: Int(span) + 1)
            for (k, id) in ids.enumerated() { t[Int(id - minId)] = Int32(k) }
            table = t
            map = [:]
        } else {
            table = []
            var d = [Int64: Int32](minimumCapacity: ids.count)
            for (k, id) in ids.enumerated() { d[id] = Int32(k) }
            map = d
        }
    }

    /// Dense index of `id`, or -1.
    @inline(__always)
    func index(_ id: Int64) -> Int32 {
        if !table.isEmpty {
            let (off, o) = id.subtractingReportingOverflow(minId)
            guard !o, off >= 0, off < Int64(table.count) else { return -1 }
            return table[Int(off)]
        }
        return map[id] ?? -1
    }

    /// Dense index of `id`, or -1.
    @inline(__always)
    func index(_ id: Int32) -> Int32 { index(Int64(id)) }

    /// Sorted distinct values of the given id arrays. Long arrays of ids in a small range are
    /// scanned on `threads` threads (each block marks its own bitmap; the bitmaps are OR-ed).
    static func sortedUnique<T: FixedWidthInteger>(_ lists: [[T]], threads: Int = 1) -> [Int64] {
        var all: [Int64] = []
        // Fast path for small ranges: a presence bitmap instead of a sort.
        var lo = Int64.max, hi = Int64.min
        for l in lists {
            let (a, b) = minMax(l, threads: threads)
            lo = min(lo, a)
            hi = max(hi, b)
        }
        guard lo <= hi else { return [] }
        let (span, o) = hi.subtractingReportingOverflow(lo)
        if !o, span < Int64(1) << 26 {
            var words = [UInt64](repeating: 0, count: Int(span >> 6) + 1)
            for l in lists { mark(l, from: lo, into: &words, threads: threads) }
            all.reserveCapacity(words.reduce(0) { $0 + $1.nonzeroBitCount })
            for (w, word) in words.enumerated() {
                var bits = word
                while bits != 0 {
                    all.append(lo + Int64(w << 6 + bits.trailingZeroBitCount))
                    bits &= bits &- 1
                }
            }
            return all
        }
        all.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        for l in lists { all.append(contentsOf: l.map { Int64(truncatingIfNeeded: $0) }) }
        all.sort()
        var out: [Int64] = []
        out.reserveCapacity(all.count)
        for v in all where out.last != v { out.append(v) }
        return out
    }

    /// Blocks of `count` rows for the parallel scans (one block when short or single-threaded).
    private static func blocks(_ count: Int, threads: Int) -> [Range<Int>] {
        splitRange(count, parts: threads <= 1 ? 1 : max(1, min(threads * 4, count >> 17)))
    }

    /// Smallest and largest value of `a` as Int64 (`(Int64.max, Int64.min)` when empty): a
    /// min/max reduction (no early exit) the compiler vectorises, long arrays split over `threads`.
    static func minMax<T: FixedWidthInteger>(_ a: [T], threads: Int) -> (Int64, Int64) {
        a.withUnsafeBufferPointer { minMax(buffer: $0, threads: threads) }
    }

    /// `minMax` of a column (owned or mapped).
    static func minMax<T: FixedWidthInteger & BitwiseCopyable & Sendable>(_ a: Column<T>, threads: Int) -> (Int64, Int64) {
        a.withUnsafeBufferPointer { minMax(buffer: $0, threads: threads) }
    }

    private static func minMax<T: FixedWidthInteger>(buffer src: UnsafeBufferPointer<T>, threads: Int) -> (Int64, Int64) {
        let parts = blocks(src.count, threads: threads)
        var los = [Int64](repeating: .max, count: parts.count), his = [Int64](repeating: .min, count: parts.count)
        do {
            los.withUnsafeMutableBufferPointer { l in
                his.withUnsafeMutableBufferPointer { h in
                    let shared = UnsafeSendable((src, l, h))
                    parallelFor(chunks: parts.count, threads: threads) { b in
                        let (src, l, h) = shared.value
                        var lo = T.max, hi = T.min
                        for i in parts[b] {
                            lo = Swift.min(lo, src[i])
                            hi = Swift.max(hi, src[i])
                        }
                        if !parts[b].isEmpty {
                            l[b] = Int64(truncatingIfNeeded: lo)
                            h[b] = Int64(truncatingIfNeeded: hi)
                        }
                    }
                }
            }
        }
        return (los.min() ?? .max, his.max() ?? .min)
    }

    /// Sets bit `v - lo` of `words` for every value `v` of `a` (all within `lo…` the bitmap).
    private static func mark<T: FixedWidthInteger>(_ a: [T], from lo: Int64, into words: inout [UInt64], threads: Int) {
        let parts = blocks(a.count, threads: threads)
        if parts.count == 1 || words.count > 1 << 16 {
            words.withUnsafeMutableBufferPointer { w in
                for v in a {
                    let k = Int(Int64(truncatingIfNeeded: v) &- lo)
                    w[k >> 6] |= 1 << UInt64(k & 63)
                }
            }
            return
        }
        // One bitmap per block, OR-ed in block order (no two threads write one word).
        let wordCount = words.count
        var maps = [[UInt64]](repeating: [], count: parts.count)
        a.withUnsafeBufferPointer { src in
            maps.withUnsafeMutableBufferPointer { m in
                let shared = UnsafeSendable((src, m))
                parallelFor(chunks: parts.count, threads: threads) { b in
                    let (src, m) = shared.value
                    var map = [UInt64](repeating: 0, count: wordCount)
                    map.withUnsafeMutableBufferPointer { w in
                        for i in parts[b] {
                            let k = Int(Int64(truncatingIfNeeded: src[i]) &- lo)
                            w[k >> 6] |= 1 << UInt64(k & 63)
                        }
                    }
                    m[b] = map
                }
            }
        }
        for map in maps {
            for w in 0..<wordCount { words[w] |= map[w] }
        }
    }
}
