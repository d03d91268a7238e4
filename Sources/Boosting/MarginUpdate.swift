import Runtime

/// Adds a freshly grown tree's leaf values to the training margins, without predicting from
/// float features: the sampled rows through the builder's leaf ranges, the others (rows left out
/// by `subsample`) by walking the tree on their bins.
enum MarginUpdate {
    /// Adds to `margins[row]` the value of the leaf every row of `leafRows` reaches (rows of the
    /// partition `rowIndex`).
    static func addSampled(tree: Tree, leafRows: [LeafRows], rowIndex: UnsafePointer<UInt32>, binned: BinnedMatrix,
                           margins: UnsafeMutablePointer<Float>, threads: Int) {
        let rowCount = leafRows.reduce(0) { $0 + $1.range.count }
        let n = binned.rows
        let (m, ix) = (UnsafeSendable(margins), UnsafeSendable(rowIndex))
        binned.bins.withUnsafeBufferPointer { bb in
            let bins = UnsafeSendable(bb)
            parallelFor(chunks: leafRows.count, threads: rowCount < 65_536 ? 1 : threads) { k in
                let lr = leafRows[k]
                let v = tree.value[lr.node]
                guard let s = lr.split, let base = bins.value.baseAddress else {
                    for i in lr.range { m.value[Int(ix.value[i])] += v }
                    return
                }
                let column = base + s.feature * n
                let vr = tree.value[lr.node + 1]
                for i in lr.range {
                    let row = Int(ix.value[i])
                    m.value[row] += s.goesLeft(Int(column[row])) ? v : vr
                }
            }
        }
    }

    /// Adds to `margins[row]` the tree's value for every row with `sampled[row]` false, walking
    /// the tree on the row's bins.
    static func addUnsampled(tree: Tree, sampled: UnsafeBufferPointer<Bool>, binned: BinnedMatrix,
                             margins: UnsafeMutablePointer<Float>, threads: Int) {
        let n = binned.rows
        // The tree flattened for the walk: per node its bin column's offset, the rule and the
        // left child, read from one contiguous array. A leaf leads to itself (column 0, every bin
        // goes "left" to the leaf), so every row takes `depth` steps without a branch, and rows
        // are walked `batch` at a time: their bin loads (cache misses) overlap.
        var steps: [Step] = []
        steps.reserveCapacity(tree.count)
        for i in 0..<tree.count {
            let f = Int(tree.feature[i])
            steps.append(f < 0
                ? Step(column: 0, bin: Int32.max, missingBin: -1, defaultLeft: true, left: Int32(i), value: tree.value[i])
                : Step(column: f * n, bin: Int32(tree.splitBin[i]), missingBin: Int32(binned.cuts.binCount(f)),
                       defaultLeft: tree.defaultLeft[i], left: tree.left[i], value: tree.value[i]))
        }
        let depth = tree.depth
        let batch = 16
        let (m, s) = (UnsafeSendable(margins), UnsafeSendable(sampled))
        binned.bins.withUnsafeBufferPointer { bb in
            let bins = UnsafeSendable(bb)
            steps.withUnsafeBufferPointer { sp in
                let st = UnsafeSendable(sp)
                parallelRanges(n, threads: threads, minBlock: 65_536) { r in
                    guard let b = bins.value.baseAddress, let nodes = st.value.baseAddress else { return }
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * batch) { buf in
                        guard let rows = buf.baseAddress else { return }
                        let at = rows + batch
                        var k = 0
                        func walk() {
                            for j in 0..<k { at[j] = 0 }
                            for _ in 0..<depth {
                                for j in 0..<k {
                                    let node = nodes[at[j]]
                                    let bin = Int32(b[node.column + rows[j]])
                                    let goLeft = bin == node.missingBin ? node.defaultLeft : bin <= node.bin
                                    at[j] = Int(node.left) + (goLeft ? 0 : 1)
                                }
                            }
                            for j in 0..<k { m.value[rows[j]] += nodes[at[j]].value }
                            k = 0
                        }
                        for row in r where !s.value[row] {
                            rows[k] = row
                            k += 1
                            if k == batch { walk() }
                        }
                        walk()
                    }
                }
            }
        }
    }

    private struct Step {
        var column: Int
        var bin: Int32
        var missingBin: Int32
        var defaultLeft: Bool
        var left: Int32
        var value: Float
    }
}
