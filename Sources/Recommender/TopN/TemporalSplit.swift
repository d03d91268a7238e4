import MovieLens

/// A per-user temporal split of a set of ratings.
///
/// For each user, the user's ratings (of the given rows) are sorted by (timestamp, movie id);
/// the last `n / 5` (integer division; `n` = the user's number of ratings) are test, the rest
/// train. A user with fewer than 5 ratings therefore has no test rating.
///
/// The same rule applied to a split's `trainRows` gives the *validation slice* of the training
/// period (`validation(of:)`): models tuned on it never see the test period.
///
/// This exact definition is shared with `Benchmarks/peers/` (the implicit-ALS peer script);
/// change both together.
public struct TemporalSplit: Sendable, Equatable {
    /// Dataset rating indices of the training part, ascending.
    public let trainRows: [Int]
    /// Dataset rating indices of the test part, ascending.
    public let testRows: [Int]
    /// The denominator of the test share (5: the last fifth).
    public let denominator: Int

    /// Splits `rows` (dataset rating indices; default all ratings) per user.
    /// - Throws: `RecommenderError.invalidArgument` for a row outside the dataset or a
    ///   denominator below 2.
    public init(dataset: Dataset, rows: [Int]? = nil, denominator: Int = 5) throws {
        guard denominator >= 2 else { throw RecommenderError.invalidArgument("temporal split denominator must be ≥ 2, got \(denominator)") }
        let n = dataset.ratingCount
        let source = rows ?? Array(0..<n)
        for r in source where r < 0 || r >= n { throw RecommenderError.invalidArgument("rating row \(r) outside 0..<\(n)") }
        let users = dataset.userCount
        // Bucket the rows by user (counting sort), then sort each bucket by (time, movie id).
        var start = [Int](repeating: 0, count: users + 1)
        for r in source {
            let u = Int(dataset.ratingUser[r])
            guard u >= 0, u < users else { throw RecommenderError.invalidArgument("rating row \(r) has user index \(u) outside 0..<\(users)") }
            start[u + 1] += 1
        }
        for u in 0..<users { start[u + 1] += start[u] }
        var fill = start
        var byUser = [Int](repeating: 0, count: source.count)
        for r in source {
            let u = Int(dataset.ratingUser[r])
            byUser[fill[u]] = r
            fill[u] += 1
        }
        let time = dataset.ratingTime, movie = dataset.ratingMovie, ids = dataset.movieIds
        var train: [Int] = [], test: [Int] = []
        train.reserveCapacity(source.count)
        test.reserveCapacity(source.count / denominator + 1)
        for u in 0..<users {
            let lo = start[u], hi = start[u + 1]
            guard hi > lo else { continue }
            var bucket = Array(byUser[lo..<hi])
            bucket.sort { a, b in
                if time[a] != time[b] { return time[a] < time[b] }
                let ma = Int(movie[a]), mb = Int(movie[b])
                let ia = ma >= 0 && ma < ids.count ? ids[ma] : Int64(ma), ib = mb >= 0 && mb < ids.count ? ids[mb] : Int64(mb)
                return ia != ib ? ia < ib : a < b
            }
            let cut = bucket.count - bucket.count / denominator
            train += bucket[..<cut]
            test += bucket[cut...]
        }
        train.sort()
        test.sort()
        trainRows = train
        testRows = test
        self.denominator = denominator
    }

    /// The validation slice of this split's training period: the same rule applied to
    /// `trainRows` (its `trainRows` are the fitting part, its `testRows` the validation slice).
    public func validation(dataset: Dataset) throws -> TemporalSplit {
        try TemporalSplit(dataset: dataset, rows: trainRows, denominator: denominator)
    }
}
