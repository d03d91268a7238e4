/// What `movierec data synth` generates from scratch: counts, seed and output options.
///
/// Every user gets at least `minimumPerUser` ratings (MovieLens' own inclusion rule), so
/// `ratings` must lie in `minimumPerUser × users … users × movies`.
public struct SynthParameters: Sendable, Equatable {
    /// Exact number of ratings written to `ratings.csv`.
    public var ratings: Int
    /// Exact number of users (ids 1…users, each with ≥ `minimumPerUser` ratings).
    public var users: Int
    /// Exact number of movies in `movies.csv` (ids strictly increasing from 1, with gaps).
    public var movies: Int
    /// The seed: equal seeds give byte-identical files for every thread count.
    public var seed: UInt64
    /// Approximate number of tag applications (`nil`: one per 27 ratings, ml-latest-small's ratio).
    public var tags: Int?
    /// Whether to write `links.csv` (synthetic IMDb/TMDb ids, not real entries).
    public var links: Bool
    /// Minimum ratings per user (20 in MovieLens).
    public var minimumPerUser: Int

    public init(ratings: Int, users: Int, movies: Int, seed: UInt64, tags: Int? = nil, links: Bool = false,
                minimumPerUser: Int = 20) {
        self.ratings = ratings
        self.users = users
        self.movies = movies
        self.seed = seed
        self.tags = tags
        self.links = links
        self.minimumPerUser = minimumPerUser
    }

    /// Largest user count and movie count accepted (ids stay below 2³¹ with the id gaps).
    public static let maximumUsers = 100_000_000
    public static let maximumMovies = 10_000_000

    /// Throws `SynthError.invalidParameter` naming the first option out of range.
    public func validate() throws {
        func bad(_ name: String, _ reason: String) -> SynthError { .invalidParameter(name: name, reason: reason) }
        guard users >= 1 else { throw bad("--users", "must be at least 1 (got \(users))") }
        guard users <= Self.maximumUsers else { throw bad("--users", "at most \(Self.maximumUsers) (got \(users))") }
        guard movies >= 1 else { throw bad("--movies", "must be at least 1 (got \(movies))") }
        guard movies <= Self.maximumMovies else { throw bad("--movies", "at most \(Self.maximumMovies) (got \(movies))") }
        guard minimumPerUser >= 1 else { throw bad("minimum ratings per user", "must be at least 1") }
        guard movies >= minimumPerUser else {
            throw bad("--movies", "must be at least \(minimumPerUser): every user rates at least \(minimumPerUser) different movies (got \(movies))")
        }
        guard ratings >= 1 else { throw bad("--ratings", "must be at least 1 (got \(ratings))") }
        let (cells, overflow) = users.multipliedReportingOverflow(by: movies)
        if !overflow && ratings > cells {
            throw bad("--ratings", "\(ratings) is more than users × movies = \(cells): a user rates a movie at most once")
        }
        let (floor, floorOverflow) = users.multipliedReportingOverflow(by: minimumPerUser)
        if floorOverflow || ratings < floor {
            throw bad("--ratings", "\(ratings) is fewer than \(minimumPerUser) per user × \(users) users = \(floorOverflow ? Int.max : floor) (MovieLens users have at least \(minimumPerUser) ratings)")
        }
        if let tags, tags < 0 { throw bad("--tags", "must not be negative (got \(tags))") }
    }

    /// The tag target actually used.
    var tagTarget: Int { tags ?? ratings / 27 }
}
