/// A set of ids: a bitmap for ids in `0..<IdSet.bitmapLimit` (every MovieLens id so far), a
/// hash set for the rest. Replaces `Set<Int64>` where each row of a file is looked up: hashing
/// was a tenth of loading ml-latest-small.
struct IdSet: Sendable {
    /// Ids below this live in the bitmap (at most 2 MiB of words).
    static let bitmapLimit: Int64 = 1 << 24

    private var words: [UInt64] = []
    private var others = Set<Int64>()

    init() {}

    init<S: Sequence>(_ ids: S) where S.Element == Int64 {
        for id in ids { insert(id) }
    }

    @inline(__always)
    func contains(_ id: Int64) -> Bool {
        guard id >= 0, id < IdSet.bitmapLimit else { return others.contains(id) }
        let w = Int(id >> 6)
        return w < words.count && words[w] & (1 << UInt64(id & 63)) != 0
    }

    @inline(__always)
    mutating func insert(_ id: Int64) {
        guard id >= 0, id < IdSet.bitmapLimit else { others.insert(id); return }
        let w = Int(id >> 6)
        if w >= words.count { words.append(contentsOf: repeatElement(0, count: max(w + 1, words.count * 2) - words.count)) }
        words[w] |= 1 << UInt64(id & 63)
    }
}
