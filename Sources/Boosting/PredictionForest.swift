import Runtime

/// The trees of a `BoostedModel` laid out for batch prediction, optionally specialised to
/// features whose value is the same in every row.
///
/// Nodes are 12-byte `PackedNode`s with adjacent children. A leaf is stored as a self-loop —
/// feature 0, threshold NaN, right child = the leaf itself, missing goes right — so every row
/// walks exactly `depths[t]` steps of tree `t` without testing for leaves (a test that
/// mispredicts once leaves sit at different depths), and its value is `leafValues[leaf]`.
///
/// Specialising (`init(trees:fixed:)`) resolves every node that splits on a fixed feature
/// and keeps only the subtree the fixed value leads to: scoring one user against every movie,
/// the user's columns are constant, so a quarter of the steps disappear and the trees shrink
/// to less than half their nodes. The leaf a row reaches is the one the full tree gives for
/// that row whenever the row's fixed features hold the fixed values, so margins are
/// bit-identical (trees are still added in boosting order).
struct PredictionForest: Sendable {
    /// Nodes of every tree; tree `t` starts at `roots[t]`.
    private(set) var nodes: [PackedNode] = []
    /// The value of each node that is a leaf (0 for internal nodes).
    private(set) var leafValues: [Float] = []
    /// Root node of each tree, in boosting order.
    private(set) var roots: [Int32] = []
    /// Steps from the root to the deepest leaf, per tree.
    private(set) var depths: [Int] = []

    /// The forest of `trees` as trained.
    init(trees: [Tree]) {
        self.init(trees: trees, fixed: nil)
    }

    /// The forest of `trees` with feature `f` fixed to `fixed[f]` wherever `isFixed[f]`
    /// (`fixed == nil`: no feature fixed). `fixed` must cover every split feature.
    init(trees: [Tree], fixed: (isFixed: [Bool], values: [Float])?) {
        var nodeCount = 0
        for t in trees { nodeCount += t.count }
        nodes.reserveCapacity(nodeCount)
        leafValues.reserveCapacity(nodeCount)
        roots.reserveCapacity(trees.count)
        depths.reserveCapacity(trees.count)
        var queue: [(source: Int, target: Int, level: Int)] = []
        for t in trees {
            guard t.count > 0 else {
                // An empty tree adds nothing: a zero leaf.
                append(tree: Tree.leafOnly, fixed: nil, queue: &queue)
                continue
            }
            append(tree: t, fixed: fixed, queue: &queue)
        }
    }

    /// Appends `t` (specialised to `fixed`), breadth first so children stay adjacent.
    private mutating func append(tree t: Tree, fixed: (isFixed: [Bool], values: [Float])?,
                                 queue: inout [(source: Int, target: Int, level: Int)]) {
        /// The first node on `i`'s path that does not split on a fixed feature.
        func resolve(_ start: Int) -> Int {
            var i = start
            guard let fixed else { return i }
            while t.feature[i] >= 0 {
                let f = Int(t.feature[i])
                guard f < fixed.isFixed.count, fixed.isFixed[f] else { break }
                let x = fixed.values[f]
                let goLeft = x.isNaN ? t.defaultLeft[i] : x < t.threshold[i]
                let l = Int(t.left[i])
                guard l > i, l + 1 < t.count else { break }
                i = l + (goLeft ? 0 : 1)
            }
            return i
        }
        let base = nodes.count
        roots.append(Int32(base))
        queue.removeAll(keepingCapacity: true)
        queue.append((resolve(0), base, 0))
        nodes.append(PackedNode(thresholdOrValue: 0, feature: 0, leftAndDefault: 0))
        leafValues.append(0)
        var deepest = 0
        var head = 0
        while head < queue.count {
            let (source, target, level) = queue[head]
            head += 1
            deepest = max(deepest, level)
            let l = Int(t.left[source])
            // Children come after their parent (as `Tree.depth` assumes): a split whose
            // children do not (a structurally invalid tree, which `deserialize` rejects) is
            // walked as a leaf instead of looping.
            if t.feature[source] < 0 || !(l > source && l + 1 < t.count) {
                // Self-loop: NaN threshold and missing-goes-right send every value to `left + 1`.
                nodes[target] = PackedNode(thresholdOrValue: .nan, feature: 0, leftAndDefault: UInt32(max(0, target - 1)))
                leafValues[target] = t.value[source]
                continue
            }
            let child = nodes.count
            nodes[target] = PackedNode(thresholdOrValue: t.threshold[source], feature: t.feature[source],
                                       leftAndDefault: UInt32(child) | (t.defaultLeft[source] ? 0x8000_0000 : 0))
            nodes.append(PackedNode(thresholdOrValue: 0, feature: 0, leftAndDefault: 0))
            nodes.append(PackedNode(thresholdOrValue: 0, feature: 0, leftAndDefault: 0))
            leafValues.append(0)
            leafValues.append(0)
            queue.append((resolve(l), child, level + 1))
            queue.append((resolve(l + 1), child + 1, level + 1))
        }
        depths.append(deepest)
    }

    /// Adds every tree's leaf value to `out[i]` for rows `0..<rows`, where feature `f` of row
    /// `i` is `values[f * featureStride + i * rowStride]` (column-major: `(rows, 1)`;
    /// row-major: `(1, featureCount)`). Parallel over row blocks; trees are added in order
    /// for every row. Every feature index of the trees must be a valid column, and
    /// `values` must hold at least one column (feature 0 is read at leaves).
    func accumulate(values: UnsafeBufferPointer<Float>, rows n: Int, featureStride fs: Int, rowStride rs: Int,
                    into out: UnsafeMutableBufferPointer<Float>, threads t: Int) {
        let o = UnsafeSendable(out)
        let v = UnsafeSendable(values)
        nodes.withUnsafeBufferPointer { nb in
            leafValues.withUnsafeBufferPointer { lb in
                let nodes = UnsafeSendable(nb), leaves = UnsafeSendable(lb)
                let roots = self.roots
                let depths = self.depths
                parallelRanges(n, threads: t, minBlock: 4096) { range in
                    guard let np = nodes.value.baseAddress, let lp = leaves.value.baseAddress,
                          let vp = v.value.baseAddress, let op = o.value.baseAddress else { return }
                    // Rows in sub-blocks of 64 so a block's values stay in cache across trees;
                    // eight rows walk a tree in lockstep so their independent node loads
                    // overlap (a single row's walk is one long dependency chain).
                    var s = range.lowerBound
                    while s < range.upperBound {
                        let e = min(range.upperBound, s + 64)
                        for (k, r) in roots.enumerated() {
                            let steps = depths[k]
                            var row = s
                            while row + 8 <= e {
                                let x0 = vp + row * rs
                                @inline(__always) func step(_ i: Int, _ j: Int) -> Int {
                                    let nd = np[i]
                                    let x = x0[Int(nd.feature) * fs + j * rs]
                                    let l = Int(nd.leftAndDefault & 0x7FFF_FFFF)
                                    let goLeft = x.isNaN ? (nd.leftAndDefault & 0x8000_0000) != 0 : x < nd.thresholdOrValue
                                    return goLeft ? l : l + 1
                                }
                                var i0 = Int(r), i1 = i0, i2 = i0, i3 = i0, i4 = i0, i5 = i0, i6 = i0, i7 = i0
                                for _ in 0..<steps {
                                    i0 = step(i0, 0); i1 = step(i1, 1); i2 = step(i2, 2); i3 = step(i3, 3)
                                    i4 = step(i4, 4); i5 = step(i5, 5); i6 = step(i6, 6); i7 = step(i7, 7)
                                }
                                op[row] += lp[i0]; op[row + 1] += lp[i1]; op[row + 2] += lp[i2]; op[row + 3] += lp[i3]
                                op[row + 4] += lp[i4]; op[row + 5] += lp[i5]; op[row + 6] += lp[i6]; op[row + 7] += lp[i7]
                                row += 8
                            }
                            while row < e {
                                var i = Int(r)
                                for _ in 0..<steps {
                                    let nd = np[i]
                                    let x = vp[Int(nd.feature) * fs + row * rs]
                                    let l = Int(nd.leftAndDefault & 0x7FFF_FFFF)
                                    let goLeft = x.isNaN ? (nd.leftAndDefault & 0x8000_0000) != 0 : x < nd.thresholdOrValue
                                    i = goLeft ? l : l + 1
                                }
                                op[row] += lp[i]
                                row += 1
                            }
                        }
                        s = e
                    }
                }
            }
        }
    }

    /// Features with the same bit pattern in every row of the column-major block `values`
    /// (`rows` rows, column `f` at `values[f * rows ..< (f + 1) * rows]`) among those some
    /// tree of `trees` splits on; nil when there is none. Most columns differ within the
    /// first rows, so the scan is short for them.
    static func constantColumns(of trees: [Tree], values: UnsafeBufferPointer<Float>, rows n: Int,
                                columns: Int) -> (isFixed: [Bool], values: [Float])? {
        guard n > 0, values.count >= n * columns else { return nil }
        var used = [Bool](repeating: false, count: columns)
        for t in trees {
            for f in t.feature where f >= 0 && Int(f) < columns { used[Int(f)] = true }
        }
        var isFixed = [Bool](repeating: false, count: columns)
        var fixedValues = [Float](repeating: 0, count: columns)
        var any = false
        for f in 0..<columns where used[f] {
            let start = f * n
            let first = values[start].bitPattern
            var same = true
            for i in (start + 1)..<(start + n) where values[i].bitPattern != first {
                same = false
                break
            }
            if same {
                isFixed[f] = true
                fixedValues[f] = values[start]
                any = true
            }
        }
        return any ? (isFixed, fixedValues) : nil
    }
}

extension Tree {
    /// A tree that is one zero leaf.
    static var leafOnly: Tree {
        var t = Tree()
        _ = t.appendLeaf(value: 0, cover: 0)
        return t
    }
}
