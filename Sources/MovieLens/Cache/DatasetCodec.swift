import Foundation
import Runtime

/// Converts a `LoadResult` to the cache's sections and back. Column groups get their own
/// sections so they are checksummed (and could be decoded) independently; the cleaning report
/// is small and stored as JSON.
enum DatasetCodec {
    static let sectionNames = ["ids", "ratings", "movies", "users", "tags", "links", "report"]

    static func sections(of result: LoadResult) throws -> [(name: String, payload: Data)] {
        let d = result.dataset
        var ids = BinaryWriter()
        ColumnCodec.write(ints: d.userIds, to: &ids)
        ColumnCodec.write(ints: d.movieIds, to: &ids)

        var ratings = BinaryWriter()
        ColumnCodec.write(floats: d.ratingValue, to: &ratings)
        ColumnCodec.write(ints: d.ratingUser, to: &ratings)
        ColumnCodec.write(ints: d.ratingMovie, to: &ratings)
        ColumnCodec.write(ints: d.ratingTime, to: &ratings)

        var movies = BinaryWriter()
        ColumnCodec.write(strings: d.titles, to: &movies)
        ColumnCodec.write(ints: d.years, to: &movies)
        ColumnCodec.write(ints: d.genres, to: &movies)
        ColumnCodec.write(strings: d.genreNames, to: &movies)

        var users = BinaryWriter()
        ColumnCodec.write(ints: d.userGender, to: &users)
        ColumnCodec.write(ints: d.userAge, to: &users)
        ColumnCodec.write(ints: d.userOccupation, to: &users)
        ColumnCodec.write(strings: d.userZip, to: &users)

        var tags = BinaryWriter()
        ColumnCodec.write(strings: d.tagText, to: &tags)
        ColumnCodec.write(ints: d.tagUser, to: &tags)
        ColumnCodec.write(ints: d.tagMovie, to: &tags)
        ColumnCodec.write(ints: d.tagTime, to: &tags)

        var links = BinaryWriter()
        ColumnCodec.write(ints: d.imdbIds, to: &links)
        ColumnCodec.write(ints: d.tmdbIds, to: &links)

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let report: Data
        do { report = try encoder.encode(result.report) } catch {
            throw BinaryFormatError.invalid("cannot encode the cleaning report: \(error)")
        }
        return [("ids", ids.data), ("ratings", ratings.data), ("movies", movies.data), ("users", users.data),
                ("tags", tags.data), ("links", links.data), ("report", report)]
    }

    /// Decodes the sections of a parsed cache file. `format` comes from the checked header.
    /// The result is validated (`Dataset.validate()`), so a decodable-but-inconsistent file is
    /// rejected rather than trusted.
    static func decode(_ bytes: UnsafeRawBufferPointer, sections: [String: Range<Int>], format: DataFormat) throws -> LoadResult {
        func reader(_ name: String) throws -> ColumnReader {
            guard let r = sections[name] else { throw BinaryFormatError.invalid("section \(name) is missing") }
            return ColumnReader(UnsafeRawBufferPointer(rebasing: bytes[r]), section: name)
        }
        func finish(_ r: ColumnReader) throws {
            guard r.remaining == 0 else { throw BinaryFormatError.invalid("\(r.remaining) unread bytes in section \(r.section)") }
        }
        var ids = try reader("ids")
        let userIds = try ids.ints(Int64.self, "userIds")
        let movieIds = try ids.ints(Int64.self, "movieIds")
        try finish(ids)

        var ratings = try reader("ratings")
        let ratingValue = try ratings.floats("ratingValue")
        let ratingUser = try ratings.ints(Int32.self, "ratingUser")
        let ratingMovie = try ratings.ints(Int32.self, "ratingMovie")
        let ratingTime = try ratings.ints(Int64.self, "ratingTime")
        try finish(ratings)

        var movies = try reader("movies")
        let titles = try movies.strings("titles")
        let years = try movies.ints(Int16.self, "years")
        let genres = try movies.ints(UInt32.self, "genres")
        let genreNames = try movies.strings("genreNames")
        try finish(movies)

        var users = try reader("users")
        let gender = try users.ints(UInt8.self, "userGender")
        let age = try users.ints(Int16.self, "userAge")
        let occupation = try users.ints(Int16.self, "userOccupation")
        let zip = try users.strings("userZip")
        try finish(users)

        var tags = try reader("tags")
        let tagText = try tags.strings("tagText")
        let tagUser = try tags.ints(Int32.self, "tagUser")
        let tagMovie = try tags.ints(Int32.self, "tagMovie")
        let tagTime = try tags.ints(Int64.self, "tagTime")
        try finish(tags)

        var links = try reader("links")
        let imdb = try links.ints(Int64.self, "imdbIds")
        let tmdb = try links.ints(Int64.self, "tmdbIds")
        try finish(links)

        guard let reportRange = sections["report"] else { throw BinaryFormatError.invalid("section report is missing") }
        let report: CleaningReport
        do {
            report = try JSONDecoder().decode(CleaningReport.self, from: Data(UnsafeRawBufferPointer(rebasing: bytes[reportRange])))
        } catch {
            throw BinaryFormatError.invalid("cleaning report does not decode: \(error)")
        }
        guard report.format == format else { throw BinaryFormatError.invalid("report format \(report.format) differs from header format \(format)") }

        let dataset = Dataset(
            format: format, userIds: userIds, movieIds: movieIds,
            ratingUser: ratingUser, ratingMovie: ratingMovie, ratingValue: ratingValue, ratingTime: ratingTime,
            titles: titles, years: years, genres: genres, genreNames: genreNames,
            userGender: gender, userAge: age, userOccupation: occupation, userZip: zip,
            tagUser: tagUser, tagMovie: tagMovie, tagText: tagText, tagTime: tagTime,
            imdbIds: imdb, tmdbIds: tmdb
        )
        do { try dataset.validate() } catch {
            throw BinaryFormatError.invalid("cached dataset is inconsistent: \(error)")
        }
        return LoadResult(dataset: dataset, report: report)
    }
}
