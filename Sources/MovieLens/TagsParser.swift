/// Tag applications as parsed (original ids), in file order.
struct RawTags: Sendable {
    var user: [Int32] = []
    var movie: [Int32] = []
    var text: [String] = []
    var time: [Int64] = []
    var line: [Int] = []
}

/// Links as parsed: `movieId, imdbId, tmdbId` (ml-latest family), first row per movie kept.
struct RawLinks: Sendable {
    var movie: [Int64] = []
    var imdb: [Int64] = []
    var tmdb: [Int64] = []
    var line: [Int] = []
}

/// Reads `tags.csv` / `tags.dat` (`user, movie, tag, timestamp`) and `links.csv`.
enum TagsParser {
    /// Tags: bad ids → dropped; ids absent from users.dat / the movies file (when the release has
    /// one) → dropped `unknown user id` / `unknown movie id`; empty tag text → dropped `tag empty`; timestamp not a number →
    /// dropped; timestamp outside the window → dropped (same rule as ratings).
    static func parseTags(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, firstLine: Int, layout: ReleaseLayout,
                          file: String, knownUsers: IdSet?, knownMovies: IdSet?) -> (RawTags, FileReport) {
        var out = RawTags()
        var report = FileReport(file: file)
        var scan = RowScan(delimiter: layout.delimiter, quotes: layout.quotes, fields: 4...4)
        scan.run(bytes, start..<bytes.count, firstLine: firstLine, report: &report) { f, line, report in
            guard let u = ByteNumbers.int64(bytes, f[0].start, f[0].end), u > 0, u <= RatingsParser.maxId else { report.drop(.badUserId, at: line); return }
            guard let m = ByteNumbers.int64(bytes, f[1].start, f[1].end), m > 0, m <= RatingsParser.maxId else { report.drop(.badMovieId, at: line); return }
            if let knownUsers, !knownUsers.contains(u) { report.drop(.unknownUser, at: line); return }
            if let knownMovies, !knownMovies.contains(m) { report.drop(.unknownMovie, at: line); return }
            var badUTF8 = false
            let text = TextDecoding.string(bytes, f[2], latin1: layout.latin1, invalidUTF8: &badUTF8)
            guard !text.isEmpty else { report.drop(.tagEmpty, at: line); return }
            guard let t = ByteNumbers.int64(bytes, f[3].start, f[3].end) else { report.drop(.timestampMissing, at: line); return }
            guard layout.timeWindow.contains(t) else { report.drop(.timestampOutOfWindow, at: line); return }
            if badUTF8 { report.repair(.invalidUTF8, line: line.number) }
            out.user.append(Int32(truncatingIfNeeded: u)); out.movie.append(Int32(truncatingIfNeeded: m)); out.text.append(text); out.time.append(t); out.line.append(line.number)
            report.keep(repairs: badUTF8 ? 1 : 0)
        }
        return (out, report)
    }

    /// Links: bad movie id → dropped; duplicate movie id → dropped (first kept); a movie absent
    /// from the movies file → dropped `unknown movie id`; an empty or
    /// non-numeric imdb/tmdb id → that id becomes -1, repaired `link id missing`.
    static func parseLinks(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, firstLine: Int, layout: ReleaseLayout,
                           file: String, knownMovies: IdSet?) -> (RawLinks, FileReport) {
        var out = RawLinks()
        var report = FileReport(file: file)
        var seen = IdSet()
        var scan = RowScan(delimiter: layout.delimiter, quotes: layout.quotes, fields: 3...3)
        scan.run(bytes, start..<bytes.count, firstLine: firstLine, report: &report) { f, line, report in
            guard let m = ByteNumbers.int64(bytes, f[0].start, f[0].end), m > 0, m <= RatingsParser.maxId else { report.drop(.badMovieId, at: line); return }
            guard !seen.contains(m) else { report.drop(.duplicateMovieId, at: line); return }
            if let knownMovies, !knownMovies.contains(m) { report.drop(.unknownMovie, at: line); return }
            var repairs = 0
            var imdb: Int64 = -1, tmdb: Int64 = -1
            if let v = ByteNumbers.int64(bytes, f[1].start, f[1].end), v >= 0 { imdb = v } else { repairs += 1 }
            if let v = ByteNumbers.int64(bytes, f[2].start, f[2].end), v >= 0 { tmdb = v } else { repairs += 1 }
            if repairs > 0 { report.repair(.linkMissing, line: line.number) }
            seen.insert(m)
            out.movie.append(m); out.imdb.append(imdb); out.tmdb.append(tmdb); out.line.append(line.number)
            report.keep(repairs: repairs)
        }
        return (out, report)
    }
}
