import Runtime

/// Like-probabilities of some users' candidate movies, computed once by one `ClassifierRanker`
/// and reused by every ranker built on the same classifier — the top-N evaluation's
/// `classifier` and `notebook_hybrid` rankers score the same sampled users with the same
/// model, so the second pass over every catalogue movie is skipped.
///
/// An entry is used only for the exact `seen` list it was computed with; any other request
/// is scored afresh, so attaching scores never changes a ranking.
public struct ClassifierScores: Sendable {
    struct Entry: Sendable {
        var seen: [Int32]
        var movies: [Int32]
        var scores: [Float]
    }

    let entries: [Int: Entry]

    /// Number of users with stored scores.
    public var count: Int { entries.count }

    /// Scores `users[i]` against every catalogue movie not in `seen[i]` with `ranker` (in
    /// parallel over users, one thread per user as the top-N evaluation ranks them).
    /// - Throws: `.invalidArgument` when `users` and `seen` differ in length.
    public static func compute(_ ranker: ClassifierRanker, users: [Int], seen: [[Int32]], threads: Int? = nil) throws -> ClassifierScores {
        guard users.count == seen.count else {
            throw RecommenderError.invalidArgument("\(users.count) users but \(seen.count) seen lists")
        }
        var computed = [Entry?](repeating: nil, count: users.count)
        computed.withUnsafeMutableBufferPointer { buf in
            let out = UnsafeSendable(buf)
            parallelRanges(users.count, threads: Threads.resolve(threads), minBlock: 1) { range in
                for i in range {
                    let (movies, scores) = ranker.probabilities(user: users[i], excluding: seen[i])
                    out.value[i] = Entry(seen: seen[i], movies: movies, scores: scores)
                }
            }
        }
        var entries: [Int: Entry] = [:]
        for (i, u) in users.enumerated() { if let e = computed[i] { entries[u] = e } }
        return ClassifierScores(entries: entries)
    }

    /// The stored (movies, probabilities) of `user` if they were computed for exactly `seen`.
    func lookup(user: Int, seen: [Int32]) -> (movies: [Int32], scores: [Float])? {
        guard let e = entries[user], e.seen == seen else { return nil }
        return (e.movies, e.scores)
    }
}
