/// A growable byte buffer with hand-written CSV formatting (no `String` per row): the generator
/// formats each block of rows into one of these, and the blocks are written to disk in order.
///
/// A class over raw storage, so that the per-byte writes of the hot loop are plain stores: each
/// write method first makes room for its largest possible output (one compare), then stores
/// without further checks.
final class ByteSink {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    /// "00" "01" … "99": two digits per division by 100.
    private let digitPairs: UnsafeMutablePointer<UInt8>
    /// 10⁰ … 10¹⁹.
    private let powersOfTen: UnsafeMutablePointer<UInt64>

    init(capacity: Int) {
        self.capacity = max(64, capacity)
        storage = .allocate(capacity: self.capacity)
        digitPairs = .allocate(capacity: 200)
        for i in 0..<100 {
            digitPairs[2 * i] = UInt8(48 + i / 10)
            digitPairs[2 * i + 1] = UInt8(48 + i % 10)
        }
        powersOfTen = .allocate(capacity: 20)
        var p: UInt64 = 1
        for i in 0..<20 {
            powersOfTen[i] = p
            p = p &* 10
        }
    }

    deinit {
        storage.deallocate()
        digitPairs.deallocate()
        powersOfTen.deallocate()
    }

    /// The bytes written so far (valid until the next write).
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: count) }

    func removeAll() { count = 0 }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private func grow(_ needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        fresh.update(from: storage, count: count)
        storage.deallocate()
        storage = fresh
        capacity = newCapacity
    }

    @inline(__always)
    func byte(_ b: UInt8) {
        reserve(1)
        storage[count] = b
        count += 1
    }

    @inline(__always)
    func comma() { byte(44) }

    @inline(__always)
    func newline() { byte(10) }

    /// The decimal digits of a non-negative integer (negative values are written as 0).
    @inline(__always)
    func int(_ value: Int64) {
        reserve(20)
        var v = UInt64(max(0, value))
        // Digits from the bit length (log10 2 ≈ 1233 / 4096), corrected by one comparison.
        let bits = 64 - (v | 1).leadingZeroBitCount
        var digits = (bits &* 1233) >> 12
        if v | 1 >= powersOfTen[digits] { digits &+= 1 }  // (v | 1: zero has one digit)
        var i = count &+ digits
        while v >= 100 {
            let q = v / 100
            let r = Int(truncatingIfNeeded: v &- q &* 100) &* 2
            i &-= 2
            storage[i] = digitPairs[r]
            storage[i &+ 1] = digitPairs[r &+ 1]
            v = q
        }
        if v >= 10 {
            let r = Int(truncatingIfNeeded: v) &* 2
            storage[i &- 2] = digitPairs[r]
            storage[i &- 1] = digitPairs[r &+ 1]
        } else {
            storage[i &- 1] = UInt8(truncatingIfNeeded: v) &+ 48
        }
        count &+= digits
    }

    /// `value` zero-padded to at least `width` digits (IMDb ids are written `0114709`).
    func int(_ value: Int64, width: Int) {
        var digits = 1, v = max(0, value)
        while v >= 10 { v /= 10; digits += 1 }
        for _ in digits..<max(digits, width) { byte(48) }
        int(value)
    }

    /// A rating given in half stars (1…10) as MovieLens writes it: `0.5`, `4.0`, `4.5`.
    @inline(__always)
    func halfStars(_ halves: Int) {
        reserve(4)
        storage[count] = UInt8(truncatingIfNeeded: halves >> 1) &+ 48
        storage[count + 1] = 46
        storage[count + 2] = halves & 1 == 0 ? 48 : 53
        count += 3
    }

    /// Raw UTF-8 text.
    func text(_ s: String) {
        let utf8 = s.utf8
        reserve(utf8.count)
        for b in utf8 {
            storage[count] = b
            count += 1
        }
    }

    /// A CSV field: quoted (with `"` doubled) when it contains a comma, a quote or a line break.
    func csvField(_ s: String) {
        let utf8 = s.utf8
        guard utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else {
            text(s)
            return
        }
        byte(34)
        for b in utf8 {
            if b == 34 { byte(34) }
            byte(b)
        }
        byte(34)
    }
}
