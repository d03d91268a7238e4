import Runtime

/// Finds duplicate (user, movie) ratings. Rule: of the ratings a user gave one movie, the one
/// with the latest timestamp is kept (on equal timestamps, the one later in the file); the
/// others are duplicates. O(n): ratings are bucketed by user (a stable counting sort), and each
/// user's movies are checked against a per-worker "last seen" table.
enum DuplicateRatings {
    /// `true` at each rating that is a duplicate. Ratings with `keep[i] == false` are ignored.
    static func find(user: [Int32], movie: [Int32], time: [Int64], keep: [Bool],
                     userCount: Int, movieCount: Int, threads: Int) -> [Bool] {
        let n = user.count
        var duplicate = [Bool](repeating: false, count: n)
        guard n > 1, userCount > 0, movieCount > 0 else { return duplicate }
        // Positions of each user's ratings, in file order: `order[start[u]..<start[u + 1]]`.
        // Files sorted by user (the usual MovieLens layout) need no reordering: then
        // `order` stays empty and the positions are `start[u]..<start[u + 1]` themselves
        // (including ratings not kept, which are skipped).
        var start = [Int](repeating: 0, count: userCount + 1)
        var order: [Int] = []
        var sorted = true
        var previous: Int32 = -1
        for i in 0..<n where keep[i] {
            if user[i] < previous { sorted = false; break }
            previous = user[i]
        }
        if sorted {
            // start[u + 1] = one past u's last kept rating (or start[u] when u has none); every kept
            // rating between start[u] and start[u + 1] then belongs to u.
            var last = [Int](repeating: 0, count: userCount)
            for i in 0..<n where keep[i] { last[Int(user[i])] = i + 1 }
            for u in 0..<userCount { start[u + 1] = max(start[u], last[u]) }
        } else {
            // Stable counting sort of rating positions by user.
            for i in 0..<n where keep[i] { start[Int(user[i]) + 1] += 1 }
            for u in 0..<userCount { start[u + 1] += start[u] }
            order = [Int](repeating: 0, count: start[userCount])
            var fill = start
            for i in 0..<n where keep[i] {
                let u = Int(user[i])
                order[fill[u]] = i
                fill[u] += 1
            }
        }
        let blocks = splitRange(userCount, parts: max(1, min(threads * 4, userCount / 64 + 1)))
        duplicate.withUnsafeMutableBufferPointer { dup in
            let out = UnsafeSendable(dup)
            parallelFor(chunks: blocks.count, threads: threads) { b in
                // best[m] = position (in `order`) of the current winner for movie m of user `stamp[m]`.
                var stamp = [Int32](repeating: -1, count: movieCount)
                var best = [Int](repeating: 0, count: movieCount)
                for u in blocks[b] {
                    for k in start[u]..<start[u + 1] {
                        let i = sorted ? k : order[k]
                        if sorted && !keep[i] { continue }
                        let m = Int(movie[i])
                        if stamp[m] != Int32(u) {
                            stamp[m] = Int32(u)
                            best[m] = i
                            continue
                        }
                        let j = best[m]  // earlier in the file than i
                        if time[i] >= time[j] {
                            out.value[j] = true
                            best[m] = i
                        } else {
                            out.value[i] = true
                        }
                    }
                }
            }
        }
        return duplicate
    }
}
