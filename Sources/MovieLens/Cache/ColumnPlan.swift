/// An integer column located in a cache buffer but not yet decoded: its length, its encoding
/// (see `ColumnCodec`) and where its payload starts. Any range of rows can then be decoded on
/// its own, so a large column is decoded by several threads, each on the rows whose encoded
/// bytes it has just checksummed (`DatasetCodec.decode`), straight into the final array.
///
/// Decoding never traps, whatever the bytes: offsets are widened with wrapping arithmetic, and
/// run starts were checked when the plan was made (`ColumnReader.planInts`).
struct IntColumnPlan<T: FixedWidthInteger & BitwiseCopyable & Sendable>: Sendable {
    enum Encoding: Sendable {
        /// `base` plus unsigned little-endian offsets of `width` (1, 2 or 4) bytes.
        case offsets(width: Int, base: Int64)
        /// The values' own little-endian layout.
        case native
        /// Run values and the first row of each run (ascending, the first is 0, all < count).
        case runs(values: [T], starts: [Int])
    }

    let count: Int
    let encoding: Encoding
    /// Offset of the payload in the buffer the plan was made from (unused for runs).
    let payload: Int

    /// Bytes each row takes in the payload (0 for runs, whose rows take no bytes of their own).
    var bytesPerRow: Int {
        switch encoding {
        case .offsets(let width, _): return width
        case .native: return MemoryLayout<T>.stride
        case .runs: return 0
        }
    }

    /// Writes rows `rows` to `dst[rows]` from `bytes` (the buffer the plan was made from) and
    /// returns their smallest and largest value (`(.max, .min)` for no rows).
    func decode(_ rows: Range<Int>, from bytes: UnsafeRawBufferPointer, into dst: UnsafeMutablePointer<T>) -> (lo: T, hi: T) {
        guard !rows.isEmpty, rows.lowerBound >= 0, rows.upperBound <= count else { return (.max, .min) }
        switch encoding {
        case .offsets(let width, let base):
            switch width {
            case 1: return widen(UInt8.self, rows, base, bytes, dst)
            case 2: return widen(UInt16.self, rows, base, bytes, dst)
            default: return widen(UInt32.self, rows, base, bytes, dst)
            }
        case .native:
            guard let p = bytes.baseAddress else { return (.max, .min) }
            let stride = MemoryLayout<T>.stride
            UnsafeMutableRawPointer(dst + rows.lowerBound).copyMemory(
                from: p + payload + rows.lowerBound * stride, byteCount: rows.count * stride)
            var lo = T.max, hi = T.min
            for i in rows {
                let v = T(littleEndian: dst[i])
                dst[i] = v
                lo = Swift.min(lo, v)
                hi = Swift.max(hi, v)
            }
            return (lo, hi)
        case .runs(let values, let starts):
            // The run holding the first row: the last start ≤ rows.lowerBound.
            var a = 0, b = starts.count
            while b - a > 1 {
                let mid = (a + b) / 2
                if starts[mid] <= rows.lowerBound { a = mid } else { b = mid }
            }
            var lo = T.max, hi = T.min
            var row = rows.lowerBound, k = a
            while row < rows.upperBound, k < values.count {
                let end = Swift.min(rows.upperBound, k + 1 < starts.count ? starts[k + 1] : count)
                if end > row {
                    (dst + row).initialize(repeating: values[k], count: end - row)
                    lo = Swift.min(lo, values[k])
                    hi = Swift.max(hi, values[k])
                    row = end
                }
                k += 1
            }
            return (lo, hi)
        }
    }

    @inline(__always)
    private func widen<U: FixedWidthInteger>(
        _: U.Type, _ rows: Range<Int>, _ base: Int64, _ bytes: UnsafeRawBufferPointer, _ dst: UnsafeMutablePointer<T>
    ) -> (lo: T, hi: T) {
        var lo = T.max, hi = T.min
        guard let start = bytes.baseAddress else { return (lo, hi) }
        let p = start + payload
        if Int(bitPattern: p) % MemoryLayout<U>.alignment == 0 {
            // Aligned (the cache body always is): a typed loop the compiler vectorises.
            let src = p.assumingMemoryBound(to: U.self)
            for i in rows {
                let v = T(truncatingIfNeeded: base &+ Int64(truncatingIfNeeded: U(littleEndian: src[i])))
                dst[i] = v
                lo = Swift.min(lo, v)
                hi = Swift.max(hi, v)
            }
        } else {
            for i in rows {
                let u = U(littleEndian: p.loadUnaligned(fromByteOffset: i * MemoryLayout<U>.size, as: U.self))
                let v = T(truncatingIfNeeded: base &+ Int64(truncatingIfNeeded: u))
                dst[i] = v
                lo = Swift.min(lo, v)
                hi = Swift.max(hi, v)
            }
        }
        return (lo, hi)
    }
}

/// A float column located in a cache buffer but not yet decoded (see `IntColumnPlan`).
struct FloatColumnPlan: Sendable {
    enum Encoding: Sendable {
        /// One byte per value: twice the value (half stars 0…127.5).
        case halves
        /// The values' own little-endian layout.
        case native
    }

    let count: Int
    let encoding: Encoding
    /// Offset of the payload in the buffer the plan was made from.
    let payload: Int

    var bytesPerRow: Int { encoding == .halves ? 1 : MemoryLayout<Float>.stride }

    /// Writes rows `rows` to `dst[rows]` from `bytes` (the buffer the plan was made from).
    func decode(_ rows: Range<Int>, from bytes: UnsafeRawBufferPointer, into dst: UnsafeMutablePointer<Float>) {
        guard !rows.isEmpty, rows.lowerBound >= 0, rows.upperBound <= count, let start = bytes.baseAddress else { return }
        let p = start + payload
        switch encoding {
        case .halves:
            let codes = p.assumingMemoryBound(to: UInt8.self)
            for i in rows { dst[i] = Float(codes[i]) * 0.5 }
        case .native:
            UnsafeMutableRawPointer(dst + rows.lowerBound).copyMemory(
                from: p + rows.lowerBound * MemoryLayout<Float>.stride, byteCount: rows.count * MemoryLayout<Float>.stride)
            #if _endian(big)
            for i in rows { dst[i] = Float(bitPattern: UInt32(littleEndian: dst[i].bitPattern)) }
            #endif
        }
    }
}
