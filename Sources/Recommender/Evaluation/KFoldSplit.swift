import Runtime
import Boosting

/// A seeded, shuffled K-fold partition of `count` rows.
///
/// Rows are shuffled with a Fisher–Yates pass driven by `SplitMix64(seed)` and dealt into `k`
/// folds whose sizes differ by at most one. The assignment depends only on `count`, `k` and
/// `seed` — never on the data's values — so it is identical on every run and machine.
public struct KFoldSplit: Sendable, Equatable {
    /// Number of folds.
    public let k: Int
    /// Fold (0..<k) of each row.
    public let fold: [UInt8]

    /// Partitions `count` rows into `k` folds (2 ≤ k ≤ 255, k ≤ count).
    public init(count: Int, k: Int, seed: UInt64) throws {
        guard k >= 2, k <= 255 else { throw RecommenderError.invalidArgument("fold count must be between 2 and 255, got \(k)") }
        guard count >= k else { throw RecommenderError.invalidArgument("cannot split \(count) rows into \(k) folds") }
        var order = Array(0..<count)
        var rng = SplitMix64(seed: seed)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                let j = rng.nextBelow(i + 1)
                order.swapAt(i, j)
            }
        }
        var fold = [UInt8](repeating: 0, count: count)
        for (position, row) in order.enumerated() { fold[row] = UInt8(position % k) }
        self.k = k
        self.fold = fold
    }

    /// Rows of fold `f` (ascending).
    public func rows(in f: Int) -> [Int] { fold.indices.filter { Int(fold[$0]) == f } }

    /// Rows not in fold `f` (ascending).
    public func rows(notIn f: Int) -> [Int] { fold.indices.filter { Int(fold[$0]) != f } }
}
