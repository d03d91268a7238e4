/// Splits text into lower-case word tokens with scikit-learn's default `token_pattern`
/// semantics, `(?u)\b\w\w+\b` applied after lower-casing:
///
/// - the text is lower-cased (Unicode full case mapping, as Python's `str.lower()`);
/// - a *word character* is a Unicode letter (categories Lu, Ll, Lt, Lm, Lo), a Unicode number
///   (Nd, Nl, No) or `_` — Python's `\w` for `str`; combining marks are *not* word characters;
/// - tokens are the maximal runs of word characters of length ≥ 2, counted in Unicode scalars
///   (Python code points); single characters are dropped.
///
/// So `"Star Wars: Episode IV"` → `["star", "wars", "episode", "iv"]`, `"Amélie"` → `["amélie"]`,
/// `"sci-fi"` → `["sci", "fi"]` (use `wholeToken(_:)` for labels that must stay one token).
public enum WordTokenizer {
    /// The word tokens of `text`, in order (duplicates kept).
    public static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var current = String.UnicodeScalarView()
        var length = 0
        func flush() {
            if length >= 2 { out.append(String(current)) }
            current = String.UnicodeScalarView()
            length = 0
        }
        for scalar in text.lowercased().unicodeScalars {
            if isWordCharacter(scalar) {
                current.append(scalar)
                length += 1
            } else {
                flush()
            }
        }
        flush()
        return out
    }

    /// A label kept as one token: lower-cased and trimmed, inner whitespace runs replaced by one
    /// `_` (so `"Sci-Fi"` → `"sci-fi"`, `"Film-Noir"` → `"film-noir"`, `"Children's"` →
    /// `"children's"`, `"Martial Arts"` → `"martial_arts"`). Empty labels give nil.
    public static func wholeToken(_ label: String) -> String? {
        let parts = label.lowercased().split(whereSeparator: { $0.isWhitespace })
        return parts.isEmpty ? nil : parts.joined(separator: "_")
    }

    /// Python's `\w` for `str`: letters, numbers, underscore.
    @inline(__always)
    public static func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII {
            let v = s.value
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x5F
        }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }
}
