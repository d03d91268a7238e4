import Runtime
/// Loads any MovieLens release directory into a cleaned `Dataset` and a `CleaningReport`.
///
/// ```swift
/// let result = try MovieLensReader.load(directory: "data/ml-latest-small")
/// print(result.dataset.ratingCount, result.report.files["ratings"]?.dropped ?? [:])
/// ```
///
/// Row-level defects never throw: each row is kept, repaired or dropped by the rules in
/// `Cleaning.md` and counted in the report. Loading throws `MovieLensError` only when the
/// directory is not a MovieLens release, a needed file is unreadable or empty, a CSV header is
/// wrong, or a file has no usable row at all.
public enum MovieLensReader {
    /// Reads the release in `directory`. `format` overrides detection; `threads` (default:
    /// `Threads.defaultCount`) parallelises the ratings parse — the result is the same for any
    /// thread count.
    public static func load(directory: String, format: DataFormat? = nil, threads: Int? = nil) throws -> LoadResult {
        guard FileBytes.isDirectory(directory) else { throw MovieLensError.notADirectory(path: directory) }
        let dir = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let format = try format ?? FormatDetection.detect(directory: dir)
        let layout = ReleaseLayout.layout(for: format, directory: dir)
        let threads = Threads.resolve(threads)
        func path(_ name: String) -> String { dir + "/" + name }
        func optional(_ name: String?) -> String? { name.flatMap { FileBytes.exists(path($0)) ? path($0) : nil } }

        var files: [String: FileReport] = [:]

        // Movies (and the ml-100k genre vocabulary).
        var vocabulary = layout.genreVocabulary
        if format == .ml100k, let genrePath = optional("u.genre"), let parsed = try? ML100KMetadata.genres(FileBytes.read(genrePath)) {
            vocabulary = parsed
        }
        var movies: RawMovies?
        if let moviesPath = optional(layout.moviesFile), let name = layout.moviesFile {
            let bytes = try FileBytes.read(moviesPath)
            let (raw, report) = try bytes.withUnsafeBufferPointer { b -> (RawMovies, FileReport) in
                let start = try dataStart(b, path: moviesPath, header: layout.header ? "movieId,title,genres" : nil)
                return MoviesParser.parse(b, from: start.offset, firstLine: start.line, layout: layout, file: name, vocabulary: vocabulary)
            }
            try requireUsable(report, path: moviesPath)
            movies = raw
            files["movies"] = report
        }

        // Users.
        var users: RawUsers?
        if let usersPath = optional(layout.usersFile), let name = layout.usersFile {
            var occupations = UsersParser.ml100kOccupations
            if format == .ml100k, let occPath = optional("u.occupation"), let parsed = try? ML100KMetadata.occupations(FileBytes.read(occPath)) {
                occupations = parsed
            }
            let bytes = try FileBytes.read(usersPath)
            let (raw, report) = bytes.withUnsafeBufferPointer { UsersParser.parse($0, layout: layout, file: name, occupations: occupations) }
            try requireUsable(report, path: usersPath)
            users = raw
            files["users"] = report
        }

        // Ratings (required).
        let ratingsPath = path(layout.ratingsFile)
        var (ratings, ratingsReport) = try parseRatings(ratingsPath, layout: layout, threads: threads)

        // Tags and links, checked against the known ids.
        let knownUsers = users.map { IdSet($0.ids) }
        let knownMovies = movies.map { IdSet($0.ids) }
        var tags: RawTags?
        if let tagsPath = optional(layout.tagsFile), let name = layout.tagsFile {
            let bytes = try FileBytes.read(tagsPath)
            let (raw, report) = try bytes.withUnsafeBufferPointer { b -> (RawTags, FileReport) in
                let start = try dataStart(b, path: tagsPath, header: layout.header ? "userId,movieId,tag,timestamp" : nil)
                return TagsParser.parseTags(b, from: start.offset, firstLine: start.line, layout: layout, file: name,
                                            knownUsers: knownUsers, knownMovies: knownMovies)
            }
            tags = raw
            files["tags"] = report
        }
        var links: RawLinks?
        if let linksPath = optional(layout.linksFile), let name = layout.linksFile {
            let bytes = try FileBytes.read(linksPath)
            let (raw, report) = try bytes.withUnsafeBufferPointer { b -> (RawLinks, FileReport) in
                let start = try dataStart(b, path: linksPath, header: layout.header ? "movieId,imdbId,tmdbId" : nil)
                return TagsParser.parseLinks(b, from: start.offset, firstLine: start.line, layout: layout, file: name,
                                             knownMovies: knownMovies)
            }
            links = raw
            files["links"] = report
        }

        let assembler = DatasetAssembler(layout: layout, threads: threads)
        let dataset = assembler.assemble(ratings: &ratings, ratingsReport: &ratingsReport, movies: movies, users: users,
                                         tags: tags, links: links, genreNames: vocabulary)
        ratings = RawRatings()
        try requireUsable(ratingsReport, path: ratingsPath)
        files["ratings"] = ratingsReport
        return LoadResult(dataset: dataset, report: CleaningReport(format: format, directory: dir, files: files))
    }

    /// Reads only the ratings file of the release in `directory` and cleans it as `load` does,
    /// except for the rules that need the other files: every row is validated (the same reasons
    /// and line numbers as `load`), ids become dense indices and duplicate (user, movie) pairs are
    /// removed. The users and movies are those that rated (no `unknown user/movie id` drops);
    /// movies have no titles, years or genres, and there are no demographics, tags or links. The
    /// report has only `ratings`.
    ///
    /// This is the work `pandas.read_csv("ratings.csv")` is compared with in the parse benchmark.
    public static func loadRatings(directory: String, format: DataFormat? = nil, threads: Int? = nil) throws -> LoadResult {
        guard FileBytes.isDirectory(directory) else { throw MovieLensError.notADirectory(path: directory) }
        let dir = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let format = try format ?? FormatDetection.detect(directory: dir)
        let layout = ReleaseLayout.layout(for: format, directory: dir)
        let threads = Threads.resolve(threads)
        let ratingsPath = dir + "/" + layout.ratingsFile
        var (ratings, report) = try parseRatings(ratingsPath, layout: layout, threads: threads)
        let dataset = DatasetAssembler(layout: layout, threads: threads)
            .assemble(ratings: &ratings, ratingsReport: &report, movies: nil, users: nil, tags: nil, links: nil,
                      genreNames: layout.genreVocabulary)
        try requireUsable(report, path: ratingsPath)
        return LoadResult(dataset: dataset, report: CleaningReport(format: format, directory: dir, files: ["ratings": report]))
    }

    /// Parses a ratings file (memory-mapped when large); throws when it is missing or has no line.
    static func parseRatings(_ ratingsPath: String, layout: ReleaseLayout, threads: Int) throws -> (RawRatings, FileReport) {
        guard FileBytes.exists(ratingsPath) else { throw MovieLensError.missingFile(path: ratingsPath) }
        let file = try MappedFile(ratingsPath)
        let (ratings, report) = try file.withBytes { b -> (RawRatings, FileReport) in
            let start = try dataStart(b, path: ratingsPath, header: layout.header ? "userId,movieId,rating,timestamp" : nil)
            return RatingsParser.parse(b, from: start.offset, firstLine: start.line, layout: layout, threads: threads,
                                       prefault: file.isMapped)
        }
        guard report.read > 0 else { throw MovieLensError.emptyFile(path: ratingsPath) }
        return (ratings, report)
    }

    /// Where the data rows start: after a UTF-8 byte-order mark and, for CSV files, after the
    /// header line, which must name the expected columns.
    static func dataStart(_ b: UnsafeBufferPointer<UInt8>, path: String, header: String?) throws -> (offset: Int, line: Int) {
        var start = 0
        if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { start = 3 }
        guard let header, start < b.count else { return (start, 1) }  // an empty file has no rows
        var end = start
        while end < b.count && b[end] != 10 { end += 1 }
        var lineEnd = end
        if lineEnd > start && b[lineEnd - 1] == 13 { lineEnd -= 1 }
        let shown = UnsafeBufferPointer(rebasing: b[start..<min(lineEnd, start + 200)])
        let found = String(decoding: shown, as: UTF8.self).replacingOccurrences(of: " ", with: "")
        guard found.lowercased() == header.lowercased() else {
            let printable = String(String.UnicodeScalarView(shown.map { $0 >= 32 && $0 < 127 ? Unicode.Scalar($0) : "?" }))
            throw MovieLensError.notMovieLens(path: path, line: 1, reason: "header is \"\(printable)\", expected \"\(header)\"")
        }
        return (min(end + 1, b.count), 2)
    }

    /// Throws when a non-empty file kept no row at all, naming its first dropped line.
    static func requireUsable(_ report: FileReport, path: String) throws {
        guard report.read > 0, report.kept + report.repairedRows == 0 else { return }
        var first: (line: Int, reason: String) = (Int.max, "")
        for (reason, lines) in report.examples {
            if let l = lines.min(), l < first.line, report.dropped[reason] != nil { first = (l, reason) }
        }
        throw MovieLensError.noUsableRows(path: path, line: first.line == Int.max ? 1 : first.line, reason: first.reason)
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
