import MovieLens
import Runtime

/// A seeded sample of whole users — all their ratings — as a data set of its own (users
/// re-indexed densely, the movies and their metadata unchanged, no tags).
///
/// Tuning steps that refit models on a validation split (the notebook hybrid's weight) use it
/// above a size where a full pass would cost as much as training itself: a random set of
/// users with all their ratings keeps the per-user temporal structure the tuning relies on.
enum UserSubset {
    /// Users drawn in a seeded random order until their ratings reach `ratings` (the whole data
    /// set when it has no more than that). Users keep their relative order; so do ratings.
    static func dataset(_ d: Dataset, ratings limit: Int, seed: UInt64) -> Dataset {
        guard d.ratingCount > limit else { return d }
        var counts = [Int](repeating: 0, count: d.userCount)
        for u in d.ratingUser { counts[Int(u)] += 1 }
        var order = Array(0..<d.userCount)
        var rng = SplitMix64(seed: seed ^ 0x0005_E125_B5E7_0001)
        var taken = 0, chosen = 0
        // A partial Fisher–Yates shuffle: stop as soon as the drawn users hold enough ratings.
        while chosen < order.count && taken < limit {
            let j = chosen + rng.nextBelow(order.count - chosen)
            order.swapAt(chosen, j)
            taken += counts[order[chosen]]
            chosen += 1
        }
        var newIndex = [Int32](repeating: -1, count: d.userCount)
        let users = order[0..<chosen].sorted()
        for (i, u) in users.enumerated() { newIndex[u] = Int32(i) }
        var ru: [Int32] = [], rm: [Int32] = [], rv: [Float] = [], rt: [Int64] = []
        ru.reserveCapacity(taken)
        rm.reserveCapacity(taken)
        rv.reserveCapacity(taken)
        rt.reserveCapacity(taken)
        for r in 0..<d.ratingCount {
            let u = newIndex[Int(d.ratingUser[r])]
            guard u >= 0 else { continue }
            ru.append(u); rm.append(d.ratingMovie[r]); rv.append(d.ratingValue[r]); rt.append(d.ratingTime[r])
        }
        func pick<T>(_ a: [T]) -> [T] { a.count == d.userCount ? users.map { a[$0] } : [] }
        return Dataset(format: d.format, userIds: users.map { d.userIds[$0] }, movieIds: d.movieIds,
                       ratingUser: Column(ru), ratingMovie: Column(rm), ratingValue: Column(rv), ratingTime: Column(rt),
                       titles: d.titles, years: d.years, genres: d.genres, genreNames: d.genreNames,
                       userGender: pick(d.userGender), userAge: pick(d.userAge), userOccupation: pick(d.userOccupation),
                       userZip: pick(d.userZip), imdbIds: d.imdbIds, tmdbIds: d.tmdbIds)
    }
}
