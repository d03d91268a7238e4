/// Integers written with thousands separators ("100,836"), for the HTML report and the CLI tables.
public enum DigitGrouping {
    /// `n` with a comma between each group of three digits.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + String(out.reversed())
    }
}
