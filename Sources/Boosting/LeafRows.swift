/// Where a range of a tree's sampled rows ended (`TreeBuilder.leafRanges`): rows `range` of the
/// partition reach leaf `node` — or, with `split` (a split whose children are leaves at the depth
/// limit, left unpartitioned), each row goes to leaf `node` (the left child) or `node + 1` by the
/// split's rule on its bin.
struct LeafRows: Sendable {
    /// A split on bins: a row goes left when its bin is `missingBin` and `defaultLeft`, or its bin
    /// is ≤ `bin` (the partitioner's rule).
    struct Split: Sendable {
        var feature: Int
        var bin: Int
        var missingBin: Int
        var defaultLeft: Bool

        @inline(__always) func goesLeft(_ b: Int) -> Bool { b == missingBin ? defaultLeft : b <= bin }
    }

    var node: Int
    var range: Range<Int>
    var split: Split?
}
