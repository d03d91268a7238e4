/// Movies as parsed, in file order, duplicates already removed (first occurrence kept).
struct RawMovies: Sendable {
    var ids: [Int64] = []
    var titles: [String] = []
    var years: [Int16] = []
    var genres: [UInt32] = []
}

/// Reads `movies.csv` / `movies.dat` (`id, title, genres`) and ml-100k's `u.item`
/// (`id|title|release date|video release date|IMDb URL|` + one 0/1 flag per genre).
enum MoviesParser {
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, firstLine: Int, layout: ReleaseLayout,
                      file: String, vocabulary: [String]) -> (RawMovies, FileReport) {
        var out = RawMovies()
        var report = FileReport(file: file)
        var seen = IdSet()
        let matcher = GenreMatcher(vocabulary)
        let item = layout.format == .ml100k
        let fields: ClosedRange<Int> = item ? (5 + vocabulary.count)...(5 + vocabulary.count) : 3...3
        let delimiter: Delimiter = item ? .byte(124) : layout.delimiter
        var scan = RowScan(delimiter: delimiter, quotes: layout.quotes, fields: fields)
        scan.run(bytes, start..<bytes.count, firstLine: firstLine, report: &report) { f, line, report in
            guard let id = ByteNumbers.int64(bytes, f[0].start, f[0].end), id > 0, id <= RatingsParser.maxId else { report.drop(.badMovieId, at: line); return }
            guard !seen.contains(id) else { report.drop(.duplicateMovieId, at: line); return }
            var repairs: [CleaningReason] = []  // recorded only if the row is kept
            func repair(_ r: CleaningReason) { repairs.append(r) }
            var badUTF8 = false
            let rawTitle = TextDecoding.string(bytes, f[1], latin1: layout.latin1, invalidUTF8: &badUTF8)
            if badUTF8 { repair(.invalidUTF8) }
            let title = rawTitle
            var year: Int16 = 0
            if rawTitle.isEmpty {
                repair(.titleMissing)
            } else {
                switch TitleYear.parse(rawTitle) {
                case .year(let y): year = y
                case .none: repair(.yearMissing)
                case .outOfRange: repair(.yearOutOfRange)
                }
            }
            var bits: UInt32 = 0
            if item {
                for g in 0..<vocabulary.count {
                    let fld = f[5 + g]
                    guard let flag = ByteNumbers.int64(bytes, fld.start, fld.end), flag == 0 || flag == 1 else {
                        report.drop(.genreFlagInvalid, at: line); return
                    }
                    if flag == 1 && g < 32 { bits |= 1 << UInt32(g) }
                }
            } else {
                // The common case straight from the bytes (what `fast` accepts is ASCII without
                // quotes or spaces, so decoding it first would give the same text).
                if let fast = matcher.fast(UnsafeBufferPointer(rebasing: bytes[f[2].start..<f[2].end])) {
                    bits = fast
                } else {
                    var dummy = false
                    let text = TextDecoding.string(bytes, f[2], latin1: layout.latin1, invalidUTF8: &dummy)
                    let parsed = GenreField.general(text, vocabulary: vocabulary)
                    bits = parsed.bits
                    for r in parsed.repairs { repair(r) }
                }
            }
            seen.insert(id)
            out.ids.append(id); out.titles.append(title); out.years.append(year); out.genres.append(bits)
            for r in repairs { report.repair(r, line: line.number) }
            report.keep(repairs: repairs.count)
        }
        return (out, report)
    }
}


/// Parses a genre list such as `Action|Comedy`.
enum GenreField {
    /// Rules: empty → no genres, repaired `genres missing`; `(no genres listed)` → no genres (the
    /// release's own way to say none, not a defect); a list separated by `,` (alone or mixed
    /// with `|`) → split on both, repaired `genres with wrong separator`; a name outside the
    /// vocabulary → that name dropped, repaired `unknown genre name` (once per row).
    static func parse(_ text: String, vocabulary: [String]) -> (bits: UInt32, repairs: [CleaningReason]) {
        if let bits = fast(text, vocabulary: vocabulary) { return (bits, []) }
        return general(text, vocabulary: vocabulary)
    }

    /// The common case, on the UTF-8 bytes: `Name|Name|…` without spaces or commas, at least one
    /// name, every name exactly (bytewise) one of the first 32 vocabulary entries. Returns nil
    /// for anything else, which `general` then decides; for what it accepts, `general` gives
    /// the same bits and no repairs (no trimming, splitting or renaming applies).
    static func fast(_ text: String, vocabulary: [String]) -> UInt32? {
        var text = text
        let matcher = GenreMatcher(vocabulary)
        return text.withUTF8 { matcher.fast($0) }
    }

    /// The rules above, for any text.
    static func general(_ text: String, vocabulary: [String]) -> (bits: UInt32, repairs: [CleaningReason]) {
        let trimmed = text.trimming(" ")
        if trimmed.isEmpty { return (0, [.genresMissing]) }
        if trimmed == Genres.noGenresListed { return (0, []) }
        var repairs: [CleaningReason] = []
        let names: [Substring]
        if trimmed.contains(",") {
            repairs.append(.genreSeparator)
            names = trimmed.split(whereSeparator: { $0 == "," || $0 == "|" })
        } else {
            names = trimmed.split(separator: "|")
        }
        var bits: UInt32 = 0
        var unknown = false
        for raw in names {
            let name = Genres.canonical(String(raw).trimming(" "), in: vocabulary)
            if name.isEmpty { continue }
            if let g = vocabulary.firstIndex(of: name), g < 32 {
                bits |= 1 << UInt32(g)
            } else {
                unknown = true
            }
        }
        if unknown { repairs.append(.genreUnknown) }
        return (bits, repairs)
    }
}

extension String {
    func trimming(_ set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}

/// The first 32 names of a genre vocabulary as bytes, to match genre lists without decoding them.
struct GenreMatcher {
    private let bytes: [UInt8]
    /// `bytes[starts[g]..<starts[g + 1]]` is name `g`.
    private let starts: [Int]

    init(_ vocabulary: [String]) {
        var bytes: [UInt8] = [], starts = [0]
        for name in vocabulary.prefix(32) {
            bytes.append(contentsOf: name.utf8)
            starts.append(bytes.count)
        }
        self.bytes = bytes
        self.starts = starts
    }

    /// Index of the first name equal to `name` (bytewise), or nil.
    @inline(__always)
    func index(of name: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = name.count
        return bytes.withUnsafeBufferPointer { all -> Int? in
            for g in 0..<(starts.count - 1) where starts[g + 1] - starts[g] == n {
                let s = starts[g]
                var i = 0
                while i < n && all[s + i] == name[i] { i += 1 }
                if i == n { return g }
            }
            return nil
        }
    }

    /// `GenreField.fast` on the UTF-8 bytes of a genre list: `Name|Name|…` without spaces or
    /// commas, at least one name, each one of the first 32 names; nil otherwise.
    func fast(_ b: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var bits: UInt32 = 0
        var any = false
        var start = 0
        for i in 0...b.count {
            if i == b.count || b[i] == 124 {
                if i > start {
                    guard let g = index(of: UnsafeBufferPointer(rebasing: b[start..<i])) else { return nil }
                    bits |= 1 << UInt32(g)
                    any = true
                }
                start = i + 1
            } else if b[i] == 44 || b[i] == 32 {
                return nil
            }
        }
        return any ? bits : nil
    }
}
