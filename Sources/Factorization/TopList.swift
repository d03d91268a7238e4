/// The `capacity` best (score, item) pairs seen so far; a min-heap whose root is the worst kept.
/// Order: higher score first, ties by the smaller item index; NaN counts as −∞.
struct TopList {
    private(set) var scores: [Float] = []
    private(set) var items: [Int32] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        scores.reserveCapacity(self.capacity)
        items.reserveCapacity(self.capacity)
    }

    /// `true` when (s1, i1) ranks strictly below (s2, i2).
    @inline(__always)
    static func worse(_ s1: Float, _ i1: Int32, _ s2: Float, _ i2: Int32) -> Bool {
        s1 < s2 || (s1 == s2 && i1 > i2)
    }

    @inline(__always)
    mutating func offer(_ rawScore: Float, _ item: Int32) {
        let s = rawScore.isNaN ? -Float.infinity : rawScore
        if scores.count < capacity {
            scores.append(s)
            items.append(item)
            var c = scores.count - 1
            while c > 0 {
                let parent = (c - 1) / 2
                guard TopList.worse(scores[c], items[c], scores[parent], items[parent]) else { break }
                scores.swapAt(c, parent)
                items.swapAt(c, parent)
                c = parent
            }
            return
        }
        guard capacity > 0, TopList.worse(scores[0], items[0], s, item) else { return }
        scores[0] = s
        items[0] = item
        var c = 0
        let n = scores.count
        while true {
            let l = 2 * c + 1
            if l >= n { break }
            var w = l
            if l + 1 < n && TopList.worse(scores[l + 1], items[l + 1], scores[l], items[l]) { w = l + 1 }
            guard TopList.worse(scores[w], items[w], scores[c], items[c]) else { break }
            scores.swapAt(c, w)
            items.swapAt(c, w)
            c = w
        }
    }

    /// The kept pairs, best first.
    func sorted() -> [(item: Int32, score: Float)] {
        var pairs = (0..<scores.count).map { (item: items[$0], score: scores[$0]) }
        pairs.sort { TopList.worse($1.score, $1.item, $0.score, $0.item) }
        return pairs
    }
}
