import Foundation
import Runtime

/// Converts a `LoadResult` to the cache's sections and back. Each rating column has its own
/// section (they dominate the size and are decoded in parallel); the other column groups share
/// one section each; the cleaning report is small and stored as JSON.
enum DatasetCodec {
    static func sections(of result: LoadResult) throws -> [(name: String, payload: Data)] {
        let d = result.dataset
        func section(_ body: (inout BinaryWriter) -> Void) -> Data {
            var w = BinaryWriter()
            body(&w)
            return w.data
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let report: Data
        do { report = try encoder.encode(result.report) } catch {
            throw BinaryFormatError.invalid("cannot encode the cleaning report: \(error)")
        }
        return [
            ("ids", section { ColumnCodec.write(ints: d.userIds, to: &$0); ColumnCodec.write(ints: d.movieIds, to: &$0) }),
            ("ratings.value", section { ColumnCodec.write(floats: d.ratingValue, to: &$0) }),
            ("ratings.user", section { ColumnCodec.write(ints: d.ratingUser, to: &$0) }),
            ("ratings.movie", section { ColumnCodec.write(ints: d.ratingMovie, to: &$0) }),
            ("ratings.time", section { ColumnCodec.write(ints: d.ratingTime, to: &$0) }),
            ("movies", section {
                ColumnCodec.write(strings: d.titles, to: &$0)
                ColumnCodec.write(ints: d.years, to: &$0)
                ColumnCodec.write(ints: d.genres, to: &$0)
                ColumnCodec.write(strings: d.genreNames, to: &$0)
            }),
            ("users", section {
                ColumnCodec.write(ints: d.userGender, to: &$0)
                ColumnCodec.write(ints: d.userAge, to: &$0)
                ColumnCodec.write(ints: d.userOccupation, to: &$0)
                ColumnCodec.write(strings: d.userZip, to: &$0)
            }),
            ("tags", section {
                ColumnCodec.write(strings: d.tagText, to: &$0)
                ColumnCodec.write(ints: d.tagUser, to: &$0)
                ColumnCodec.write(ints: d.tagMovie, to: &$0)
                ColumnCodec.write(ints: d.tagTime, to: &$0)
            }),
            ("links", section { ColumnCodec.write(ints: d.imdbIds, to: &$0); ColumnCodec.write(ints: d.tmdbIds, to: &$0) }),
            ("report", report),
        ]
    }

    /// Decodes a checked cache body on `threads` threads. The result is validated
    /// (`Dataset.validate()`), so a decodable-but-inconsistent file is rejected, not trusted.
    static func decode(_ body: UnsafeRawBufferPointer, header: CacheHeader, threads: Int) throws -> LoadResult {
        func reader(_ name: String, threads: Int = 1) throws -> ColumnReader {
            guard let r = header.sections[name] else { throw BinaryFormatError.invalid("section \(name) is missing") }
            return ColumnReader(UnsafeRawBufferPointer(rebasing: body[r]), section: name, maxCount: body.count, threads: threads)
        }
        func finish(_ r: ColumnReader) throws {
            guard r.remaining == 0 else { throw BinaryFormatError.invalid("\(r.remaining) unread bytes in section \(r.section)") }
        }
        var userIds: [Int64] = [], movieIds: [Int64] = []
        var ratingValue: [Float] = [], ratingUser: [Int32] = [], ratingMovie: [Int32] = [], ratingTime: [Int64] = []
        var titles: [String] = [], years: [Int16] = [], genres: [UInt32] = [], genreNames: [String] = []
        var gender: [UInt8] = [], age: [Int16] = [], occupation: [Int16] = [], zip: [String] = []
        var tagText: [String] = [], tagUser: [Int32] = [], tagMovie: [Int32] = [], tagTime: [Int64] = []
        var imdb: [Int64] = [], tmdb: [Int64] = []
        var report: CleaningReport?
        // Smallest and largest rating user and movie index, noted while decoding (for validate).
        var userBounds = (Int64.max, Int64.min), movieBounds = (Int64.max, Int64.min)

        // The four rating columns (almost all of the bytes) are decoded one after the other,
        // each on all threads; then the small sections, one per thread.
        // Each task writes only its own variables and its own error slot.
        let wide = 4
        let tasks: [() throws -> Void] = [
            { var r = try reader("ratings.user", threads: threads); (ratingUser, userBounds) = try r.intsWithBounds(Int32.self, "ratingUser"); try finish(r) },
            { var r = try reader("ratings.time", threads: threads); ratingTime = try r.ints(Int64.self, "ratingTime"); try finish(r) },
            { var r = try reader("ratings.movie", threads: threads); (ratingMovie, movieBounds) = try r.intsWithBounds(Int32.self, "ratingMovie"); try finish(r) },
            { var r = try reader("ratings.value", threads: threads); ratingValue = try r.floats("ratingValue"); try finish(r) },
            {
                var r = try reader("tags")
                tagText = try r.strings("tagText")
                tagUser = try r.ints(Int32.self, "tagUser")
                tagMovie = try r.ints(Int32.self, "tagMovie")
                tagTime = try r.ints(Int64.self, "tagTime")
                try finish(r)
            },
            {
                var r = try reader("ids")
                userIds = try r.ints(Int64.self, "userIds")
                movieIds = try r.ints(Int64.self, "movieIds")
                try finish(r)
            },
            {
                var r = try reader("movies")
                titles = try r.strings("titles")
                years = try r.ints(Int16.self, "years")
                genres = try r.ints(UInt32.self, "genres")
                genreNames = try r.strings("genreNames")
                try finish(r)
            },
            {
                var r = try reader("users")
                gender = try r.ints(UInt8.self, "userGender")
                age = try r.ints(Int16.self, "userAge")
                occupation = try r.ints(Int16.self, "userOccupation")
                zip = try r.strings("userZip")
                try finish(r)
            },
            {
                var r = try reader("links")
                imdb = try r.ints(Int64.self, "imdbIds")
                tmdb = try r.ints(Int64.self, "tmdbIds")
                try finish(r)
            },
            {
                guard let range = header.sections["report"] else { throw BinaryFormatError.invalid("section report is missing") }
                do {
                    report = try JSONDecoder().decode(CleaningReport.self, from: Data(UnsafeRawBufferPointer(rebasing: body[range])))
                } catch {
                    throw BinaryFormatError.invalid("cleaning report does not decode: \(error)")
                }
            },
        ]
        var errors = [Error?](repeating: nil, count: tasks.count)
        for i in 0..<wide {
            do { try tasks[i]() } catch { errors[i] = error }
        }
        errors.withUnsafeMutableBufferPointer { slots in
            let out = UnsafeSendable(slots)
            parallelFor(chunks: tasks.count - wide, threads: threads) { i in
                do { try tasks[wide + i]() } catch { out.value[wide + i] = error }
            }
        }
        if let error = errors.compactMap({ $0 }).first { throw error }
        guard let report else { throw BinaryFormatError.invalid("section report is missing") }
        guard report.format == header.format else {
            throw BinaryFormatError.invalid("report format \(report.format) differs from header format \(header.format)")
        }

        let dataset = Dataset(
            format: header.format, userIds: userIds, movieIds: movieIds,
            ratingUser: ratingUser, ratingMovie: ratingMovie, ratingValue: ratingValue, ratingTime: ratingTime,
            titles: titles, years: years, genres: genres, genreNames: genreNames,
            userGender: gender, userAge: age, userOccupation: occupation, userZip: zip,
            tagUser: tagUser, tagMovie: tagMovie, tagText: tagText, tagTime: tagTime,
            imdbIds: imdb, tmdbIds: tmdb
        )
        do { try dataset.validate(threads: threads, ratingBounds: (userBounds, movieBounds)) } catch {
            throw BinaryFormatError.invalid("cached dataset is inconsistent: \(error)")
        }
        return LoadResult(dataset: dataset, report: report)
    }
}
