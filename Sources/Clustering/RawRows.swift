import CHints
import LinearAlgebra
import Runtime

/// Raw-pointer access to the rows of `Points` for hot per-value loops: no closure context, no
/// array bounds or uniqueness checks per value. Valid only inside `Points.withRawRows`.
struct RawRows: @unchecked Sendable {
    /// `n + 1` row offsets (CSR), or nil for dense rows of `d` values.
    let offsets: UnsafePointer<Int64>?
    /// Column of each stored value (CSR), or nil for dense rows.
    let columns: UnsafePointer<Int32>?
    let values: UnsafePointer<Float>
    let d: Int

    /// Most cache lines per array `prefetch(row:)` asks for (64 lines: 1,024 values).
    static let prefetchLines = 64

    /// Asks for row `i`'s values (and, for CSR, its columns) ahead of use: rows drawn at random
    /// (mini-batch steps) miss every cache level otherwise. For CSR rows this reads `offsets`,
    /// so call `prefetchOffsets` for the same row some iterations earlier. A hint: no effect on
    /// results.
    /// Every cache line of the row is asked for, up to `prefetchLines` lines per array: a row
    /// of a rating matrix spans tens of lines, and a stream the hardware prefetcher must first
    /// detect would start with misses on every row.
    @inline(__always)
    func prefetch(row i: Int) {
        if let offsets, let columns {
            let start = Int(offsets[i]), end = min(Int(offsets[i + 1]), start + RawRows.prefetchLines * 16)
            var p = start
            repeat {
                movierec_prefetch(values + p)
                movierec_prefetch(columns + p)
                p += 16
            } while p < end
            if end > start {
                movierec_prefetch(values + (end - 1))
                movierec_prefetch(columns + (end - 1))
            }
        } else {
            let row = values + i * d
            movierec_prefetch(row)
            movierec_prefetch(row + (d - 1))
        }
    }

    /// Asks for the CSR offsets of row `i` (nothing for dense rows).
    @inline(__always)
    func prefetchOffsets(row i: Int) {
        if let offsets { movierec_prefetch(offsets + i) }
    }

    /// Number of values `forEachValue(ofRow: i)` visits.
    @inline(__always)
    func count(ofRow i: Int) -> Int {
        if let offsets { return Int(offsets[i + 1] - offsets[i]) }
        return d
    }

    /// Calls `body(c0, v0, c1, v1)` for the stored values of row `i` two at a time (even and
    /// odd positions, so that two independent sums can be kept); an odd last value is paired
    /// with the value 0 at the same column.
    @inline(__always)
    func forEachPair(ofRow i: Int, _ body: (Int, Float, Int, Float) -> Void) {
        if let offsets, let columns {
            var p = Int(offsets[i])
            let end = Int(offsets[i + 1])
            while p + 2 <= end {
                body(Int(columns[p]), values[p], Int(columns[p + 1]), values[p + 1])
                p += 2
            }
            if p < end { body(Int(columns[p]), values[p], Int(columns[p]), 0) }
        } else {
            let row = values + i * d
            var c = 0
            while c + 2 <= d {
                body(c, row[c], c + 1, row[c + 1])
                c += 2
            }
            if c < d { body(c, row[c], c, 0) }
        }
    }

    /// Calls `body(column, value)` for the stored values of row `i` (every column when dense).
    @inline(__always)
    func forEachValue(ofRow i: Int, _ body: (Int, Float) -> Void) {
        if let offsets, let columns {
            for p in Int(offsets[i])..<Int(offsets[i + 1]) { body(Int(columns[p]), values[p]) }
        } else {
            let row = values + i * d
            for c in 0..<d { body(c, row[c]) }
        }
    }
}

extension Points {
    /// Runs `body` with raw access to the rows (see `RawRows`).
    func withRawRows<R>(_ body: (RawRows) throws -> R) rethrows -> R {
        switch self {
        case .dense(let m):
            return try m.storage.withUnsafeBufferPointer { v in
                // An empty matrix has no rows to visit; any non-nil pointer will do.
                let base = v.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Float>.alignment)
                guard let base else { preconditionFailure("internal: no pointer for an empty matrix") }
                return try body(RawRows(offsets: nil, columns: nil, values: base, d: m.cols))
            }
        case .sparse(let s):
            return try s.rowOffsets.withUnsafeBufferPointer { o in
                try s.columns.withUnsafeBufferPointer { c in
                    try s.values.withUnsafeBufferPointer { v in
                        guard let ob = o.baseAddress else { preconditionFailure("internal: CSR without row offsets") }
                        // No stored values: rows are empty, the pointers are never read.
                        let cb = c.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Int32>.alignment)
                        let vb = v.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Float>.alignment)
                        guard let cb, let vb else { preconditionFailure("internal: no pointer for empty storage") }
                        return try body(RawRows(offsets: ob, columns: cb, values: vb, d: s.cols))
                    }
                }
            }
        }
    }
}
