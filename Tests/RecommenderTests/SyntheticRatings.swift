import Runtime
import Foundation
import MovieLens
@testable import Recommender

/// Small synthetic MovieLens-like data with real structure: each user and movie has a bias and
/// a 2-d taste vector, movies have genres that correlate with their taste, and ratings are
/// whole stars from the resulting score plus noise.
enum SyntheticRatings {
    static func make(users: Int = 60, movies: Int = 40, perUser: Int = 20, seed: UInt64 = 1,
                     demographics: Bool = true) -> Dataset {
        var rng = SplitMix64(seed: seed)
        func gauss() -> Double {
            let a = max(rng.nextUnit(), 1e-12), b = rng.nextUnit()
            return (-2 * log(a)).squareRoot() * cos(2 * .pi * b)
        }
        let genreNames = ["Action", "Comedy", "Drama", "Horror", "Sci-Fi"]
        let userBias = (0..<users).map { _ in 0.5 * gauss() }
        let userTaste = (0..<users).map { _ in (gauss(), gauss()) }
        let movieBias = (0..<movies).map { _ in 0.6 * gauss() }
        let movieTaste = (0..<movies).map { _ in (gauss(), gauss()) }
        var genres = [UInt32](repeating: 0, count: movies)
        for m in 0..<movies {
            var bits: UInt32 = 0
            if movieTaste[m].0 > 0.3 { bits |= 1 << 0 }
            if movieTaste[m].0 < -0.3 { bits |= 1 << 1 }
            if movieTaste[m].1 > 0.3 { bits |= 1 << 2 }
            if movieTaste[m].1 < -0.5 { bits |= 1 << 3 }
            if rng.next() % 4 == 0 { bits |= 1 << 4 }
            genres[m] = bits
        }
        var ru: [Int32] = [], rm: [Int32] = [], rv: [Float] = [], rt: [Int64] = []
        for u in 0..<users {
            var seen = Set<Int>()
            while seen.count < min(perUser, movies) {
                let m = Int(rng.next() % UInt64(movies))
                guard seen.insert(m).inserted else { continue }
                let score = 3.5 + userBias[u] + movieBias[m]
                    + 0.7 * (userTaste[u].0 * movieTaste[m].0 + userTaste[u].1 * movieTaste[m].1) + 0.6 * gauss()
                ru.append(Int32(u)); rm.append(Int32(m))
                rv.append(Float(min(5, max(1, score.rounded()))))
                rt.append(946_684_800 + Int64(rng.next() % 100_000_000))
            }
        }
        return Dataset(
            format: .latestCSV,
            userIds: (0..<users).map { Int64($0 + 1) }, movieIds: (0..<movies).map { Int64($0 + 1) },
            ratingUser: Column(ru), ratingMovie: Column(rm), ratingValue: Column(rv), ratingTime: Column(rt),
            titles: (0..<movies).map { "Movie \($0)" },
            years: (0..<movies).map { $0 % 7 == 0 ? 0 : Int16(1950 + $0) },
            genres: genres, genreNames: genreNames,
            userGender: demographics ? (0..<users).map { UInt8($0 % 3) } : [],
            userAge: demographics ? (0..<users).map { $0 % 5 == 0 ? -1 : Int16(18 + $0 % 40) } : [],
            userOccupation: demographics ? (0..<users).map { Int16($0 % 21) } : [],
            userZip: demographics ? (0..<users).map { _ in "" } : [])
    }
}
