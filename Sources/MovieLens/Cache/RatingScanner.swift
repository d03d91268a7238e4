/// The checks `Dataset.validate` makes of the rating columns, run by the cache reader over raw
/// little-endian column bytes a piece at a time (in the pass that checksums them), so that
/// verifying a mapped column is one pass over its pages. Min/max reductions without early exit,
/// which the compiler vectorises.
enum RatingScanner {
    /// Smallest and largest of the little-endian `Int32` rows `rows` stored from `p` (which is
    /// 4-byte aligned), as Int64; `(Int64.max, Int64.min)` for no rows.
    static func bounds(_ p: UnsafeRawPointer, _ rows: Range<Int>) -> (Int64, Int64) {
        guard !rows.isEmpty else { return (.max, .min) }
        let v = p.assumingMemoryBound(to: Int32.self)
        var lo = Int32.max, hi = Int32.min
        for i in rows {
            let x = Int32(littleEndian: v[i])
            lo = min(lo, x)
            hi = max(hi, x)
        }
        return (Int64(lo), Int64(hi))
    }

    /// Whether one of the little-endian `Float` rows `rows` stored from `p` (4-byte aligned) is
    /// NaN or infinite (all exponent bits set).
    static func hasNonFinite(_ p: UnsafeRawPointer, _ rows: Range<Int>) -> Bool {
        guard !rows.isEmpty else { return false }
        let v = p.assumingMemoryBound(to: UInt32.self)
        let exponent: UInt32 = 0x7F80_0000
        var bad: UInt32 = 0
        for i in rows {
            bad |= UInt32(littleEndian: v[i]) & exponent == exponent ? 1 : 0
        }
        return bad != 0
    }
}
