/// What a `data synth` run wrote.
public struct SynthSummary: Sendable, Equatable {
    /// The output directory.
    public var directory: String
    /// Users, movies, ratings and tag rows written.
    public var users: Int
    public var movies: Int
    public var ratings: Int
    public var tags: Int
    /// Bytes of each file written, by file name.
    public var fileBytes: [String: Int64]
    /// Mean of the ratings written (stars).
    public var meanRating: Double

    public init(directory: String, users: Int, movies: Int, ratings: Int, tags: Int, fileBytes: [String: Int64], meanRating: Double) {
        self.directory = directory
        self.users = users
        self.movies = movies
        self.ratings = ratings
        self.tags = tags
        self.fileBytes = fileBytes
        self.meanRating = meanRating
    }
}
