import Foundation
import Runtime

/// Compact, exact encodings of `Dataset` columns for the binary cache.
///
/// - Integer columns are stored as `base` (the minimum) plus unsigned offsets in the narrowest
///   width that holds `max - min` (1, 2 or 4 bytes, else the native layout): dense indices and
///   timestamps shrink to half or a quarter of their in-memory size. Every element takes at
///   least one byte, so a count can always be checked against the bytes left before allocating.
/// - Rating values that are all half stars in 0…127.5 are stored as one byte (`2 × value`).
/// - String columns are one UTF-8 blob plus an end-offset integer column.
///
/// Decoding goes through `ColumnReader`, which checks every length against the bytes left and
/// converts with wrapping arithmetic, so a damaged buffer throws or yields wrong values, never
/// a trap. (Sections are CRC-checked before decoding, and the decoded `Dataset` is validated.)
enum ColumnCodec {
    /// Width code for columns stored in their native layout (no narrowing possible).
    static let rawWidth: UInt8 = 0xFF
    /// Width code for run-length encoded columns: run values, then run lengths (both as
    /// ordinary integer columns, never nested). Used when runs are rare — e.g. the user of each
    /// rating in files sorted by user.
    static let runsWidth: UInt8 = 0xFE

    static func write<T: FixedWidthInteger & BitwiseCopyable>(ints a: [T], to w: inout BinaryWriter, allowRuns: Bool = true) {
        w.write(UInt64(a.count))
        guard let first = a.first else { return }
        if allowRuns, a.count >= 64 {
            var runs = 1
            for i in 1..<a.count where a[i] != a[i - 1] { runs += 1 }
            if runs <= a.count / 8 {
                var values: [T] = [], lengths: [UInt64] = []
                values.reserveCapacity(runs)
                lengths.reserveCapacity(runs)
                var start = 0
                for i in 1...a.count where i == a.count || a[i] != a[i - 1] {
                    values.append(a[start])
                    lengths.append(UInt64(i - start))
                    start = i
                }
                w.write(runsWidth)
                write(ints: values, to: &w, allowRuns: false)
                write(ints: lengths, to: &w, allowRuns: false)
                return
            }
        }
        var lo = first, hi = first
        for v in a {
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        let lo64 = Int64(exactly: lo), hi64 = Int64(exactly: hi)
        let (range, overflow) = (hi64 ?? 0).subtractingReportingOverflow(lo64 ?? 0)
        let width: UInt8
        if lo64 == nil || hi64 == nil || overflow { width = rawWidth }
        else if range <= 0xFF { width = 1 }
        else if range <= 0xFFFF { width = 2 }
        else if range <= 0xFFFF_FFFF { width = 4 }
        else { width = rawWidth }
        w.write(width)
        guard width != rawWidth else {
            w.write(UInt8(MemoryLayout<T>.stride))
            pad(&w)
            a.withUnsafeBytes { w.append(Data($0)) }
            return
        }
        let base = lo64 ?? 0
        w.write(base)
        pad(&w)
        switch width {
        case 1: w.append(packed(a, base: base, as: UInt8.self))
        case 2: w.append(packed(a, base: base, as: UInt16.self))
        case 4: w.append(packed(a, base: base, as: UInt32.self))
        default: break
        }
    }

    /// Zero bytes up to the next multiple of 8, so bulk data is aligned for the reader (sections
    /// start at multiples of 8 in the file body).
    static func pad(_ w: inout BinaryWriter) {
        let n = (8 - w.data.count % 8) % 8
        if n > 0 { w.append(Data(count: n)) }
    }

    private static func packed<T: FixedWidthInteger, U: FixedWidthInteger>(_ a: [T], base: Int64, as: U.Type) -> Data {
        var out = Data(count: a.count * MemoryLayout<U>.stride)
        out.withUnsafeMutableBytes { raw in
            let dst = raw.bindMemory(to: U.self)
            a.withUnsafeBufferPointer { src in
                for i in 0..<src.count { dst[i] = U(truncatingIfNeeded: Int64(truncatingIfNeeded: src[i]) &- base).littleEndian }
            }
        }
        return out
    }

    static func write(floats a: [Float], to w: inout BinaryWriter) {
        w.write(UInt64(a.count))
        let halves = a.allSatisfy { v in
            let c = v * 2
            guard c >= 0, c <= 255, c == c.rounded() else { return false }
            return (Float(UInt8(c)) * 0.5).bitPattern == v.bitPattern
        }
        if halves {
            w.write(UInt8(1))
            var codes = Data(count: a.count)
            codes.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in
                for (i, v) in a.enumerated() { raw[i] = UInt8(v * 2) }
            }
            w.append(codes)
        } else {
            w.write(UInt8(0))
            pad(&w)
            a.withUnsafeBytes { w.append(Data($0)) }
        }
    }

    static func write(strings a: [String], to w: inout BinaryWriter) {
        var blob = [UInt8]()
        blob.reserveCapacity(a.count * 16)
        var ends = [UInt64]()
        ends.reserveCapacity(a.count)
        for s in a {
            var s = s
            s.withUTF8 { blob.append(contentsOf: $0) }
            ends.append(UInt64(blob.count))
        }
        write(ints: ends, to: &w)
        w.write(UInt64(blob.count))
        blob.withUnsafeBytes { w.append(Data($0)) }
    }
}

/// Bounds-checked reader over a byte buffer for the cache's column encodings (the bulk
/// counterpart of `Runtime.BinaryReader`: it decodes packed columns straight from the buffer
/// without intermediate copies).
struct ColumnReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int
    let section: String

    /// Upper bound on the element count of a run-length encoded column (whose elements take no
    /// bytes of their own), so a damaged count cannot request a huge allocation.
    let maxCount: Int

    /// Threads for widening large columns (each thread writes its own rows, so the fresh pages
    /// of the output are also first touched on several threads).
    let threads: Int

    /// Columns shorter than this are decoded on one thread.
    static let parallelMinimum = 1 << 16

    init(_ bytes: UnsafeRawBufferPointer, section: String, maxCount: Int? = nil, threads: Int = 1) {
        self.bytes = bytes
        self.offset = 0
        self.section = section
        self.maxCount = maxCount ?? bytes.count
        self.threads = max(1, threads)
    }

    var remaining: Int { bytes.count - offset }

    /// Moves past `n` bytes the caller has checked are present.
    mutating func advance(_ n: Int) { offset += n }

    /// Skips the writer's padding to the next multiple of 8.
    mutating func align(_ what: String) throws {
        let aligned = (offset + 7) & ~7
        guard aligned <= bytes.count else { throw truncated(what + " padding") }
        offset = aligned
    }

    private func truncated(_ what: String) -> BinaryFormatError {
        .truncated(what: "\(section).\(what)", offset: offset)
    }

    mutating func scalar<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        guard MemoryLayout<T>.size <= remaining else { throw truncated(what) }
        let v = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    /// A count of elements of `size` bytes each that must fit in the bytes left.
    mutating func count(elementSize: Int, _ what: String) throws -> Int {
        let raw = try scalar(UInt64.self, what + " count")
        guard raw <= UInt64(Int.max / max(1, elementSize)), Int(raw) * elementSize <= remaining else {
            throw truncated(what)
        }
        return Int(raw)
    }

    mutating func ints<T: FixedWidthInteger & BitwiseCopyable & Sendable>(_: T.Type, _ what: String, allowRuns: Bool = true) throws -> [T] {
        decode(try planInts(T.self, what, allowRuns: allowRuns)).values
    }

    /// `ints` and the smallest and largest value decoded as Int64 (`(Int64.max, Int64.min)` for
    /// an empty column), noted while the column is written — no second pass over it (the cache
    /// checks its rating index columns this way).
    mutating func intsWithBounds<T: FixedWidthInteger & BitwiseCopyable & Sendable>(_: T.Type, _ what: String) throws -> ([T], (Int64, Int64)) {
        decode(try planInts(T.self, what))
    }

    /// Locates the next integer column and moves past it without decoding its rows: reads its
    /// header (and, for runs, the small run value and length columns) and checks that its
    /// payload lies within the bytes left.
    mutating func planInts<T: FixedWidthInteger & BitwiseCopyable & Sendable>(
        _: T.Type, _ what: String, allowRuns: Bool = true
    ) throws -> IntColumnPlan<T> {
        let stored = try scalar(UInt64.self, what + " count")
        guard stored > 0 else { return IntColumnPlan(count: 0, encoding: .native, payload: offset) }
        let width = try scalar(UInt8.self, what + " width")
        if width == ColumnCodec.runsWidth, allowRuns {
            guard stored <= UInt64(maxCount) else { throw truncated(what) }
            let values = try ints(T.self, what + " run values", allowRuns: false)
            let lengths = try ints(UInt64.self, what + " run lengths", allowRuns: false)
            guard values.count == lengths.count else { throw BinaryFormatError.invalid("\(section).\(what): \(values.count) run values, \(lengths.count) lengths") }
            // Start row of each run; every run is at least one row, and they cover the column.
            var starts = [Int]()
            starts.reserveCapacity(lengths.count)
            var total: UInt64 = 0
            for l in lengths {
                guard l > 0, l <= stored - total else {
                    throw BinaryFormatError.invalid("\(section).\(what): bad run length \(l) (runs exceed \(stored) elements)")
                }
                starts.append(Int(total))
                total += l
            }
            guard total == stored else { throw BinaryFormatError.invalid("\(section).\(what): runs cover \(total) of \(stored) elements") }
            return IntColumnPlan(count: Int(stored), encoding: .runs(values: values, starts: starts), payload: offset)
        }
        // Every other encoding takes at least one byte per element.
        guard stored <= UInt64(remaining) else { throw truncated(what) }
        let n = Int(stored)
        let encoding: IntColumnPlan<T>.Encoding
        if width == ColumnCodec.rawWidth {
            let stride = try scalar(UInt8.self, what + " stride")
            guard Int(stride) == MemoryLayout<T>.stride else {
                throw BinaryFormatError.invalid("\(section).\(what): element size \(stride), expected \(MemoryLayout<T>.stride)")
            }
            encoding = .native
        } else {
            guard [1, 2, 4].contains(width) else { throw BinaryFormatError.invalid("\(section).\(what): unknown column width \(width)") }
            encoding = .offsets(width: Int(width), base: try scalar(Int64.self, what + " base"))
        }
        try align(what)
        let plan = IntColumnPlan<T>(count: n, encoding: encoding, payload: offset)
        guard n <= remaining / plan.bytesPerRow else { throw truncated(what) }
        offset += n * plan.bytesPerRow
        return plan
    }

    /// Locates the next float column and moves past it without decoding its rows.
    mutating func planFloats(_ what: String) throws -> FloatColumnPlan {
        let n = try count(elementSize: 1, what)
        let mode = try scalar(UInt8.self, what + " mode")
        let encoding: FloatColumnPlan.Encoding
        switch mode {
        case 1: encoding = .halves
        case 0:
            try align(what)
            encoding = .native
        default:
            throw BinaryFormatError.invalid("\(section).\(what): unknown float encoding \(mode)")
        }
        let plan = FloatColumnPlan(count: n, encoding: encoding, payload: offset)
        guard n <= remaining / plan.bytesPerRow else { throw truncated(what) }
        offset += n * plan.bytesPerRow
        return plan
    }

    /// Row blocks for decoding `n` rows on this reader's threads (one block when small).
    private func blocks(_ n: Int) -> (blocks: [Range<Int>], threads: Int) {
        let threads = n >= ColumnReader.parallelMinimum ? self.threads : 1
        return (splitRange(n, parts: max(1, min(threads * 4, n / (ColumnReader.parallelMinimum / 4)))), threads)
    }

    /// All rows of `plan` (made from this reader's bytes), decoded on `threads` threads (each
    /// thread writes its own rows, so the fresh pages of the output are also first touched on
    /// several threads), with their smallest and largest value.
    func decode<T: FixedWidthInteger & BitwiseCopyable & Sendable>(_ plan: IntColumnPlan<T>) -> (values: [T], bounds: (Int64, Int64)) {
        let n = plan.count
        guard n > 0 else { return ([], (Int64.max, Int64.min)) }
        let (blocks, threads) = blocks(n)
        var los = [T](repeating: .max, count: blocks.count), his = [T](repeating: .min, count: blocks.count)
        let src = bytes
        let out = [T](unsafeUninitializedCapacity: n) { buf, count in
            HugePages.advise(buf)
            guard let base = buf.baseAddress else { count = 0; return }
            let dst = UnsafeSendable(base)
            los.withUnsafeMutableBufferPointer { l in
                his.withUnsafeMutableBufferPointer { h in
                    let slots = UnsafeSendable((l, h))
                    parallelFor(chunks: blocks.count, threads: threads) { b in
                        (slots.value.0[b], slots.value.1[b]) = plan.decode(blocks[b], from: src, into: dst.value)
                    }
                }
            }
            count = n
        }
        return (out, (Int64(truncatingIfNeeded: los.min() ?? .max), Int64(truncatingIfNeeded: his.max() ?? .min)))
    }

    mutating func floats(_ what: String) throws -> [Float] {
        let plan = try planFloats(what)
        let (blocks, threads) = blocks(plan.count)
        let src = bytes
        return [Float](unsafeUninitializedCapacity: plan.count) { buf, count in
            HugePages.advise(buf)
            guard let base = buf.baseAddress else { count = 0; return }
            let dst = UnsafeSendable(base)
            parallelFor(chunks: blocks.count, threads: threads) { b in plan.decode(blocks[b], from: src, into: dst.value) }
            count = plan.count
        }
    }

    mutating func strings(_ what: String) throws -> [String] {
        let ends = try ints(UInt64.self, what + " offsets")
        let blobLength = try count(elementSize: 1, what + " text")
        let start = offset
        var previous: UInt64 = 0
        for e in ends {
            guard e >= previous, e <= UInt64(blobLength) else {
                throw BinaryFormatError.invalid("\(section).\(what): string offsets out of order or beyond the text")
            }
            previous = e
        }
        let blob = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + blobLength)])
        var out = [String]()
        out.reserveCapacity(ends.count)
        var from = 0
        for e in ends {
            let to = Int(e)
            out.append(String(decoding: UnsafeRawBufferPointer(rebasing: blob[from..<to]), as: UTF8.self))
            from = to
        }
        offset += blobLength
        return out
    }
}
