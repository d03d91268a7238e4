import Runtime

/// One MovieLens release in memory, cleaned, in columnar form.
///
/// Users and movies are addressed by *dense indices* `0..<userCount` and `0..<movieCount`,
/// assigned in ascending order of the original ids (so the mapping is deterministic and
/// `userIds`/`movieIds` are strictly increasing). Every rating, tag and per-entity column refers
/// to those dense indices.
///
/// Column groups and their lengths (checked by `validate()`):
/// - ratings: `ratingUser`, `ratingMovie`, `ratingValue`, `ratingTime` — one entry per kept rating,
///   in the order of the input file after cleaning (duplicates removed).
/// - movies: `titles`, `years`, `genres` — `movieCount` entries each; `genres[m]` is a bitset
///   over `genreNames` (bit `g` set ⇔ the movie has genre `genreNames[g]`, at most 32 genres).
/// - users: `userGender`, `userAge`, `userOccupation`, `userZip` — `userCount` entries each, or
///   all empty when the format has no demographics.
/// - tags: `tagUser`, `tagMovie`, `tagText`, `tagTime` — one entry per kept tag application.
/// - links: `imdbIds`, `tmdbIds` — `movieCount` entries each (`-1` when missing), or empty.
public struct Dataset: Sendable, Equatable {
    /// The release format the data was read from.
    public var format: DataFormat
    /// Original id of dense user index `u` (strictly increasing).
    public var userIds: [Int64]
    /// Original id of dense movie index `m` (strictly increasing).
    public var movieIds: [Int64]

    // The four rating columns are `Column`s: owned arrays after a parse, views of the mapped
    // cache file (no copy) after a cached load; either way they read like arrays.

    /// Dense user index of each rating.
    public var ratingUser: Column<Int32>
    /// Dense movie index of each rating.
    public var ratingMovie: Column<Int32>
    /// Star value of each rating (0.5–5).
    public var ratingValue: Column<Float>
    /// Unix time (seconds, UTC) of each rating.
    public var ratingTime: Column<Int64>

    /// Title of each movie as written in the source (trimmed, e.g. `Toy Story (1995)`); `""` when missing.
    public var titles: [String]
    /// Release year parsed from the title; `0` = unknown.
    public var years: [Int16]
    /// Genre bitset of each movie over `genreNames`.
    public var genres: [UInt32]
    /// The genre vocabulary of the release (bit order of `genres`).
    public var genreNames: [String]

    /// Gender of each user: 0 missing, 1 M, 2 F. Empty when the format has no demographics.
    public var userGender: [UInt8]
    /// Age code of each user (ml-1m codes 1, 18, 25, …; ml-100k ages in years); -1 missing.
    public var userAge: [Int16]
    /// Occupation code of each user (0–20 in ml-1m; index into the ml-100k list); -1 missing.
    public var userOccupation: [Int16]
    /// Zip code of each user; `""` missing.
    public var userZip: [String]

    /// Dense user index of each tag application.
    public var tagUser: [Int32]
    /// Dense movie index of each tag application.
    public var tagMovie: [Int32]
    /// Text of each tag application.
    public var tagText: [String]
    /// Unix time of each tag application.
    public var tagTime: [Int64]

    /// IMDb id of each movie (ml-latest family), `-1` missing; empty when the release has no links.
    public var imdbIds: [Int64]
    /// TMDb id of each movie, `-1` missing; empty when the release has no links.
    public var tmdbIds: [Int64]

    /// Creates a dataset from its columns. Call `validate()` when the columns come from an
    /// untrusted source (a cache file, for instance).
    public init(
        format: DataFormat,
        userIds: [Int64], movieIds: [Int64],
        ratingUser: Column<Int32>, ratingMovie: Column<Int32>, ratingValue: Column<Float>, ratingTime: Column<Int64>,
        titles: [String], years: [Int16], genres: [UInt32], genreNames: [String],
        userGender: [UInt8] = [], userAge: [Int16] = [], userOccupation: [Int16] = [], userZip: [String] = [],
        tagUser: [Int32] = [], tagMovie: [Int32] = [], tagText: [String] = [], tagTime: [Int64] = [],
        imdbIds: [Int64] = [], tmdbIds: [Int64] = []
    ) {
        self.format = format
        self.userIds = userIds
        self.movieIds = movieIds
        self.ratingUser = ratingUser
        self.ratingMovie = ratingMovie
        self.ratingValue = ratingValue
        self.ratingTime = ratingTime
        self.titles = titles
        self.years = years
        self.genres = genres
        self.genreNames = genreNames
        self.userGender = userGender
        self.userAge = userAge
        self.userOccupation = userOccupation
        self.userZip = userZip
        self.tagUser = tagUser
        self.tagMovie = tagMovie
        self.tagText = tagText
        self.tagTime = tagTime
        self.imdbIds = imdbIds
        self.tmdbIds = tmdbIds
    }

    // MARK: counts

    /// Number of users (dense indices `0..<userCount`).
    public var userCount: Int { userIds.count }
    /// Number of movies (dense indices `0..<movieCount`).
    public var movieCount: Int { movieIds.count }
    /// Number of ratings.
    public var ratingCount: Int { ratingValue.count }
    /// Number of tag applications.
    public var tagCount: Int { tagText.count }
    /// Whether the release has user demographics (`users.dat` / `u.user`).
    public var hasDemographics: Bool { !userGender.isEmpty }
    /// Whether the release has IMDb/TMDb links.
    public var hasLinks: Bool { !imdbIds.isEmpty }

    // MARK: lookups

    /// Dense index of the user with original id `id`, or nil (binary search over `userIds`).
    public func userIndex(forId id: Int64) -> Int32? { Dataset.search(userIds, id) }

    /// Dense index of the movie with original id `id`, or nil (binary search over `movieIds`).
    public func movieIndex(forId id: Int64) -> Int32? { Dataset.search(movieIds, id) }

    /// Genre names of movie `m` (dense index), in vocabulary order.
    public func genreList(ofMovie m: Int) -> [String] {
        guard m >= 0, m < genres.count else { return [] }
        let bits = genres[m]
        return genreNames.indices.filter { $0 < 32 && bits & (1 << UInt32($0)) != 0 }.map { genreNames[$0] }
    }

    /// Bit index of genre `name` in `genres`, or nil when the release does not use it.
    public func genreBit(_ name: String) -> Int? { genreNames.firstIndex(of: name) }

    /// The smallest index of `a` when it is negative, else the largest when it is `>= count`,
    /// else nil. A min/max reduction (no early exit), which the compiler vectorises: checking a
    /// 25M-rating column is a fraction of a millisecond per million rows; long columns are
    /// split over `threads` threads.
    static func outOfRange(_ a: [Int32], _ count: Int, threads: Int = 1) -> Int32? {
        guard !a.isEmpty else { return nil }
        return outOfRange(bounds: IdIndex.minMax(a, threads: threads), count)
    }

    /// `outOfRange` of a column whose smallest and largest values are `bounds` (`lo > hi`: empty).
    static func outOfRange(bounds: (Int64, Int64), _ count: Int) -> Int32? {
        let (lo, hi) = bounds
        guard lo <= hi else { return nil }
        if lo < 0 { return Int32(truncatingIfNeeded: lo) }
        if hi >= Int64(count) { return Int32(truncatingIfNeeded: hi) }
        return nil
    }

    static func search(_ ids: [Int64], _ id: Int64) -> Int32? {
        var lo = 0, hi = ids.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ids[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < ids.count && ids[lo] == id ? Int32(lo) : nil
    }

    // MARK: integrity

    /// A stable checksum of every column (CRC-32C over the raw column bytes, strings as UTF-8
    /// each followed by a 0 byte, column groups separated by their lengths). Equal datasets have
    /// equal fingerprints on every run and machine of the same endianness.
    public var fingerprint: UInt32 {
        var c = CRC32C()
        func ints<T: FixedWidthInteger & BitwiseCopyable & Sendable>(_ a: [T]) { ints(Column(a)) }
        func ints<T: FixedWidthInteger & BitwiseCopyable & Sendable>(_ a: Column<T>) {
            var n = UInt64(a.count).littleEndian
            withUnsafeBytes(of: &n) { c.update($0) }
            a.withUnsafeBytes { c.update($0) }
        }
        func strings(_ a: [String]) {
            var n = UInt64(a.count).littleEndian
            withUnsafeBytes(of: &n) { c.update($0) }
            for s in a {
                var s = s
                s.withUTF8 { c.update(UnsafeRawBufferPointer($0)) }
                var zero: UInt8 = 0
                withUnsafeBytes(of: &zero) { c.update($0) }
            }
        }
        strings([format.rawValue])
        ints(userIds); ints(movieIds)
        ints(ratingUser); ints(ratingMovie); ints(ratingValue.map { $0.bitPattern }); ints(ratingTime)
        strings(titles); ints(years); ints(genres); strings(genreNames)
        ints(userGender); ints(userAge); ints(userOccupation); strings(userZip)
        ints(tagUser); ints(tagMovie); strings(tagText); ints(tagTime)
        ints(imdbIds); ints(tmdbIds)
        return c.checksum
    }

    /// Checks the structural invariants: column lengths agree, ids strictly increase, every
    /// dense index is in range, every rating value is finite, at most 32 genres and genre bits
    /// within the vocabulary.
    /// Throws `DatasetError.inconsistent` naming the first violated invariant.
    public func validate() throws { try validate(threads: 1) }

    /// What `validate` checks of the rating columns, gathered by a caller that scans them anyway
    /// (the cache reader, in the pass that verifies their checksums).
    struct RatingScan {
        /// Smallest and largest rating user index (`lo > hi`: no ratings).
        var user: (Int64, Int64)
        /// Smallest and largest rating movie index.
        var movie: (Int64, Int64)
        /// Whether some rating value is NaN or infinite.
        var nonFiniteValue: Bool
    }

    /// `validate()` with the scans of the rating columns on `threads` threads. `ratingScan`:
    /// the rating columns' bounds when the caller has them already (the cache reader notes them
    /// while checksumming the columns), instead of scanning again.
    func validate(threads: Int, ratingScan: RatingScan? = nil) throws {
        func fail(_ what: String) -> DatasetError { .inconsistent(what) }
        let u = userCount, m = movieCount, r = ratingCount, t = tagCount
        guard ratingUser.count == r, ratingMovie.count == r, ratingTime.count == r else { throw fail("rating columns have different lengths") }
        guard titles.count == m, years.count == m, genres.count == m else { throw fail("movie columns do not have one entry per movie") }
        guard genreNames.count <= 32 else { throw fail("more than 32 genres") }
        let demo = [userGender.count, userAge.count, userOccupation.count, userZip.count]
        guard demo.allSatisfy({ $0 == 0 }) || demo.allSatisfy({ $0 == u }) else { throw fail("user columns do not have one entry per user") }
        guard tagUser.count == t, tagMovie.count == t, tagTime.count == t else { throw fail("tag columns have different lengths") }
        guard (imdbIds.isEmpty && tmdbIds.isEmpty) || (imdbIds.count == m && tmdbIds.count == m) else { throw fail("link columns do not have one entry per movie") }
        guard u <= Int(Int32.max), m <= Int(Int32.max) else { throw fail("too many users or movies") }
        for i in 1..<max(1, u) where userIds[i - 1] >= userIds[i] { throw fail("user ids are not strictly increasing at index \(i)") }
        for i in 1..<max(1, m) where movieIds[i - 1] >= movieIds[i] { throw fail("movie ids are not strictly increasing at index \(i)") }
        let userBounds = ratingScan?.user ?? IdIndex.minMax(ratingUser, threads: threads)
        let movieBounds = ratingScan?.movie ?? IdIndex.minMax(ratingMovie, threads: threads)
        if let x = Dataset.outOfRange(bounds: userBounds, u) { throw fail("rating user index \(x) out of range") }
        if let x = Dataset.outOfRange(bounds: movieBounds, m) { throw fail("rating movie index \(x) out of range") }
        let nonFinite = ratingScan?.nonFiniteValue ?? ratingValue.withUnsafeBufferPointer { !$0.allSatisfy(\.isFinite) }
        if nonFinite { throw fail("a rating value is not finite") }
        if let x = Dataset.outOfRange(tagUser, u) { throw fail("tag user index \(x) out of range") }
        if let x = Dataset.outOfRange(tagMovie, m) { throw fail("tag movie index \(x) out of range") }
        let allowed: UInt32 = genreNames.count >= 32 ? UInt32.max : (UInt32(1) << UInt32(genreNames.count)) - 1
        for g in genres where g & ~allowed != 0 { throw fail("genre bitset \(g) uses bits beyond the \(genreNames.count)-genre vocabulary") }
    }
}

/// A `Dataset` whose columns contradict each other.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case inconsistent(String)

    public var description: String {
        switch self {
        case .inconsistent(let what): return "inconsistent dataset: \(what)"
        }
    }
}
