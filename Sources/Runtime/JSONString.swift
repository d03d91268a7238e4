/// JSON text helpers shared by every writer of JSON in MovieRec (reports, CLI `--json`, the
/// XGBoost model export), so string escaping is written once.
public enum JSONString {
    /// `s` as a JSON string literal, with its quotes: `"`, `\` and control characters escaped
    /// (`\n`, `\r`, `\t`, else `\u00XX`); everything else, non-ASCII included, written as is.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
