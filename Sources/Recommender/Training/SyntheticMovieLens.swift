import Foundation
import MovieLens
import Runtime

/// A small, deterministic MovieLens-shaped data set for demos and tests (`movierec pipeline`
/// without data, the CLI tests).
///
/// Model: each movie has 1–3 genres of the ml-latest vocabulary, a release year and a quality;
/// each user has a taste per genre and a rating bias. A user rates a movie with probability
/// rising with the movie's popularity rank; the rating is `3.5 + bias + quality + mean taste of
/// the movie's genres + noise`, rounded to a half star in 0.5…5. Timestamps increase per user.
/// Everything is drawn from one `SplitMix64(seed)`, so a seed gives the same data everywhere.
public struct SyntheticMovieLens: Sendable {
    public var users = 120
    public var movies = 300
    /// Mean ratings per user (each user gets 20…2×mean).
    public var ratingsPerUser = 40
    public var seed: UInt64 = 7

    public init(users: Int = 120, movies: Int = 300, ratingsPerUser: Int = 40, seed: UInt64 = 7) {
        self.users = users
        self.movies = movies
        self.ratingsPerUser = ratingsPerUser
        self.seed = seed
    }

    /// The data set, as `MovieLensReader` would return it for the files `write(to:)` writes.
    public func dataset() throws -> Dataset {
        guard users >= 2, movies >= 10, ratingsPerUser >= 5 else {
            throw RecommenderError.invalidArgument("synthetic data needs ≥ 2 users, ≥ 10 movies, ≥ 5 ratings per user")
        }
        var rng = SplitMix64(seed: seed)
        let genreNames = Genres.latest
        let g = genreNames.count
        var genres = [UInt32](repeating: 0, count: movies), years = [Int16](repeating: 0, count: movies)
        var quality = [Double](repeating: 0, count: movies), titles = [String](repeating: "", count: movies)
        let words = ["Night", "River", "Star", "Love", "War", "City", "Ghost", "Summer", "King", "Road", "Secret", "Dream"]
        for m in 0..<movies {
            let count = 1 + rng.nextBelow(3)
            for _ in 0..<count { genres[m] |= 1 << UInt32(rng.nextBelow(g)) }
            years[m] = Int16(1950 + rng.nextBelow(69))
            quality[m] = (rng.nextUnit() - 0.5) * 1.2
            titles[m] = "\(words[rng.nextBelow(words.count)]) \(words[rng.nextBelow(words.count)]) \(m + 1) (\(years[m]))"
        }
        var ru: [Int32] = [], rm: [Int32] = [], rv: [Float] = [], rt: [Int64] = []
        for u in 0..<users {
            let taste = (0..<g).map { _ in (rng.nextUnit() - 0.5) * 2 }
            let bias = (rng.nextUnit() - 0.5) * 0.8
            let n = min(movies - 1, 20 + rng.nextBelow(2 * ratingsPerUser - 20 + 1))
            var chosen = Set<Int>()
            var time = Int64(1_000_000_000) + Int64(rng.nextBelow(100_000_000))
            while chosen.count < n {
                // Popularity: lower movie indices are rated more often (squared uniform).
                let x = rng.nextUnit()
                let m = min(movies - 1, Int(x * x * Double(movies)))
                guard chosen.insert(m).inserted else { continue }
                var t = 0.0, k = 0.0
                for b in 0..<g where genres[m] & (1 << UInt32(b)) != 0 { t += taste[b]; k += 1 }
                let noise = (rng.nextUnit() + rng.nextUnit() + rng.nextUnit() - 1.5) * 0.8
                let raw = 3.5 + bias + quality[m] + (k > 0 ? t / k : 0) + noise
                let stars = min(5, max(0.5, (raw * 2).rounded() / 2))
                time += Int64(60 + rng.nextBelow(86_400))
                ru.append(Int32(u)); rm.append(Int32(m)); rv.append(Float(stars)); rt.append(time)
            }
        }
        return Dataset(format: .latestCSV, userIds: (1...users).map(Int64.init), movieIds: (1...movies).map(Int64.init),
                       ratingUser: Column(ru), ratingMovie: Column(rm), ratingValue: Column(rv), ratingTime: Column(rt),
                       titles: titles, years: years, genres: genres, genreNames: genreNames)
    }

    /// Writes `ratings.csv` and `movies.csv` (ml-latest layout) into `directory`.
    public func write(to directory: String) throws {
        let ds = try dataset()
        var movies = "movieId,title,genres\n"
        for m in 0..<ds.movieCount {
            let gl = ds.genreList(ofMovie: m)
            movies += "\(ds.movieIds[m]),\(ds.titles[m]),\(gl.isEmpty ? Genres.noGenresListed : gl.joined(separator: "|"))\n"
        }
        var ratings = "userId,movieId,rating,timestamp\n"
        for r in 0..<ds.ratingCount {
            ratings += "\(ds.userIds[Int(ds.ratingUser[r])]),\(ds.movieIds[Int(ds.ratingMovie[r])]),\(ds.ratingValue[r]),\(ds.ratingTime[r])\n"
        }
        try AtomicFile.write(movies, to: directory + "/movies.csv")
        try AtomicFile.write(ratings, to: directory + "/ratings.csv")
    }
}
