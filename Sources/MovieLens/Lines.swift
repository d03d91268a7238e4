/// One line of a text file: bytes `start..<end` of the file (line terminator and a trailing `\r`
/// excluded), its 1-based number, and whether it ended with `\n`.
struct Line {
    var start: Int
    var end: Int
    var number: Int
    var terminated: Bool
    var count: Int { end - start }
}

/// Line iteration and chunking over a file's bytes.
enum Lines {
    /// Lines longer than this are dropped as `line too long` without being parsed.
    static let maxLength = 1 << 20

    /// Calls `body` for each line in `range` of `bytes`, numbering from `firstNumber`.
    /// `range` must start at a line start; a final line without `\n` is reported unterminated.
    @inline(__always)
    static func forEach(_ bytes: UnsafeBufferPointer<UInt8>, in range: Range<Int>, firstNumber: Int, _ body: (Line) -> Void) {
        var i = range.lowerBound
        let end = range.upperBound
        var number = firstNumber
        while i < end {
            let j = SWARBytes.firstIndex(of: 10, in: bytes, from: i, to: end)
            let terminated = j < end
            var e = j
            if e > i && bytes[e - 1] == 13 { e -= 1 }
            body(Line(start: i, end: e, number: number, terminated: terminated))
            number += 1
            i = j + 1
        }
    }

    /// Number of `\n` bytes in `range`.
    static func countNewlines(_ bytes: UnsafeBufferPointer<UInt8>, in range: Range<Int>) -> Int {
        guard let base = bytes.baseAddress, !range.isEmpty else { return 0 }
        var n = 0
        var i = range.lowerBound
        let raw = UnsafeRawPointer(base)
        // 32 bytes at a time: a lane of the comparison mask is -1 (all ones) on "\n", so
        // subtracting it counts per lane; lanes are summed every 255 blocks, before a UInt8 wraps.
        let newline = SIMD32<UInt8>(repeating: 10)
        while i + 32 <= range.upperBound {
            let blocks = min(255, (range.upperBound - i) / 32)
            var lanes = SIMD32<UInt8>()
            for _ in 0..<blocks {
                let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD32<UInt8>.self)
                lanes &-= unsafeBitCast(v .== newline, to: SIMD32<UInt8>.self)
                i += 32
            }
            n += Int(SIMD32<UInt16>(truncatingIfNeeded: lanes).wrappedSum())
        }
        while i < range.upperBound {
            if base[i] == 10 { n += 1 }
            i += 1
        }
        return n
    }

    /// Splits `start..<bytes.count` into about `parts` ranges that each begin at a line start.
    static func chunks(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, parts: Int) -> [Range<Int>] {
        let total = bytes.count - start
        guard total > 0 else { return [] }
        let p = max(1, parts)
        var bounds: [Int] = [start]
        for k in 1..<p {
            var b = start + total / p * k
            if b <= bounds[bounds.count - 1] { continue }
            while b < bytes.count && bytes[b - 1] != 10 { b += 1 }
            if b < bytes.count && b > bounds[bounds.count - 1] { bounds.append(b) }
        }
        bounds.append(bytes.count)
        return (0..<(bounds.count - 1)).map { bounds[$0]..<bounds[$0 + 1] }
    }

    /// Whether bytes `start..<end` hold only spaces and tabs.
    static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = start
        while i < end {
            let b = bytes[i]
            if b != 32 && b != 9 { return false }
            i += 1
        }
        return true
    }

    /// Whether bytes `start..<end` contain NUL or another control byte other than tab
    /// (the signature of binary junk in a text file).
    static func hasControlBytes(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = start
        // Skip 8-byte words without any byte below 0x20 or equal to 0x7F; the byte loop below
        // decides from the first word that has one (a tab is allowed).
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= end {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if SWARBytes.hasByteBelow(w, 0x20) || SWARBytes.hasZeroByte(w ^ 0x7F7F_7F7F_7F7F_7F7F) { break }
                i += 8
            }
        }
        while i < end {
            let b = bytes[i]
            if b < 32 && b != 9 { return true }
            if b == 127 { return true }
            i += 1
        }
        return false
    }
}

/// Byte searches eight bytes at a time inside a `UInt64` (first byte in the low bits).
enum SWARBytes {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether some byte of `w` is zero. The lowest flagged byte is exactly the first zero byte
    /// (a borrow can only flag bytes above a zero byte).
    @inline(__always)
    static func zeroBytes(_ w: UInt64) -> UInt64 { (w &- ones) & ~w & highs }

    @inline(__always)
    static func hasZeroByte(_ w: UInt64) -> Bool { zeroBytes(w) != 0 }

    /// Whether some byte of `w` is below `n` (n ≤ 128).
    @inline(__always)
    static func hasByteBelow(_ w: UInt64, _ n: UInt8) -> Bool { (w &- ones &* UInt64(n)) & ~w & highs != 0 }

    /// Index of the first byte equal to `byte` in `start..<end` of `bytes`, or `end`.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        var j = start
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            let pattern = ones &* UInt64(byte)
            while j + 8 <= end {
                let hits = zeroBytes(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)) ^ pattern)
                if hits != 0 { return j + hits.trailingZeroBitCount >> 3 }
                j += 8
            }
        }
        while j < end && bytes[j] != byte { j += 1 }
        return j
    }
}
