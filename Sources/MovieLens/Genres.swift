/// Genre vocabularies of the MovieLens releases and the title/year convention.
public enum Genres {
    /// The 18 genres of ml-1m (and of the notebook's seed set), in the order of its README.
    public static let ml1m = ["Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
                              "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"]
    /// The 19 genres of ml-100k when `u.genre` is absent (index = flag column).
    public static let ml100k = ["unknown"] + ml1m
    /// ml-10m: the ml-1m genres plus IMAX.
    public static let ml10m = ml1m + ["IMAX"]
    /// The ml-latest family (ml-latest-small, ml-20m, ml-25m, ml-32m).
    public static let latest = ["Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama",
                                "Fantasy", "Film-Noir", "Horror", "IMAX", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller",
                                "War", "Western"]
    /// The genre field meaning "none" in ml-latest and ml-10m.
    public static let noGenresListed = "(no genres listed)"

    /// Accepted alternative spellings: ml-10m writes `Children` where ml-1m writes `Children's`.
    static func canonical(_ name: String, in vocabulary: [String]) -> String {
        if name == "Children" && !vocabulary.contains("Children") && vocabulary.contains("Children's") { return "Children's" }
        if name == "Children's" && !vocabulary.contains("Children's") && vocabulary.contains("Children") { return "Children" }
        return name
    }
}

/// Reads the release year at the end of a MovieLens title.
enum TitleYear {
    /// What the end of a title says about the year.
    enum Outcome: Equatable {
        case year(Int16)
        /// No trailing `(YYYY)`.
        case none
        /// A trailing `(YYYY)` outside 1870…2100 (the seed set has `Unknown Movie (3000)`).
        case outOfRange
    }

    /// Valid release years.
    static let validYears = 1870...2100

    /// `"Toy Story (1995)"` → `.year(1995)`. The year is a trailing `(YYYY)`, possibly followed
    /// by spaces (ml-latest has `"… (2007) "`), or a range `(YYYY-YYYY)` / `(YYYY–)` for series
    /// (the first year is taken).
    static func parse(_ raw: String) -> Outcome {
        if let y = fastYear(raw) { return validYears.contains(y) ? .year(Int16(y)) : .outOfRange }
        return general(raw)
    }

    /// The common case, on the UTF-8 bytes: the title ends with `(dddd)` and optional spaces,
    /// and the byte before `(` is ASCII (so `(` is a character of its own, which `general`
    /// finds as the last `(`). Returns the four digits' value, or nil for `general` to decide.
    static func fastYear(_ raw: String) -> Int? {
        var raw = raw
        return raw.withUTF8 { b -> Int? in
            var e = b.count
            while e > 0 && b[e - 1] == 32 { e -= 1 }
            guard e >= 6, b[e - 1] == 41, b[e - 6] == 40, e == 6 || b[e - 7] < 0x80 else { return nil }
            var y = 0
            for k in (e - 5)..<(e - 1) {
                let d = Int(b[k]) - 48
                guard d >= 0 && d < 10 else { return nil }
                y = y * 10 + d
            }
            return y
        }
    }

    /// The rule above, on characters, for any title.
    static func general(_ raw: String) -> Outcome {
        var title = Substring(raw)
        while title.last == " " { title = title.dropLast() }
        guard title.last == ")", let open = title.lastIndex(of: "(") else { return .none }
        let inside = title[title.index(after: open)..<title.index(before: title.endIndex)]
        let digits = inside.prefix(4)
        guard digits.count == 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let y = Int(digits) else { return .none }
        let rest = inside.dropFirst(4)
        guard rest.isEmpty || rest.first == "-" || rest.first == "–" else { return .none }
        return validYears.contains(y) ? .year(Int16(y)) : .outOfRange
    }
}
