import Boosting

/// A boosted model's trees with the splits on constant columns resolved: for a block of rows in
/// which column `c` holds one value in every row, a split on `c` sends every row the same way,
/// so the specialised tree keeps only that branch. Each tree still ends in exactly the leaf the
/// original tree gives every row of the block, so summing the leaves in tree order reproduces
/// `BoostedModel.predictMargins` bit for bit.
///
/// For one user against every movie the user's columns are constant, and typically a third or
/// more of the path steps disappear.
struct ForestSpecialization: Sendable {
    /// A node: threshold (split) or value (leaf); feature −1 for a leaf; left child index with
    /// bit 31 set when a missing value goes left (the right child is left + 1).
    struct Node: Sendable {
        var thresholdOrValue: Float
        var feature: Int32
        var leftAndDefault: UInt32
    }

    private(set) var nodes: [Node] = []
    private(set) var roots: [Int32] = []
    /// Steps from the root to the deepest leaf, per tree.
    private(set) var depths: [Int32] = []

    /// Specialises `model` for the column-major `block` (`rows` × `columns`): a column is
    /// constant when every row holds the same bit pattern as row 0.
    init(_ model: BoostedModel, block: UnsafeBufferPointer<Float>, rows: Int, columns: Int) {
        var constant = [Float?](repeating: nil, count: columns)
        if rows > 0 {
            for c in 0..<columns {
                let first = block[c * rows].bitPattern
                var same = true
                for i in 1..<rows where block[c * rows + i].bitPattern != first { same = false; break }
                if same { constant[c] = Float(bitPattern: first) }
            }
        }
        self.init(model, constants: constant)
    }

    /// Specialises `model` for rows whose column `c` is `constants[c]` where that is not nil.
    init(_ model: BoostedModel, constants: [Float?]) {
        nodes.reserveCapacity(model.trees.reduce(0) { $0 + $1.count })
        for tree in model.trees {
            let slot = nodes.count
            roots.append(Int32(slot))
            nodes.append(Node(thresholdOrValue: 0, feature: -1, leftAndDefault: 0))
            depths.append(emit(tree, 0, into: slot, constants: constants))
        }
    }

    /// Writes the specialised subtree of `tree`'s node `start` into `nodes[slot]` (children
    /// appended as adjacent pairs); returns its depth.
    private mutating func emit(_ tree: Tree, _ start: Int, into slot: Int, constants: [Float?]) -> Int32 {
        var i = start
        // Follow splits on constant columns.
        while tree.feature[i] >= 0 {
            let f = Int(tree.feature[i])
            guard f < constants.count, let x = constants[f] else { break }
            let goLeft = x.isNaN ? tree.defaultLeft[i] : x < tree.threshold[i]
            i = Int(tree.left[i]) + (goLeft ? 0 : 1)
        }
        if tree.feature[i] < 0 {
            nodes[slot] = Node(thresholdOrValue: tree.value[i], feature: -1, leftAndDefault: 0)
            return 0
        }
        let l = nodes.count
        nodes.append(Node(thresholdOrValue: 0, feature: -1, leftAndDefault: 0))
        nodes.append(Node(thresholdOrValue: 0, feature: -1, leftAndDefault: 0))
        nodes[slot] = Node(thresholdOrValue: tree.threshold[i], feature: tree.feature[i],
                           leftAndDefault: UInt32(l) | (tree.defaultLeft[i] ? 0x8000_0000 : 0))
        let dl = emit(tree, Int(tree.left[i]), into: l, constants: constants)
        let dr = emit(tree, Int(tree.left[i]) + 1, into: l + 1, constants: constants)
        return 1 + max(dl, dr)
    }

    /// Adds every tree's leaf, in tree order, to `out[r]` for the rows `range` of the
    /// column-major `block` (`rows` rows).
    func accumulate(block: UnsafeBufferPointer<Float>, rows n: Int, range: Range<Int>, into out: UnsafeMutableBufferPointer<Float>) {
        nodes.withUnsafeBufferPointer { nb in
            guard let np = nb.baseAddress, let vp = block.baseAddress, let op = out.baseAddress else { return }
            @inline(__always) func step(_ i: Int, _ row: Int) -> Int {
                let nd = np[i]
                if nd.feature < 0 { return i }
                let x = vp[Int(nd.feature) * n + row]
                let l = Int(nd.leftAndDefault & 0x7FFF_FFFF)
                let goLeft = x.isNaN ? (nd.leftAndDefault & 0x8000_0000) != 0 : x < nd.thresholdOrValue
                return goLeft ? l : l + 1
            }
            var s = range.lowerBound
            while s < range.upperBound {
                let e = min(range.upperBound, s + 64)
                for k in roots.indices {
                    let r = Int(roots[k]), steps = Int(depths[k])
                    if steps == 0 {
                        let v = np[r].thresholdOrValue
                        for row in s..<e { op[row] += v }
                        continue
                    }
                    var row = s
                    while row + 8 <= e {
                        var i0 = r, i1 = r, i2 = r, i3 = r, i4 = r, i5 = r, i6 = r, i7 = r
                        for _ in 0..<steps {
                            i0 = step(i0, row); i1 = step(i1, row + 1); i2 = step(i2, row + 2); i3 = step(i3, row + 3)
                            i4 = step(i4, row + 4); i5 = step(i5, row + 5); i6 = step(i6, row + 6); i7 = step(i7, row + 7)
                        }
                        op[row] += np[i0].thresholdOrValue; op[row + 1] += np[i1].thresholdOrValue
                        op[row + 2] += np[i2].thresholdOrValue; op[row + 3] += np[i3].thresholdOrValue
                        op[row + 4] += np[i4].thresholdOrValue; op[row + 5] += np[i5].thresholdOrValue
                        op[row + 6] += np[i6].thresholdOrValue; op[row + 7] += np[i7].thresholdOrValue
                        row += 8
                    }
                    while row < e {
                        var i = r
                        for _ in 0..<steps { i = step(i, row) }
                        op[row] += np[i].thresholdOrValue
                        row += 1
                    }
                }
                s = e
            }
        }
    }
}
