#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level decimal → `Float` parsing for the table reader.
///
/// Fast path: up to 19 significant digits and a decimal exponent within ±22 are computed as one
/// correctly rounded `Double` operation and then narrowed to `Float`. Narrowing a correctly
/// rounded double gives the correctly rounded float unless the double lands exactly on a
/// float midpoint (or in the subnormal range); those rare cases, and everything else, go to
/// `strtof`. So results equal `strtof`'s (and numpy's float32 parsing of ≤ 9-digit values).
enum NumberParser {
    static let powers: [Double] = (0...22).map { e in
        var p = 1.0
        for _ in 0..<e { p *= 10 }
        return p
    }

    /// Parses `bytes[start..<end]` (already trimmed). Returns nil when not a number; returns NaN
    /// for the missing markers: empty, `NaN`/`nan`, `NA`, `?`.
    @inline(__always)
    static func parse(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Float? {
        if start >= end { return .nan }
        var i = start
        var negative = false
        if p[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if p[i] == UInt8(ascii: "+") { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exp10 = 0
        var sawDigit = false
        var overflowDigits = false
        while i < end, p[i] &- 48 < 10 {
            sawDigit = true
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); if mantissa != 0 { digits += 1 } } else { exp10 += 1; overflowDigits = true }
            i += 1
        }
        if i < end, p[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, p[i] &- 48 < 10 {
                sawDigit = true
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); exp10 -= 1; if mantissa != 0 { digits += 1 } } else { overflowDigits = true }
                i += 1
            }
        }
        if !sawDigit { return special(p, start, end) }
        if i < end, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var eneg = false
            if i < end, p[i] == UInt8(ascii: "-") { eneg = true; i += 1 } else if i < end, p[i] == UInt8(ascii: "+") { i += 1 }
            var e = 0
            var sawExp = false
            while i < end, p[i] &- 48 < 10 {
                sawExp = true
                if e < 100_000 { e = e * 10 + Int(p[i] &- 48) }
                i += 1
            }
            if !sawExp { return nil }
            exp10 += eneg ? -e : e
        }
        if i != end { return nil }
        if !overflowDigits, mantissa < (1 << 53), exp10 >= -22, exp10 <= 22 {
            var d = Double(mantissa)
            d = exp10 < 0 ? d / powers[-exp10] : d * powers[exp10]
            if mantissa == 0 { return negative ? -0.0 : 0.0 }
            // Exact float midpoints (low 29 mantissa bits == 1 << 28) or outside the normal float
            // range: defer to strtof.
            let bits = d.bitPattern
            if bits & 0x1FFF_FFFF != 0x1000_0000, d >= 1.2e-38, d <= 3.4e38 {
                let f = Float(d)
                return negative ? -f : f
            }
        }
        return slow(p, start, end)
    }

    static func special(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Float? {
        let n = end - start
        func lower(_ k: Int) -> UInt8 { p[start + k] | 0x20 }
        if n == 3, lower(0) == UInt8(ascii: "n"), lower(1) == UInt8(ascii: "a"), lower(2) == UInt8(ascii: "n") { return .nan }
        if n == 2, lower(0) == UInt8(ascii: "n"), lower(1) == UInt8(ascii: "a") { return .nan }
        if n == 1, p[start] == UInt8(ascii: "?") { return .nan }
        return slow(p, start, end)
    }

    static func slow(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Float? {
        let n = end - start
        if n > 200 { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Float? in
            for k in 0..<n { buf[k] = CChar(bitPattern: p[start + k]) }
            buf[n] = 0
            guard let base = buf.baseAddress else { return nil }
            var endPtr: UnsafeMutablePointer<CChar>? = nil
            let v = strtof(base, &endPtr)
            guard let endPtr, endPtr - base == n else { return nil }
            return v
        }
    }
}
