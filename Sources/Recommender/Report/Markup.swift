/// Escaping of text embedded in HTML and SVG (both parsed as XML by strict readers).
public enum Markup {
    /// `text` safe inside element content and double- or single-quoted attribute values:
    /// `& < > " '` become entities, and characters XML 1.0 forbids (C0 controls other than tab,
    /// newline and carriage return; U+FFFE, U+FFFF; lone surrogates cannot occur in a Swift
    /// `String`) become U+FFFD, so hostile input can neither break the markup nor inject tags.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for u in text.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }

    /// `text` cut to at most `limit` characters, ending in "…" when cut (for axis labels).
    public static func truncate(_ text: String, to limit: Int) -> String {
        guard limit >= 1, text.count > limit else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }
}
