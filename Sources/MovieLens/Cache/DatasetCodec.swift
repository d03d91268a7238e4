import Foundation
import Runtime

/// Converts a `LoadResult` to the cache's sections and back. Each rating column has its own
/// section (they dominate the size and are decoded in parallel); the other column groups share
/// one section each; the cleaning report is small (`ReportCodec`).
enum DatasetCodec {
    static func sections(of result: LoadResult) throws -> [(name: String, payload: Data)] {
        let d = result.dataset
        func section(_ body: (inout BinaryWriter) -> Void) -> Data {
            var w = BinaryWriter()
            body(&w)
            return w.data
        }
        let report = ReportCodec.encode(result.report)
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

    /// Bytes of a chunk checksummed and then decoded together, while they are in the core's cache
    /// (a multiple of `ChunkHash.Stream.blockSize`).
    static let pieceSize = 256 << 10
    /// Rows per task when filling run-length encoded columns.
    static let fillBlock = 1 << 20

    /// Verifies and decodes a mapped cache body (not checked beforehand) on `threads` threads,
    /// in one parallel pass with no serial phase over the bulk data: each task takes one
    /// `CacheFile.chunkSize` chunk of the body, populates its pages, and a `pieceSize` piece at
    /// a time checksums the piece and then widens the rating rows encoded in it straight into the
    /// final arrays (the piece is still in the core's cache, and the output pages are first
    /// touched on every thread); other tasks fill run-length encoded columns and decode the small
    /// sections. Tasks are handed out dynamically. Nothing is returned unless every chunk's
    /// checksum matches (`checksumMismatch` names the section of the first damaged chunk) and the
    /// decoded `Dataset` validates, so a decodable-but-inconsistent file is rejected, not trusted.
    /// Damaged bytes decoded before their chunk was checked cannot trap (see `IntColumnPlan`).
    static func decode(_ body: UnsafeRawBufferPointer, header: CacheHeader, threads: Int) throws -> LoadResult {
        let chunks = CacheFile.chunkRanges(body.count)
        guard header.bodyLength == body.count, header.chunkChecksums.count == chunks.count else {
            throw BinaryFormatError.invalid("the body is \(body.count) bytes in \(chunks.count) chunks, the header describes \(header.bodyLength) bytes and \(header.chunkChecksums.count) checksums")
        }
        func reader(_ name: String, threads: Int = 1) throws -> ColumnReader {
            guard let r = header.sections[name] else { throw BinaryFormatError.invalid("section \(name) is missing") }
            return ColumnReader(UnsafeRawBufferPointer(rebasing: body[r]), section: name, maxCount: body.count, threads: threads)
        }
        func finish(_ r: ColumnReader) throws {
            guard r.remaining == 0 else { throw BinaryFormatError.invalid("\(r.remaining) unread bytes in section \(r.section)") }
        }
        /// A section's plan, its bytes, and where its bytes start in the body.
        func locate<P>(_ name: String, _ make: (inout ColumnReader) throws -> P) throws -> (plan: P, bytes: UnsafeRawBufferPointer, at: Int) {
            var r = try reader(name)
            let plan = try make(&r)
            try finish(r)
            return (plan, r.bytes, header.sections[name]?.lowerBound ?? 0)
        }

        // 1. Locate the rating columns: their headers and run tables only (a few KB).
        let user = try locate("ratings.user") { try $0.planInts(Int32.self, "ratingUser") }
        let movie = try locate("ratings.movie") { try $0.planInts(Int32.self, "ratingMovie") }
        let time = try locate("ratings.time") { try $0.planInts(Int64.self, "ratingTime") }
        let value = try locate("ratings.value") { try $0.planFloats("ratingValue") }
        // The value column takes at least a byte per row, so `n` is bounded by the file's size.
        let n = value.plan.count
        guard user.plan.count == n, movie.plan.count == n, time.plan.count == n else {
            throw BinaryFormatError.invalid("rating columns have different lengths")
        }

        // 2. The small sections, one task each; each writes only its own variables.
        var userIds: [Int64] = [], movieIds: [Int64] = []
        var titles: [String] = [], years: [Int16] = [], genres: [UInt32] = [], genreNames: [String] = []
        var gender: [UInt8] = [], age: [Int16] = [], occupation: [Int16] = [], zip: [String] = []
        var tagText: [String] = [], tagUser: [Int32] = [], tagMovie: [Int32] = [], tagTime: [Int64] = []
        var imdb: [Int64] = [], tmdb: [Int64] = []
        var report: CleaningReport?
        let small: [() throws -> Void] = [
            {
                var r = try reader("tags")
                tagText = try r.strings("tagText")
                tagUser = try r.ints(Int32.self, "tagUser")
                tagMovie = try r.ints(Int32.self, "tagMovie")
                tagTime = try r.ints(Int64.self, "tagTime")
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
                guard let range = header.sections["report"] else { throw BinaryFormatError.invalid("section report is missing") }
                report = try ReportCodec.decode(UnsafeRawBufferPointer(rebasing: body[range]))
            },
            {
                var r = try reader("ids")
                userIds = try r.ints(Int64.self, "userIds")
                movieIds = try r.ints(Int64.self, "movieIds")
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
        ]

        // 3. Tasks: the small sections, then the body's chunks, then run fills.
        enum Column { case user, movie, time }
        func fills<T>(_ column: Column, _ plan: IntColumnPlan<T>) -> [(Column, Range<Int>)] {
            guard case .runs = plan.encoding else { return [] }
            return splitRange(n, parts: max(1, (n + fillBlock - 1) / fillBlock)).map { (column, $0) }
        }
        let fillTasks = fills(.user, user.plan) + fills(.movie, movie.plan) + fills(.time, time.plan)
        let taskCount = small.count + chunks.count + fillTasks.count
        var errors = [Error?](repeating: nil, count: small.count)
        var damaged = [Bool](repeating: false, count: chunks.count)
        // Smallest and largest user and movie index written by each task (for validate).
        var bounds = [(user: (lo: Int32, hi: Int32), movie: (lo: Int32, hi: Int32))](
            repeating: ((.max, .min), (.max, .min)), count: taskCount)

        var ratingUser: [Int32] = [], ratingMovie: [Int32] = [], ratingValue: [Float] = [], ratingTime: [Int64] = []
        ratingUser = [Int32](unsafeUninitializedCapacity: n) { userOut, userCount in
        ratingMovie = [Int32](unsafeUninitializedCapacity: n) { movieOut, movieCount in
        ratingTime = [Int64](unsafeUninitializedCapacity: n) { timeOut, timeCount in
        ratingValue = [Float](unsafeUninitializedCapacity: n) { valueOut, valueCount in
            HugePages.advise(userOut)
            HugePages.advise(movieOut)
            HugePages.advise(timeOut)
            HugePages.advise(valueOut)
            if let u = userOut.baseAddress, let m = movieOut.baseAddress, let t = timeOut.baseAddress, let v = valueOut.baseAddress {
                let out = UnsafeSendable((u, m, t, v))
                /// The rows of a payload at body offset `p` whose first byte lies in `r`.
                func rows(at p: Int, bytesPerRow w: Int, in r: Range<Int>) -> Range<Int> {
                    guard w > 0 else { return 0..<0 }
                    let lo = max(r.lowerBound, p), hi = min(r.upperBound, p + n * w)
                    guard lo < hi else { return 0..<0 }
                    return ((lo - p + w - 1) / w)..<((hi - p + w - 1) / w)
                }
                let crcs = header.chunkChecksums
                errors.withUnsafeMutableBufferPointer { errorSlots in
                damaged.withUnsafeMutableBufferPointer { damageSlots in
                bounds.withUnsafeMutableBufferPointer { boundSlots in
                    let slots = UnsafeSendable((errorSlots, damageSlots, boundSlots))
                    DynamicTasks.run(taskCount, threads: threads) { task in
                        let (u, m, t, v) = out.value
                        var userBounds: (lo: Int32, hi: Int32) = (.max, .min), movieBounds: (lo: Int32, hi: Int32) = (.max, .min)
                        if task < small.count {
                            do { try small[task]() } catch { slots.value.0[task] = error }
                        } else if task < small.count + chunks.count {
                            let c = task - small.count
                            let chunk = chunks[c]
                            Prefault.read(body.baseAddress, chunk)
                            var hash = ChunkHash.Stream()
                            var x = chunk.lowerBound
                            while x < chunk.upperBound {
                                let y = min(chunk.upperBound, x + pieceSize)
                                let whole = x + (y - x) / ChunkHash.Stream.blockSize * ChunkHash.Stream.blockSize
                                hash.absorb(UnsafeRawBufferPointer(rebasing: body[x..<whole]))
                                if y == chunk.upperBound {
                                    slots.value.1[c] = hash.finish(tail: UnsafeRawBufferPointer(rebasing: body[whole..<y])) != crcs[c]
                                }
                                let piece = x..<y
                                let ur = user.plan.decode(rows(at: user.at + user.plan.payload, bytesPerRow: user.plan.bytesPerRow, in: piece), from: user.bytes, into: u)
                                let mr = movie.plan.decode(rows(at: movie.at + movie.plan.payload, bytesPerRow: movie.plan.bytesPerRow, in: piece), from: movie.bytes, into: m)
                                _ = time.plan.decode(rows(at: time.at + time.plan.payload, bytesPerRow: time.plan.bytesPerRow, in: piece), from: time.bytes, into: t)
                                value.plan.decode(rows(at: value.at + value.plan.payload, bytesPerRow: value.plan.bytesPerRow, in: piece), from: value.bytes, into: v)
                                userBounds = (min(userBounds.lo, ur.lo), max(userBounds.hi, ur.hi))
                                movieBounds = (min(movieBounds.lo, mr.lo), max(movieBounds.hi, mr.hi))
                                x = y
                            }
                        } else {
                            let (column, rows) = fillTasks[task - small.count - chunks.count]
                            switch column {
                            case .user: userBounds = user.plan.decode(rows, from: user.bytes, into: u)
                            case .movie: movieBounds = movie.plan.decode(rows, from: movie.bytes, into: m)
                            case .time: _ = time.plan.decode(rows, from: time.bytes, into: t)
                            }
                        }
                        slots.value.2[task] = (userBounds, movieBounds)
                    }
                }
                }
                }
            }
            valueCount = n
        }
            timeCount = n
        }
            movieCount = n
        }
            userCount = n
        }

        if let c = damaged.firstIndex(of: true) {
            let section = header.sections.first { $0.value.overlaps(chunks[c]) }?.key ?? "body"
            throw BinaryFormatError.checksumMismatch(section: "\(section) (body bytes \(chunks[c].lowerBound)…)")
        }
        if let error = errors.compactMap({ $0 }).first { throw error }
        guard let report else { throw BinaryFormatError.invalid("section report is missing") }
        guard report.format == header.format else {
            throw BinaryFormatError.invalid("report format \(report.format) differs from header format \(header.format)")
        }
        let userBounds = n == 0 ? (Int64.max, Int64.min)
            : (Int64(bounds.map(\.user.lo).min() ?? .max), Int64(bounds.map(\.user.hi).max() ?? .min))
        let movieBounds = n == 0 ? (Int64.max, Int64.min)
            : (Int64(bounds.map(\.movie.lo).min() ?? .max), Int64(bounds.map(\.movie.hi).max() ?? .min))

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
