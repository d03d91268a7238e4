import MovieLens

/// Additive sufficient statistics of a set of ratings: per user, per movie and per
/// (user, genre) the count, the sum, the sum of squares and the number of likes.
///
/// Sums are `Double`, and MovieLens ratings are multiples of 0.5, so adding and subtracting
/// ratings is exact: `(A + B) − B` equals `A` bit for bit. That is what makes the out-of-fold
/// "subtraction trick" safe: the statistics of the training set minus one inner fold are exactly
/// the statistics of the other inner folds, and do not depend on the held-out ratings.
struct RatingSums: Sendable {
    let genreCount: Int
    var userN: [Double], userSum: [Double], userSq: [Double], userLikes: [Double]
    var movieN: [Double], movieSum: [Double], movieSq: [Double], movieLikes: [Double]
    /// `users × genreCount`, row-major: ratings of user u on movies of genre g.
    var userGenreN: [Double], userGenreSum: [Double]
    var n = 0.0, sum = 0.0, sq = 0.0, likes = 0.0

    init(users: Int, movies: Int, genres: Int) {
        genreCount = genres
        userN = [Double](repeating: 0, count: users)
        userSum = userN; userSq = userN; userLikes = userN
        movieN = [Double](repeating: 0, count: movies)
        movieSum = movieN; movieSq = movieN; movieLikes = movieN
        userGenreN = [Double](repeating: 0, count: users * genres)
        userGenreSum = userGenreN
    }

    /// Adds (sign = 1) or removes (sign = −1) rating `row` of `data`.
    mutating func add(row: Int, of data: Dataset, likeThreshold: Float, sign: Double = 1) {
        let u = Int(data.ratingUser[row]), m = Int(data.ratingMovie[row])
        let v = Double(data.ratingValue[row])
        let like = data.ratingValue[row] >= likeThreshold ? sign : 0
        userN[u] += sign; userSum[u] += sign * v; userSq[u] += sign * v * v; userLikes[u] += like
        movieN[m] += sign; movieSum[m] += sign * v; movieSq[m] += sign * v * v; movieLikes[m] += like
        n += sign; sum += sign * v; sq += sign * v * v; likes += like
        var bits = data.genres[m]
        let base = u * genreCount
        while bits != 0 {
            let g = bits.trailingZeroBitCount
            bits &= bits - 1
            if g < genreCount {
                userGenreN[base + g] += sign
                userGenreSum[base + g] += sign * v
            }
        }
    }

    /// `self − other`, element-wise (the statistics of the ratings in `self` but not in `other`,
    /// when `other` sums a subset of `self`'s ratings).
    func subtracting(_ other: RatingSums) -> RatingSums {
        var r = self
        func sub(_ a: inout [Double], _ b: [Double]) { for i in a.indices { a[i] -= b[i] } }
        sub(&r.userN, other.userN); sub(&r.userSum, other.userSum); sub(&r.userSq, other.userSq); sub(&r.userLikes, other.userLikes)
        sub(&r.movieN, other.movieN); sub(&r.movieSum, other.movieSum); sub(&r.movieSq, other.movieSq); sub(&r.movieLikes, other.movieLikes)
        sub(&r.userGenreN, other.userGenreN); sub(&r.userGenreSum, other.userGenreSum)
        r.n -= other.n; r.sum -= other.sum; r.sq -= other.sq; r.likes -= other.likes
        return r
    }

    /// `self + other`, element-wise.
    func adding(_ other: RatingSums) -> RatingSums {
        var r = self
        func add(_ a: inout [Double], _ b: [Double]) { for i in a.indices { a[i] += b[i] } }
        add(&r.userN, other.userN); add(&r.userSum, other.userSum); add(&r.userSq, other.userSq); add(&r.userLikes, other.userLikes)
        add(&r.movieN, other.movieN); add(&r.movieSum, other.movieSum); add(&r.movieSq, other.movieSq); add(&r.movieLikes, other.movieLikes)
        add(&r.userGenreN, other.userGenreN); add(&r.userGenreSum, other.userGenreSum)
        r.n += other.n; r.sum += other.sum; r.sq += other.sq; r.likes += other.likes
        return r
    }
}
