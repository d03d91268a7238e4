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

    /// Sorted distinct values of the given id arrays.
    static func sortedUnique<T: FixedWidthInteger>(_ lists: [[T]]) -> [Int64] {
        var all: [Int64] = []
        // Fast path for small ranges: a presence bitmap instead of a sort.
        var lo = Int64.max, hi = Int64.min
        for l in lists { for v in l { lo = min(lo, Int64(truncatingIfNeeded: v)); hi = max(hi, Int64(truncatingIfNeeded: v)) } }
        guard lo <= hi else { return [] }
        let (span, o) = hi.subtractingReportingOverflow(lo)
        if !o, span < Int64(1) << 26 {
            var seen = [Bool](repeating: false, count: Int(span) + 1)
            for l in lists { for v in l { seen[Int(Int64(truncatingIfNeeded: v) - lo)] = true } }
            for (k, s) in seen.enumerated() where s { all.append(lo + Int64(k)) }
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
}
