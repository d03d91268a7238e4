import Foundation
import Runtime

/// Converts a `LoadResult` to the cache's sections and back. The four rating columns are stored
/// raw, each in its own page-aligned section, and a decoded dataset's rating columns are views
/// of the mapped file (no copy); the other column groups share one compact section each
/// (`ColumnCodec`); the cleaning report is small (`ReportCodec`).
enum DatasetCodec {
    static func sections(of result: LoadResult) throws -> [CacheSection] {
        let d = result.dataset
        func section(_ name: String, _ body: (inout BinaryWriter) -> Void) -> CacheSection {
            var w = BinaryWriter()
            body(&w)
            return CacheSection(name, w.data)
        }
        let report = ReportCodec.encode(result.report)
        return [
            section("ids") { ColumnCodec.write(ints: d.userIds, to: &$0); ColumnCodec.write(ints: d.movieIds, to: &$0) },
            section("movies") {
                ColumnCodec.write(strings: d.titles, to: &$0)
                ColumnCodec.write(ints: d.years, to: &$0)
                ColumnCodec.write(ints: d.genres, to: &$0)
                ColumnCodec.write(strings: d.genreNames, to: &$0)
            },
            section("users") {
                ColumnCodec.write(ints: d.userGender, to: &$0)
                ColumnCodec.write(ints: d.userAge, to: &$0)
                ColumnCodec.write(ints: d.userOccupation, to: &$0)
                ColumnCodec.write(strings: d.userZip, to: &$0)
            },
            section("tags") {
                ColumnCodec.write(strings: d.tagText, to: &$0)
                ColumnCodec.write(ints: d.tagUser, to: &$0)
                ColumnCodec.write(ints: d.tagMovie, to: &$0)
                ColumnCodec.write(ints: d.tagTime, to: &$0)
            },
            section("links") { ColumnCodec.write(ints: d.imdbIds, to: &$0); ColumnCodec.write(ints: d.tmdbIds, to: &$0) },
            CacheSection("report", report),
            CacheSection(raw: "ratings.user", d.ratingUser),
            CacheSection(raw: "ratings.movie", d.ratingMovie),
            CacheSection(raw: "ratings.value", d.ratingValue),
            CacheSection(raw: "ratings.time", d.ratingTime),
        ]
    }

    /// Bytes of a chunk checksummed and then scanned together, while they are in the core's
    /// cache (a multiple of `ChunkHash.Stream.blockSize`).
    static let pieceSize = 256 << 10

    /// A raw rating column's section: where it starts in the body and its row count.
    private struct RawColumn {
        let at: Int
        let stride: Int
        /// The rows whose bytes start inside body range `r`.
        func rows(in r: Range<Int>, count n: Int) -> Range<Int> {
            let lo = max(r.lowerBound, at), hi = min(r.upperBound, at + n * stride)
            guard lo < hi else { return 0..<0 }
            return ((lo - at + stride - 1) / stride)..<((hi - at + stride - 1) / stride)
        }
    }

    /// Verifies a mapped cache body (not checked beforehand) on `threads` threads and returns its
    /// `LoadResult`, whose rating columns are views of the mapping. One parallel pass with no
    /// serial phase over the bulk data: each task takes one `CacheFile.chunkSize` chunk of the
    /// body, populates its pages (`Prefault`), and a `pieceSize` piece at a time checksums the
    /// piece and scans the rating rows stored in it for what `Dataset.validate` checks (smallest
    /// and largest user and movie index, non-finite values) while the piece is in the core's
    /// cache; other tasks decode the small sections. Tasks are handed out dynamically. Nothing is
    /// returned unless every chunk's checksum matches (`checksumMismatch` names the section of
    /// the first damaged chunk) and the `Dataset` validates, so a checksummed-but-inconsistent
    /// file is rejected, not trusted. On big-endian hosts the rating columns are converted into
    /// owned arrays instead of mapped.
    static func decode(_ mapped: MappedBody, header: CacheHeader, threads: Int) throws -> LoadResult {
        let body = mapped.body
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

        // 1. Locate the raw rating columns: one row per `stride` bytes, all of the same length.
        let value = header.sections["ratings.value"] ?? 0..<0
        let n = value.count / MemoryLayout<Float>.stride
        func raw<T>(_ name: String, _: T.Type) throws -> RawColumn {
            guard let r = header.sections[name] else { throw BinaryFormatError.invalid("section \(name) is missing") }
            guard r.count == n * MemoryLayout<T>.stride else {
                throw BinaryFormatError.invalid("section \(name) is \(r.count) bytes, expected \(n) rows of \(MemoryLayout<T>.stride)")
            }
            guard (mapped.bodyOffset + r.lowerBound) % MemoryLayout<T>.alignment == 0 else {
                throw BinaryFormatError.invalid("section \(name) is not aligned")
            }
            return RawColumn(at: r.lowerBound, stride: MemoryLayout<T>.stride)
        }
        let user = try raw("ratings.user", Int32.self), movie = try raw("ratings.movie", Int32.self)
        let time = try raw("ratings.time", Int64.self), values = try raw("ratings.value", Float.self)

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

        // 3. Tasks: the small sections, then the body's chunks.
        let taskCount = small.count + chunks.count
        var errors = [Error?](repeating: nil, count: small.count)
        var damaged = [Bool](repeating: false, count: chunks.count)
        // What each task saw of the rating columns (for validate).
        var scans = [Dataset.RatingScan](repeating: .init(user: (.max, .min), movie: (.max, .min), nonFiniteValue: false), count: taskCount)
        let crcs = header.chunkChecksums
        errors.withUnsafeMutableBufferPointer { errorSlots in
        damaged.withUnsafeMutableBufferPointer { damageSlots in
        scans.withUnsafeMutableBufferPointer { scanSlots in
            let slots = UnsafeSendable((errorSlots, damageSlots, scanSlots))
            DynamicTasks.run(taskCount, threads: threads) { task in
                if task < small.count {
                    do { try small[task]() } catch { slots.value.0[task] = error }
                    return
                }
                let c = task - small.count
                let chunk = chunks[c]
                guard let start = body.baseAddress else { return }
                Prefault.read(start, chunk)
                var scan = Dataset.RatingScan(user: (.max, .min), movie: (.max, .min), nonFiniteValue: false)
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
                    let u = RatingScanner.bounds(start + user.at, user.rows(in: piece, count: n))
                    let m = RatingScanner.bounds(start + movie.at, movie.rows(in: piece, count: n))
                    let bad = RatingScanner.hasNonFinite(start + values.at, values.rows(in: piece, count: n))
                    scan.user = (min(scan.user.0, u.0), max(scan.user.1, u.1))
                    scan.movie = (min(scan.movie.0, m.0), max(scan.movie.1, m.1))
                    scan.nonFiniteValue = scan.nonFiniteValue || bad
                    x = y
                }
                slots.value.2[task] = scan
            }
        }
        }
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
        let scan = Dataset.RatingScan(
            user: (scans.map(\.user.0).min() ?? .max, scans.map(\.user.1).max() ?? .min),
            movie: (scans.map(\.movie.0).min() ?? .max, scans.map(\.movie.1).max() ?? .min),
            nonFiniteValue: scans.contains { $0.nonFiniteValue })

        // 4. The rating columns: views of the mapping (checked above), or converted copies.
        func column<T: BitwiseCopyable & Sendable>(_ name: String, _ c: RawColumn, fromLittleEndian: (T) -> T) throws -> Column<T> {
            guard n > 0, let mapping = mapped.mapping else { return Column() }
            #if _endian(little)
            guard let col = Column<T>(mapping: mapping, byteOffset: mapped.bodyOffset + c.at, count: n) else {
                throw BinaryFormatError.invalid("section \(name) cannot be mapped")
            }
            return col
            #else
            let p = UnsafeRawPointer(mapping.bytes.baseAddress!) + mapped.bodyOffset + c.at
            return Column((0..<n).map { fromLittleEndian(p.loadUnaligned(fromByteOffset: $0 * c.stride, as: T.self)) })
            #endif
        }
        let ratingUser = try column("ratings.user", user) { Int32(littleEndian: $0) }
        let ratingMovie = try column("ratings.movie", movie) { Int32(littleEndian: $0) }
        let ratingTime = try column("ratings.time", time) { Int64(littleEndian: $0) }
        let ratingValue = try column("ratings.value", values) { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }

        let dataset = Dataset(
            format: header.format, userIds: userIds, movieIds: movieIds,
            ratingUser: ratingUser, ratingMovie: ratingMovie, ratingValue: ratingValue, ratingTime: ratingTime,
            titles: titles, years: years, genres: genres, genreNames: genreNames,
            userGender: gender, userAge: age, userOccupation: occupation, userZip: zip,
            tagUser: tagUser, tagMovie: tagMovie, tagText: tagText, tagTime: tagTime,
            imdbIds: imdb, tmdbIds: tmdb
        )
        do { try dataset.validate(threads: threads, ratingScan: scan) } catch {
            throw BinaryFormatError.invalid("cached dataset is inconsistent: \(error)")
        }
        return LoadResult(dataset: dataset, report: report)
    }
}
