import MovieLens
import Runtime

/// A seeded sample of users with all their ratings, so that `movierec evaluate` finishes in
/// minutes on tens of millions of ratings.
///
/// Users (among those with at least one rating) are drawn by a seeded shuffle and re-indexed
/// `0..<users` in their original order; every movie is kept, so titles, genres and the
/// catalogue are unchanged. Whole users are sampled (not single ratings) because every stage
/// needs a user's full history: the features' user statistics, the clusters of users and the
/// per-user temporal split of the top-N evaluation.
public struct UserSample: Sendable {
    /// Above this many ratings `FullEvaluation` samples users by default.
    public static let automaticRatingLimit = 2_000_000
    /// The number of ratings an automatic sample aims at.
    public static let automaticRatingTarget = 1_000_000

    /// The sampled data set (users re-indexed, movies unchanged).
    public let dataset: Dataset
    /// Users and ratings in the sample, and in the whole data set.
    public let users: Int, ofUsers: Int, ratings: Int, ofRatings: Int
    /// Seed of the draw.
    public let seed: UInt64
    /// Whether the size came from the automatic rule rather than an explicit request.
    public let automatic: Bool

    /// The users an automatic sample of `dataset` draws: nil (no sampling) up to
    /// `automaticRatingLimit` ratings, else enough users for about `automaticRatingTarget`
    /// ratings at the data set's mean ratings per user.
    public static func automaticUsers(for dataset: Dataset) -> Int? {
        guard dataset.ratingCount > automaticRatingLimit, dataset.userCount > 0 else { return nil }
        let perUser = Double(dataset.ratingCount) / Double(dataset.userCount)
        return max(1, min(dataset.userCount, Int((Double(automaticRatingTarget) / perUser).rounded(.up))))
    }

    /// Draws `users` users (≥ 1) of `dataset` with `seed`; all of them when `users` is at least
    /// the number of users with a rating.
    public init(dataset: Dataset, users count: Int, seed: UInt64, automatic: Bool = false) throws {
        guard count >= 1 else { throw RecommenderError.invalidArgument("a user sample needs at least 1 user, got \(count)") }
        var rated = [Bool](repeating: false, count: dataset.userCount)
        for u in dataset.ratingUser where u >= 0 && Int(u) < rated.count { rated[Int(u)] = true }
        var candidates = rated.indices.filter { rated[$0] }
        guard !candidates.isEmpty else { throw RecommenderError.insufficientData("no user has a rating to sample") }
        var rng = SplitMix64(seed: seed ^ 0x5A3F_1E5A_3F1E_0001)
        let take = min(count, candidates.count)
        // Partial Fisher–Yates: the first `take` positions are a uniform sample.
        for i in 0..<take { candidates.swapAt(i, i + rng.nextBelow(candidates.count - i)) }
        let chosen = candidates.prefix(take).sorted()
        var newIndex = [Int32](repeating: -1, count: dataset.userCount)
        for (n, u) in chosen.enumerated() { newIndex[u] = Int32(n) }
        func keep<T>(_ column: [T]) -> [T] { column.count == dataset.userCount ? chosen.map { column[$0] } : column }
        let rows = dataset.ratingUser.indices.filter { newIndex[Int(dataset.ratingUser[$0])] >= 0 }
        let tags = dataset.tagUser.indices.filter {
            let u = Int(dataset.tagUser[$0])
            return u >= 0 && u < newIndex.count && newIndex[u] >= 0
        }
        var sample = dataset
        sample.userIds = chosen.map { dataset.userIds[$0] }
        sample.userGender = keep(dataset.userGender)
        sample.userAge = keep(dataset.userAge)
        sample.userOccupation = keep(dataset.userOccupation)
        sample.userZip = keep(dataset.userZip)
        sample.ratingUser = Column(rows.map { newIndex[Int(dataset.ratingUser[$0])] })
        sample.ratingMovie = Column(rows.map { dataset.ratingMovie[$0] })
        sample.ratingValue = Column(rows.map { dataset.ratingValue[$0] })
        sample.ratingTime = Column(rows.map { dataset.ratingTime[$0] })
        sample.tagUser = tags.map { newIndex[Int(dataset.tagUser[$0])] }
        sample.tagMovie = tags.map { dataset.tagMovie[$0] }
        sample.tagText = tags.map { dataset.tagText[$0] }
        sample.tagTime = tags.map { dataset.tagTime[$0] }
        self.dataset = sample
        self.users = take
        self.ofUsers = dataset.userCount
        self.ratings = rows.count
        self.ofRatings = dataset.ratingCount
        self.seed = seed
        self.automatic = automatic
    }

    /// `{"users", "of_users", "ratings", "of_ratings", "seed", "automatic"}`.
    public func json() -> JSONValue {
        .object([
            ("users", .integer(users)), ("of_users", .integer(ofUsers)),
            ("ratings", .integer(ratings)), ("of_ratings", .integer(ofRatings)),
            ("seed", seed <= UInt64(Int.max) ? .integer(Int(seed)) : .string(String(seed))),
            ("automatic", .bool(automatic)),
        ])
    }
}
