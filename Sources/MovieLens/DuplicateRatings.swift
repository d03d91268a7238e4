import Runtime

/// Finds duplicate (user, movie) ratings. Rule: of the ratings a user gave one movie, the one
/// with the latest timestamp is kept (on equal timestamps, the one later in the file); the
/// others are duplicates. O(n): ratings are bucketed by user (a stable counting sort), and each
/// user's movies are checked against a per-worker "last seen" table.
enum DuplicateRatings {
    /// Positions of the ratings that are duplicates, ascending. Ratings whose user or movie is
    /// negative (already dropped) are ignored.
    static func find(user: [Int32], movie: [Int32], time: [Int64],
                     userCount: Int, movieCount: Int, threads: Int) -> [Int] {
        let n = user.count
        guard n > 1, userCount > 0, movieCount > 0 else { return [] }
        @inline(__always) func keep(_ i: Int) -> Bool { user[i] >= 0 && movie[i] >= 0 }
        // Positions of each user's ratings, in file order: `order[start[u]..<start[u + 1]]`.
        // Files sorted by user (the usual MovieLens layout) need no reordering: then
        // `order` stays empty and the positions are `start[u]..<start[u + 1]` themselves
        // (including ratings not kept, which are skipped).
        var start = [Int](repeating: 0, count: userCount + 1)
        var order: [Int] = []
        // One pass (in parallel blocks) checks the order and records, per user, one past their
        // last kept rating.
        var last = [Int](repeating: 0, count: userCount)
        let sorted = sortedByUser(user: user, movie: movie, threads: threads, last: &last)
        if sorted {
            // start[u + 1] = one past u's last kept rating (or start[u] when u has none); every kept
            // rating between start[u] and start[u + 1] then belongs to u.
            for u in 0..<userCount { start[u + 1] = max(start[u], last[u]) }
        } else {
            // Stable counting sort of rating positions by user.
            for i in 0..<n where keep(i) { start[Int(user[i]) + 1] += 1 }
            for u in 0..<userCount { start[u + 1] += start[u] }
            order = [Int](repeating: 0, count: start[userCount])
            var fill = start
            for i in 0..<n where keep(i) {
                let u = Int(user[i])
                order[fill[u]] = i
                fill[u] += 1
            }
        }
        let blocks = splitRange(userCount, parts: max(1, min(threads * 4, userCount / 64 + 1)))
        var found = [[Int]](repeating: [], count: blocks.count)
        found.withUnsafeMutableBufferPointer { res in
            let out = UnsafeSendable(res)
            parallelFor(chunks: blocks.count, threads: threads) { b in
                // best[m] = position of the current winner for movie m of user `stamp[m]`.
                var stamp = [Int32](repeating: -1, count: movieCount)
                var best = [Int](repeating: 0, count: movieCount)
                var mine: [Int] = []
                for u in blocks[b] {
                    for k in start[u]..<start[u + 1] {
                        let i = sorted ? k : order[k]
                        if sorted && !keep(i) { continue }
                        let m = Int(movie[i])
                        if stamp[m] != Int32(u) {
                            stamp[m] = Int32(u)
                            best[m] = i
                            continue
                        }
                        let j = best[m]  // earlier in the file than i
                        if time[i] >= time[j] {
                            mine.append(j)
                            best[m] = i
                        } else {
                            mine.append(i)
                        }
                    }
                }
                out.value[b] = mine
            }
        }
        return found.joined().sorted()
    }

    /// Whether the kept ratings (user and movie not negative) are in ascending user order; if so,
    /// sets `last[u]` to one past the position of user `u`'s last kept rating (users without
    /// one keep their entry). Blocks are checked in parallel; each lists the users whose last
    /// rating it holds, and the lists are applied in block order, so no two threads write the
    /// same entry.
    static func sortedByUser(user: [Int32], movie: [Int32], threads: Int, last: inout [Int], blockRows: Int = 1 << 16) -> Bool {
        let n = user.count
        let blocks = splitRange(n, parts: max(1, min(threads * 4, n / max(1, blockRows))))
        // Per block: ascending inside, first and last kept user, (user, one past its last row).
        var ordered = [Bool](repeating: true, count: blocks.count)
        var firstUser = [Int32](repeating: -1, count: blocks.count), lastUser = [Int32](repeating: -1, count: blocks.count)
        var ends = [[(user: Int32, end: Int)]](repeating: [], count: blocks.count)
        user.withUnsafeBufferPointer { ub in
            movie.withUnsafeBufferPointer { mb in
                ordered.withUnsafeMutableBufferPointer { ok in
                    firstUser.withUnsafeMutableBufferPointer { fu in
                        lastUser.withUnsafeMutableBufferPointer { lu in
                            ends.withUnsafeMutableBufferPointer { en in
                                let src = UnsafeSendable((ub, mb)), out = UnsafeSendable((ok, fu, lu, en))
                                parallelFor(chunks: blocks.count, threads: threads) { b in
                                    let (ub, mb) = src.value
                                    var previous: Int32 = -1, previousAt = 0
                                    var mine: [(user: Int32, end: Int)] = []
                                    for i in blocks[b] {
                                        let u = ub[i]
                                        if u < 0 || mb[i] < 0 { continue }
                                        if u < previous { out.value.0[b] = false; return }
                                        if u != previous {
                                            if previous >= 0 { mine.append((previous, previousAt + 1)) } else { out.value.1[b] = u }
                                            previous = u
                                        }
                                        previousAt = i
                                    }
                                    if previous >= 0 { mine.append((previous, previousAt + 1)) }
                                    out.value.2[b] = previous
                                    out.value.3[b] = mine
                                }
                            }
                        }
                    }
                }
            }
        }
        var previous: Int32 = -1
        for b in blocks.indices {
            guard ordered[b] else { return false }
            if firstUser[b] < 0 { continue }
            if firstUser[b] < previous { return false }
            previous = lastUser[b]
        }
        for list in ends {
            for (u, end) in list { last[Int(u)] = end }
        }
        return true
    }
}
