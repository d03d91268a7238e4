import Runtime
import LinearAlgebra

/// Seeded draws used by the clustering algorithms, on LinearAlgebra's `SplitMix64`.
extension SplitMix64 {
    /// A generator for stream `index` of a base `seed` (restart `r`, mini-batch stream, …): a
    /// fixed function of both, so streams do not depend on the order they are created in.
    static func stream(seed: UInt64, index: UInt64) -> SplitMix64 {
        var g = SplitMix64(seed: seed ^ (index &* 0xD1B5_4A32_D192_ED03))
        return SplitMix64(seed: g.next() ^ index)
    }

    /// A uniform integer in `0..<bound` (`bound > 0`), without modulo bias.
    mutating func nextIndex(below bound: Int) -> Int {
        Int(next(upperBound: UInt64(max(bound, 1))))
    }

    /// `count` distinct indices drawn uniformly from `0..<n` (partial Fisher–Yates), in draw
    /// order. The displaced slots are kept in a dense `n`-slot array when `n` is within
    /// `denseSampleRatio` × `count` (a 70k-row matrix sampled 3k rows: no hashing), else in a
    /// dictionary (O(count) memory); the draws are the same either way.
    mutating func sample(_ count: Int, from n: Int) -> [Int] {
        let m = max(0, min(count, n))
        if n <= SplitMix64.denseSampleRatio * m { return sampleDense(m, from: n) }
        var swapped: [Int: Int] = [:]
        swapped.reserveCapacity(2 * m)
        var out: [Int] = []
        out.reserveCapacity(m)
        for i in 0..<m {
            let j = i + nextIndex(below: n - i)
            let vj = swapped[j] ?? j
            swapped[j] = swapped[i] ?? i
            out.append(vj)
        }
        return out
    }

    /// Largest `n / count` for which `sample` keeps a dense array of `n` slots.
    static let denseSampleRatio = 32

    /// `sample`'s partial Fisher–Yates on a dense array of the `n` slots (`m ≤ n`).
    mutating func sampleDense(_ m: Int, from n: Int) -> [Int] {
        var slots = [Int](0..<n)
        var out: [Int] = []
        out.reserveCapacity(m)
        for i in 0..<m {
            let j = i + nextIndex(below: n - i)
            out.append(slots[j])
            slots[j] = slots[i]
        }
        return out
    }
}
