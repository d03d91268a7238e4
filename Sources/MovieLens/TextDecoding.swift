/// Turning field bytes into `String`s.
enum TextDecoding {
    /// The text of `field` (quotes' `""` escapes undone, surrounding spaces trimmed). With
    /// `latin1` the bytes are ISO-8859-1; otherwise UTF-8, and invalid UTF-8 is decoded as
    /// latin-1 with `invalidUTF8` set to true.
    static func string(_ b: UnsafeBufferPointer<UInt8>, _ field: Field, latin1: Bool, invalidUTF8: inout Bool) -> String {
        var s = field.start, e = field.end
        while s < e && b[s] == 32 { s += 1 }
        while e > s && b[e - 1] == 32 { e -= 1 }
        var ascii = true
        var hasQuote = false
        for i in s..<e {
            let c = b[i]
            if c >= 128 { ascii = false }
            if c == 34 { hasQuote = true }
        }
        let raw = UnsafeBufferPointer(rebasing: b[s..<e])
        var text: String
        if ascii {
            text = String(decoding: raw, as: UTF8.self)
        } else if latin1 {
            text = String(String.UnicodeScalarView(raw.map { Unicode.Scalar($0) }))
        } else if let valid = String(validating: raw, as: UTF8.self) {
            text = valid
        } else {
            invalidUTF8 = true
            text = String(String.UnicodeScalarView(raw.map { Unicode.Scalar($0) }))
        }
        if field.quoted && hasQuote { text = text.replacingDoubledQuotes() }
        return text
    }
}

extension String {
    /// `""` → `"`.
    func replacingDoubledQuotes() -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        var previousQuote = false
        for ch in self {
            if ch == "\"" {
                if previousQuote { previousQuote = false; continue }
                previousQuote = true
            } else {
                previousQuote = false
            }
            out.append(ch)
        }
        return out
    }
}
