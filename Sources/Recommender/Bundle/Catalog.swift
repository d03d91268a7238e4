import MovieLens
import Runtime

/// What the bundle knows of the data set at serving time: movies (ids, titles, years, genres),
/// users (ids, demographics) and each user's ratings (the movies they have seen), by dense index.
///
/// `template` rebuilds a `Dataset` with these columns and no ratings, which the feature code
/// fills with query rows, so serving computes features with exactly the code that trained.
public struct Catalog: Sendable, Equatable {
    public var format: DataFormat
    public var movieIds: [Int64]
    public var titles: [String]
    public var years: [Int16]
    public var genres: [UInt32]
    public var genreNames: [String]
    public var userIds: [Int64]
    public var userGender: [UInt8]
    public var userAge: [Int16]
    public var userOccupation: [Int16]
    /// CSR over users: user u's ratings are `seenMovie[seenOffsets[u]..<seenOffsets[u+1]]`, by movie index.
    public var seenOffsets: [Int64]
    public var seenMovie: [Int32]
    public var seenRating: [Float]
    /// Unix time of each of those ratings.
    public var seenTime: [Int64]
    /// The latest rating time of the data: serving features describe a rating made "now" = then.
    public var servingTime: Int64

    /// The catalogue of `dataset`. A (user, movie) rated twice keeps the later rating.
    public init(_ dataset: Dataset) {
        format = dataset.format
        movieIds = dataset.movieIds; titles = dataset.titles; years = dataset.years
        genres = dataset.genres; genreNames = dataset.genreNames
        userIds = dataset.userIds
        userGender = dataset.userGender; userAge = dataset.userAge; userOccupation = dataset.userOccupation
        let order = dataset.ratingValue.indices.sorted {
            let a = dataset.ratingUser[$0], b = dataset.ratingUser[$1]
            if a != b { return a < b }
            let ma = dataset.ratingMovie[$0], mb = dataset.ratingMovie[$1]
            return ma != mb ? ma < mb : $0 < $1
        }
        var offsets = [Int64](repeating: 0, count: dataset.userCount + 1)
        var movie: [Int32] = [], rating: [Float] = [], time: [Int64] = []
        movie.reserveCapacity(order.count); rating.reserveCapacity(order.count); time.reserveCapacity(order.count)
        for (i, r) in order.enumerated() {
            let u = dataset.ratingUser[r], m = dataset.ratingMovie[r]
            if i + 1 < order.count, dataset.ratingUser[order[i + 1]] == u, dataset.ratingMovie[order[i + 1]] == m { continue }
            movie.append(m); rating.append(dataset.ratingValue[r]); time.append(dataset.ratingTime[r])
            offsets[Int(u) + 1] += 1
        }
        for u in 0..<dataset.userCount { offsets[u + 1] += offsets[u] }
        seenOffsets = offsets; seenMovie = movie; seenRating = rating; seenTime = time
        servingTime = dataset.ratingTime.max() ?? 0
    }

    init(format: DataFormat, movieIds: [Int64], titles: [String], years: [Int16], genres: [UInt32], genreNames: [String],
         userIds: [Int64], userGender: [UInt8], userAge: [Int16], userOccupation: [Int16],
         seenOffsets: [Int64], seenMovie: [Int32], seenRating: [Float], seenTime: [Int64], servingTime: Int64) {
        self.format = format; self.movieIds = movieIds; self.titles = titles; self.years = years; self.genres = genres
        self.genreNames = genreNames; self.userIds = userIds; self.userGender = userGender; self.userAge = userAge
        self.userOccupation = userOccupation; self.seenOffsets = seenOffsets; self.seenMovie = seenMovie
        self.seenRating = seenRating; self.seenTime = seenTime; self.servingTime = servingTime
    }

    public var movieCount: Int { movieIds.count }
    public var userCount: Int { userIds.count }

    /// Dense index of user `id`, or nil.
    public func userIndex(forId id: Int64) -> Int? { Dataset.binarySearch(userIds, id) }
    /// Dense index of movie `id`, or nil.
    public func movieIndex(forId id: Int64) -> Int? { Dataset.binarySearch(movieIds, id) }

    /// The movies user `u` rated and the ratings, by movie index ascending.
    public func seen(user u: Int) -> (movies: ArraySlice<Int32>, ratings: ArraySlice<Float>) {
        guard u >= 0, u + 1 < seenOffsets.count else { return ([], []) }
        let r = Int(seenOffsets[u])..<Int(seenOffsets[u + 1])
        return (seenMovie[r], seenRating[r])
    }

    /// "Title (year)" of movie `m`.
    public func displayTitle(_ m: Int) -> String {
        let t = MovieTitles.withoutYear(m < titles.count ? titles[m] : "")
        let y = m < years.count ? years[m] : 0
        return y > 0 ? "\(t) (\(y))" : t
    }

    /// Genre names of movie `m`.
    public func genreList(ofMovie m: Int) -> [String] {
        guard m >= 0, m < genres.count else { return [] }
        return genreNames.indices.filter { $0 < 32 && genres[m] & (1 << UInt32($0)) != 0 }.map { genreNames[$0] }
    }

    /// A `Dataset` with the catalogue's movies and users and the given ratings (all at `servingTime`
    /// unless `times` is given). Arrays are shared copy-on-write, so this is cheap.
    public func dataset(users: [Int32] = [], movies: [Int32] = [], values: [Float]? = nil, times: [Int64]? = nil) -> Dataset {
        Dataset(format: format, userIds: userIds, movieIds: movieIds,
                ratingUser: Column(users), ratingMovie: Column(movies),
                ratingValue: Column(values ?? [Float](repeating: 0, count: users.count)),
                ratingTime: Column(times ?? [Int64](repeating: servingTime, count: users.count)),
                titles: titles, years: years, genres: genres, genreNames: genreNames,
                userGender: userGender, userAge: userAge, userOccupation: userOccupation,
                userZip: userGender.isEmpty ? [] : [String](repeating: "", count: userGender.count))
    }

    /// The ratings of the catalogue as a `Dataset`: the training ratings, one per user and movie,
    /// ordered by (user, movie). Training runs on exactly this dataset, so a loaded bundle rebuilds
    /// the same inputs bit for bit.
    public func ratingsDataset() -> Dataset {
        var users = [Int32](repeating: 0, count: seenMovie.count)
        for u in 0..<userCount {
            for i in Int(seenOffsets[u])..<Int(seenOffsets[u + 1]) { users[i] = Int32(u) }
        }
        return dataset(users: users, movies: seenMovie, values: seenRating, times: seenTime)
    }

    // MARK: binary form

    func encode(into w: inout BinaryWriter) {
        w.write(format.rawValue)
        w.write(array: movieIds); w.write(strings: titles); w.write(array: years); w.write(array: genres); w.write(strings: genreNames)
        w.write(array: userIds); w.write(array: userGender); w.write(array: userAge); w.write(array: userOccupation)
        w.write(array: seenOffsets); w.write(array: seenMovie); w.write(array: seenRating); w.write(array: seenTime)
        w.write(servingTime)
    }

    static func decode(_ r: inout BinaryReader) throws -> Catalog {
        let formatName = try r.readString("format")
        guard let format = DataFormat(rawValue: formatName) else { throw BinaryFormatError.invalid("unknown data format \"\(formatName)\"") }
        let c = Catalog(
            format: format, movieIds: try r.readArray(Int64.self, "movie ids"), titles: try r.readStrings("titles"),
            years: try r.readArray(Int16.self, "years"), genres: try r.readArray(UInt32.self, "genres"),
            genreNames: try r.readStrings("genre names"), userIds: try r.readArray(Int64.self, "user ids"),
            userGender: try r.readArray(UInt8.self, "genders"), userAge: try r.readArray(Int16.self, "ages"),
            userOccupation: try r.readArray(Int16.self, "occupations"),
            seenOffsets: try r.readArray(Int64.self, "seen offsets"), seenMovie: try r.readArray(Int32.self, "seen movies"),
            seenRating: try r.readArray(Float.self, "seen ratings"), seenTime: try r.readArray(Int64.self, "seen times"), servingTime: try r.read(Int64.self, "serving time"))
        try c.validate()
        return c
    }

    /// Structural checks (lengths, ranges, sorted ids), so a decoded catalogue can be indexed safely.
    func validate() throws {
        func fail(_ s: String) -> BinaryFormatError { .invalid("catalogue: " + s) }
        let m = movieCount, u = userCount
        guard titles.count == m, years.count == m, genres.count == m else { throw fail("movie columns differ in length") }
        guard genreNames.count <= 32 else { throw fail("more than 32 genres") }
        let demo = [userGender.count, userAge.count, userOccupation.count]
        guard demo.allSatisfy({ $0 == 0 }) || demo.allSatisfy({ $0 == u }) else { throw fail("user columns differ in length") }
        guard seenOffsets.count == u + 1, seenOffsets.first == 0, seenOffsets.last == Int64(seenMovie.count),
              seenRating.count == seenMovie.count, seenTime.count == seenMovie.count else { throw fail("seen lists are malformed") }
        for i in 0..<u where seenOffsets[i] > seenOffsets[i + 1] { throw fail("seen offsets decrease at user \(i)") }
        for x in seenMovie where x < 0 || Int(x) >= m { throw fail("seen movie index \(x) out of range") }
        for i in 1..<max(1, m) where movieIds[i - 1] >= movieIds[i] { throw fail("movie ids not increasing") }
        for i in 1..<max(1, u) where userIds[i - 1] >= userIds[i] { throw fail("user ids not increasing") }
    }
}

extension Dataset {
    /// Index of `id` in the ascending `ids`, or nil.
    static func binarySearch(_ ids: [Int64], _ id: Int64) -> Int? {
        var lo = 0, hi = ids.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ids[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < ids.count && ids[lo] == id ? lo : nil
    }
}
