/// Picks the best-scoring movies of a dense score vector: highest score first, ties by the
/// lower movie index (so results are deterministic), skipping excluded movies and NaN scores.
enum TopSelection {
    /// A mask of the movies a ranker may return: in the catalogue and not in `seen`.
    static func allowedMask(catalogue: [Bool], seen: [Int32]) -> [Bool] {
        var mask = catalogue
        for m in seen where m >= 0 && Int(m) < mask.count { mask[Int(m)] = false }
        return mask
    }

    /// Whether (score a, movie i) ranks before (score b, movie j).
    @inline(__always)
    static func before(_ a: Float, _ i: Int32, _ b: Float, _ j: Int32) -> Bool { a > b || (a == b && i < j) }

    /// The `count` best (movie, score) pairs among the movies where `allowed` is true.
    static func top(scores: [Float], allowed: [Bool], count: Int) -> [(movie: Int32, score: Float)] {
        let n = min(scores.count, allowed.count)
        guard count > 0, n > 0 else { return [] }
        return scores.withUnsafeBufferPointer { s in
            allowed.withUnsafeBufferPointer { a in
                var heap = MinHeap(capacity: count)
                for m in 0..<n where a[m] && !s[m].isNaN { heap.offer(s[m], Int32(m)) }
                return heap.sortedDescending()
            }
        }
    }

    /// The `count` best of explicit (movie, score) candidates (each movie at most once).
    static func top(candidates: [(movie: Int32, score: Float)], count: Int) -> [(movie: Int32, score: Float)] {
        guard count > 0 else { return [] }
        var heap = MinHeap(capacity: count)
        for c in candidates where !c.score.isNaN { heap.offer(c.score, c.movie) }
        return heap.sortedDescending()
    }

    /// A bounded heap whose root is the worst kept item.
    struct MinHeap {
        let capacity: Int
        var items: [(score: Float, movie: Int32)] = []

        init(capacity: Int) {
            self.capacity = capacity
            items.reserveCapacity(capacity)
        }

        /// "worse" = ranks after.
        @inline(__always) func worse(_ x: Int, _ y: Int) -> Bool {
            TopSelection.before(items[y].score, items[y].movie, items[x].score, items[x].movie)
        }

        mutating func offer(_ score: Float, _ movie: Int32) {
            if items.count < capacity {
                items.append((score, movie))
                var i = items.count - 1
                while i > 0 {
                    let p = (i - 1) / 2
                    guard worse(i, p) else { break }
                    items.swapAt(i, p)
                    i = p
                }
                return
            }
            guard TopSelection.before(score, movie, items[0].score, items[0].movie) else { return }
            items[0] = (score, movie)
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var w = i
                if l < items.count && worse(l, w) { w = l }
                if r < items.count && worse(r, w) { w = r }
                if w == i { break }
                items.swapAt(i, w)
                i = w
            }
        }

        func sortedDescending() -> [(movie: Int32, score: Float)] {
            items.sorted { TopSelection.before($0.score, $0.movie, $1.score, $1.movie) }.map { (movie: $0.movie, score: $0.score) }
        }
    }
}
