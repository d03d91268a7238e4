import LinearAlgebra
import MovieLens

/// Users × genres average rating: entry (u, g) is the mean of user u's ratings of movies that
/// have genre g (a rating counts once for each genre of its movie).
///
/// Fill rule: a genre the user never rated is filled with the user's overall mean rating (so it
/// reads "no preference" rather than 0 stars, which would pull the user toward disliking it).
/// A user without any rating (users.dat lists users whose ratings were all dropped) gets the
/// global mean rating in every column; pass `rows: RatedUsers(dataset)` to keep only users who
/// rated. Columns follow `dataset.genreNames`, rows the dense user indices (or `rows.users`).
public struct UserGenreMatrix: Sendable {
    /// `users × genres` averages.
    public let matrix: Matrix<Float>
    /// Column names (`dataset.genreNames`).
    public let genreNames: [String]
    /// Ratings behind each entry (`users × genres`, 0 where the entry was filled).
    public let counts: [Int32]

    /// Builds the matrix from a dataset's ratings and movie genres, one row per dense user or, with
    /// `rows`, one row per rated user.
    public init(_ dataset: Dataset, rows: RatedUsers? = nil) {
        let users = rows?.count ?? dataset.userCount, g = min(dataset.genreNames.count, 32)
        var sums = [Double](repeating: 0, count: users * g)
        var cnt = [Int32](repeating: 0, count: users * g)
        var userSum = [Double](repeating: 0, count: users)
        var userCount = [Int](repeating: 0, count: users)
        var total = 0.0
        for r in 0..<dataset.ratingCount {
            let du = Int(dataset.ratingUser[r]), m = Int(dataset.ratingMovie[r])
            let u = rows.map { du >= 0 && du < $0.rowOfUser.count ? Int($0.rowOfUser[du]) : -1 } ?? du
            guard u >= 0, u < users, m >= 0, m < dataset.genres.count else { continue }
            let v = Double(dataset.ratingValue[r])
            userSum[u] += v
            userCount[u] += 1
            total += v
            var bits = dataset.genres[m]
            while bits != 0 {
                let b = bits.trailingZeroBitCount
                bits &= bits - 1
                guard b < g else { continue }
                sums[u * g + b] += v
                cnt[u * g + b] += 1
            }
        }
        let global = dataset.ratingCount > 0 ? total / Double(dataset.ratingCount) : 0
        var values = Matrix<Float>.zeros(rows: users, cols: g)
        values.withUnsafeMutableBufferPointer { v in
            for u in 0..<users {
                let fill = userCount[u] > 0 ? userSum[u] / Double(userCount[u]) : global
                for b in 0..<g {
                    let c = cnt[u * g + b]
                    v[u * g + b] = Float(c > 0 ? sums[u * g + b] / Double(c) : fill)
                }
            }
        }
        matrix = values
        genreNames = Array(dataset.genreNames.prefix(g))
        counts = cnt
    }
}
