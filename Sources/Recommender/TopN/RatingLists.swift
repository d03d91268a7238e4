import MovieLens

/// The ratings of a set of rows grouped by user (CSR): user `u`'s movies are
/// `movies[offsets[u]..<offsets[u + 1]]`, ascending by movie index, with their star values and
/// timestamps.
public struct RatingLists: Sendable, Equatable {
    /// Row starts, `userCount + 1` entries.
    public let offsets: [Int]
    /// Dense movie indices, ascending within each user.
    public let movies: [Int32]
    /// Star values, aligned with `movies`.
    public let values: [Float]
    /// Unix times, aligned with `movies`.
    public let times: [Int64]
    /// Number of movies of the data set (the column range).
    public let movieCount: Int

    /// Groups the ratings `rows` of `dataset` (indices must be valid; duplicates of a
    /// (user, movie) pair keep the last row given).
    public init(dataset: Dataset, rows: [Int]) {
        let users = dataset.userCount
        var start = [Int](repeating: 0, count: users + 1)
        for r in rows { start[Int(dataset.ratingUser[r]) + 1] += 1 }
        for u in 0..<users { start[u + 1] += start[u] }
        var fill = start
        var pairs = [(Int32, Float, Int64)](repeating: (0, 0, 0), count: rows.count)
        for r in rows {
            let u = Int(dataset.ratingUser[r])
            pairs[fill[u]] = (dataset.ratingMovie[r], dataset.ratingValue[r], dataset.ratingTime[r])
            fill[u] += 1
        }
        var offsets = [0], movies: [Int32] = [], values: [Float] = [], times: [Int64] = []
        movies.reserveCapacity(rows.count)
        times.reserveCapacity(rows.count)
        values.reserveCapacity(rows.count)
        for u in 0..<users {
            let bucket = pairs[start[u]..<start[u + 1]].enumerated().sorted { a, b in
                a.element.0 != b.element.0 ? a.element.0 < b.element.0 : a.offset < b.offset
            }
            var i = 0
            while i < bucket.count {
                var j = i
                while j + 1 < bucket.count && bucket[j + 1].element.0 == bucket[i].element.0 { j += 1 }
                movies.append(bucket[j].element.0)
                values.append(bucket[j].element.1)
                times.append(bucket[j].element.2)
                i = j + 1
            }
            offsets.append(movies.count)
        }
        self.offsets = offsets
        self.movies = movies
        self.values = values
        self.times = times
        self.movieCount = dataset.movieCount
    }

    /// Number of users (rows).
    public var userCount: Int { offsets.count - 1 }

    /// The user's rated movies (ascending; empty for an unknown user).
    public func movies(of u: Int) -> ArraySlice<Int32> {
        guard u >= 0, u < userCount else { return [] }
        return movies[offsets[u]..<offsets[u + 1]]
    }

    /// The user's star values, aligned with `movies(of:)`.
    public func values(of u: Int) -> ArraySlice<Float> {
        guard u >= 0, u < userCount else { return [] }
        return values[offsets[u]..<offsets[u + 1]]
    }

    /// The user's rating times, aligned with `movies(of:)`.
    public func times(of u: Int) -> ArraySlice<Int64> {
        guard u >= 0, u < userCount else { return [] }
        return times[offsets[u]..<offsets[u + 1]]
    }

    /// The user's `count` most recently rated movies, latest first (ties: higher movie index first).
    public func recent(of u: Int, count: Int) -> [Int32] {
        guard u >= 0, u < userCount, count > 0 else { return [] }
        let lo = offsets[u], hi = offsets[u + 1]
        let order = (lo..<hi).sorted { times[$0] != times[$1] ? times[$0] > times[$1] : movies[$0] > movies[$1] }
        return order.prefix(count).map { movies[$0] }
    }

    /// Whether each movie has at least one rating here (the catalogue of a model fitted on these ratings).
    public func catalogue() -> [Bool] {
        var seen = [Bool](repeating: false, count: movieCount)
        for m in movies where m >= 0 && Int(m) < movieCount { seen[Int(m)] = true }
        return seen
    }
}
