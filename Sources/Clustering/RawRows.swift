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

    /// Asks for row `i`'s values (and, for CSR, its columns) ahead of use: rows drawn at random
    /// (mini-batch steps) miss every cache level otherwise. For CSR rows this reads `offsets`,
    /// so call `prefetchOffsets` for the same row some iterations earlier. A hint: no effect on
    /// results.
    @inline(__always)
    func prefetch(row i: Int) {
        if let offsets, let columns {
            let start = Int(offsets[i])
            movierec_prefetch(values + start)
            movierec_prefetch(columns + start)
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
