/// Hand-written number parsing straight from bytes: no `String` per field.
enum ByteNumbers {
    /// A decimal integer with optional leading `-`/`+`, surrounded by optional spaces; nil on
    /// anything else or on overflow of `Int64`.
    @inline(__always)
    static func int64(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        var i = start, e = end
        while i < e && b[i] == 32 { i += 1 }
        while e > i && b[e - 1] == 32 { e -= 1 }
        guard i < e else { return nil }
        var negative = false
        if b[i] == 45 || b[i] == 43 { negative = b[i] == 45; i += 1 }
        guard i < e, e - i <= 19 else { return nil }
        var v: Int64 = 0
        while i < e {
            let d = b[i] &- 48
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            v = s
            i += 1
        }
        return negative ? -v : v
    }

    /// A decimal number `[-+]digits[.digits]` or `[-+].digits` (no exponent), surrounded by
    /// optional spaces; nil on anything else. At most 18 significant digits.
    @inline(__always)
    static func decimal(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start, e = end
        while i < e && b[i] == 32 { i += 1 }
        while e > i && b[e - 1] == 32 { e -= 1 }
        guard i < e else { return nil }
        var negative = false
        if b[i] == 45 || b[i] == 43 { negative = b[i] == 45; i += 1 }
        var mantissa: Int64 = 0
        var digits = 0, fractionDigits = 0
        var seenPoint = false
        while i < e {
            let c = b[i]
            if c == 46 {
                if seenPoint { return nil }
                seenPoint = true
            } else {
                let d = c &- 48
                guard d < 10 else { return nil }
                digits += 1
                guard digits <= 18 else { return nil }
                mantissa = mantissa * 10 + Int64(d)
                if seenPoint { fractionDigits += 1 }
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        var v = Double(mantissa)
        if fractionDigits > 0 { v /= pow10[fractionDigits] }
        return negative ? -v : v
    }

    private static let pow10: [Double] = (0...18).map { k in (0..<k).reduce(1.0) { acc, _ in acc * 10 } }
}
