import Runtime

/// Each movie's most similar movies (TF-IDF cosine of genres, tags and title words), best first,
/// as a CSR list: movie m's neighbours are `index[offsets[m]..<offsets[m+1]]` with `score`s.
public struct NeighbourLists: Sendable, Equatable {
    public let offsets: [Int64]
    public let index: [Int32]
    public let score: [Float]

    public init(offsets: [Int64], index: [Int32], score: [Float]) throws {
        guard let first = offsets.first, first == 0, offsets.last == Int64(index.count), score.count == index.count else {
            throw BinaryFormatError.invalid("neighbour lists: offsets do not cover the entries")
        }
        let rows = offsets.count - 1
        for i in 0..<rows where offsets[i] > offsets[i + 1] { throw BinaryFormatError.invalid("neighbour offsets decrease at \(i)") }
        for x in index where x < 0 || Int(x) >= rows { throw BinaryFormatError.invalid("neighbour index \(x) out of range") }
        self.offsets = offsets
        self.index = index
        self.score = score
    }

    /// Number of movies.
    public var rows: Int { offsets.count - 1 }

    /// The neighbours of movie `m` (index, cosine), best first.
    public func neighbours(of m: Int) -> [(movie: Int, score: Float)] {
        guard m >= 0, m < rows else { return [] }
        return (Int(offsets[m])..<Int(offsets[m + 1])).map { (Int(index[$0]), score[$0]) }
    }

    func encode(into w: inout BinaryWriter) {
        w.write(array: offsets); w.write(array: index); w.write(array: score)
    }

    static func decode(_ r: inout BinaryReader) throws -> NeighbourLists {
        try NeighbourLists(offsets: try r.readArray(Int64.self, "neighbour offsets"), index: try r.readArray(Int32.self, "neighbours"),
                           score: try r.readArray(Float.self, "neighbour scores"))
    }
}

/// How popular each movie is over all training ratings.
public struct Popularity: Sendable, Equatable {
    /// Ratings per movie.
    public let ratings: [Int32]
    /// Likes (rating ≥ the like threshold) per movie.
    public let likes: [Int32]
    /// Mean rating per movie (NaN when unrated).
    public let meanRating: [Float]

    public init(ratings: [Int32], likes: [Int32], meanRating: [Float]) throws {
        guard ratings.count == likes.count, likes.count == meanRating.count else {
            throw BinaryFormatError.invalid("popularity columns differ in length")
        }
        self.ratings = ratings
        self.likes = likes
        self.meanRating = meanRating
    }

    /// The popularity of the ratings in `catalog` (its seen lists).
    init(_ catalog: Catalog, likeThreshold: Float) {
        var n = [Int32](repeating: 0, count: catalog.movieCount), l = n
        var s = [Double](repeating: 0, count: catalog.movieCount)
        for (m, v) in zip(catalog.seenMovie, catalog.seenRating) {
            n[Int(m)] += 1
            s[Int(m)] += Double(v)
            if v >= likeThreshold { l[Int(m)] += 1 }
        }
        ratings = n
        likes = l
        meanRating = s.indices.map { n[$0] > 0 ? Float(s[$0] / Double(n[$0])) : .nan }
    }

    func encode(into w: inout BinaryWriter) {
        w.write(array: ratings); w.write(array: likes); w.write(array: meanRating)
    }

    static func decode(_ r: inout BinaryReader) throws -> Popularity {
        try Popularity(ratings: try r.readArray(Int32.self, "rating counts"), likes: try r.readArray(Int32.self, "like counts"),
                       meanRating: try r.readArray(Float.self, "mean ratings"))
    }
}

/// The genre clusters' centres in genre-average space (the mean of the member users' rows of the
/// users × genres average matrix), for placing a new user who only names genres.
public struct GenreCentroids: Sendable, Equatable {
    /// `k × genres`, row-major.
    public let values: [Float]
    public let k: Int
    public let genres: Int

    public init(values: [Float], k: Int, genres: Int) throws {
        guard k >= 1, genres >= 0, values.count == k * genres else { throw BinaryFormatError.invalid("centroids: \(values.count) values for \(k) × \(genres)") }
        self.values = values
        self.k = k
        self.genres = genres
    }

    /// The cluster whose centre is nearest (squared Euclidean) to `point`; ties to the lower cluster.
    public func nearest(_ point: [Float]) -> Int {
        var best = 0, bestD = Float.infinity
        for c in 0..<k {
            var d: Float = 0
            for g in 0..<min(genres, point.count) {
                let x = values[c * genres + g] - point[g]
                d += x * x
            }
            if d < bestD { bestD = d; best = c }
        }
        return best
    }

    func encode(into w: inout BinaryWriter) {
        w.write(Int64(k)); w.write(Int64(genres)); w.write(array: values)
    }

    static func decode(_ r: inout BinaryReader) throws -> GenreCentroids {
        let k = Int(try r.read(Int64.self, "k")), g = Int(try r.read(Int64.self, "genres"))
        return try GenreCentroids(values: try r.readArray(Float.self, "centroids"), k: k, genres: g)
    }
}
