/// A growable byte buffer with hand-written CSV formatting (no `String` per row): the generator
/// formats each block of rows into one of these, and the blocks are written to disk in order.
struct ByteSink {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    var count: Int { bytes.count }

    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    @inline(__always)
    mutating func byte(_ b: UInt8) { bytes.append(b) }

    @inline(__always)
    mutating func comma() { bytes.append(44) }

    @inline(__always)
    mutating func newline() { bytes.append(10) }

    /// The decimal digits of a non-negative integer (negative values are written as 0).
    @inline(__always)
    mutating func int(_ value: Int64) {
        var v = UInt64(max(0, value))
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &tmp) { t in
            repeat {
                let q = v / 10
                t[19 - n] = UInt8(truncatingIfNeeded: v - q * 10) &+ 48
                n += 1
                v = q
            } while v != 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: t[(20 - n)..<20]))
        }
    }

    /// `value` zero-padded to at least `width` digits (IMDb ids are written `0114709`).
    mutating func int(_ value: Int64, width: Int) {
        var digits = 1, v = max(0, value)
        while v >= 10 { v /= 10; digits += 1 }
        for _ in digits..<max(digits, width) { bytes.append(48) }
        int(value)
    }

    /// A rating given in half stars (1…10) as MovieLens writes it: `0.5`, `4.0`, `4.5`.
    @inline(__always)
    mutating func halfStars(_ halves: Int) {
        bytes.append(UInt8(truncatingIfNeeded: halves >> 1) &+ 48)
        bytes.append(46)
        bytes.append(halves & 1 == 0 ? 48 : 53)
    }

    /// Raw UTF-8 text.
    mutating func text(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// A CSV field: quoted (with `"` doubled) when it contains a comma, a quote or a line break.
    mutating func csvField(_ s: String) {
        let utf8 = s.utf8
        guard utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else {
            bytes.append(contentsOf: utf8)
            return
        }
        bytes.append(34)
        for b in utf8 {
            if b == 34 { bytes.append(34) }
            bytes.append(b)
        }
        bytes.append(34)
    }
}
