import Runtime

/// Grows one tree on the binned matrix from per-row gradient pairs, depth-wise or loss-guided,
/// with the histogram subtraction trick (build the smaller child's histogram, derive the
/// sibling as parent − smaller).
final class TreeBuilder {
    struct Settings {
        var rule: SplitRule
        var eta: Float
        var maxDepth: Int      // 0 = unlimited
        var maxLeaves: Int     // 0 = unlimited
        var policy: GrowPolicy
        var threads: Int
        /// Sum packed groups of low-cardinality features (`FeaturePacking`).
        var packLowCardinality = true
        /// Gathered nodes with at most this fraction of the rows sum row-wise (`HistogramBuilder`).
        var rowWiseMaxDensity = HistogramBuilder.rowWiseMaxDensity
        /// Ordered records are kept only when the record items' columns hold at least this many
        /// bytes (`TreeBuilder.orderedRecordsMinBytes`).
        var orderedRecordsMinBytes = TreeBuilder.orderedRecordsMinBytes
    }

    /// A node that may still be split.
    private struct Open {
        var node: Int
        var range: Range<Int>
        var depth: Int
        var sum: GradSum
        var hist: Int           // slot in the histogram pool, -1 if none
        var split: SplitCandidate?
        /// The node's ordered records are in `partitioner.records(depth:)`.
        var ordered = false
    }

    /// A node of at most this fraction of the rows gathers its children's ordered records when
    /// it is split (`RowPartitioner.RecordMode.gather`), and they move on with every later
    /// split: the smaller child then has at most half of it, within the row-wise histograms'
    /// `HistogramBuilder.rowWiseMaxDensity`. Larger nodes, whose children sum column-wise,
    /// skip the record traffic.
    static let orderedRecordsMaxDensity = 0.25
    /// Ordered records pay when the columns a histogram reads (rows × record slots bytes) do not
    /// fit the last-level cache, where a deep node's scattered column reads go to memory. The
    /// 10M peers' GBDT (4M rows × 26 slots, 104 MB) trains in 0.92× the CPU with them; at 1M
    /// (800k rows, 21 MB, in the 32 MB L3 here) in 1.10×, so they are off below 48 MB.
    static let orderedRecordsMinBytes = 48 << 20

    let binned: BinnedMatrix
    let histograms: HistogramBuilder
    let partitioner: RowPartitioner
    let settings: Settings
    private var pool: [UnsafeMutablePointer<GradSum>] = []
    private var freeSlots: [Int] = []
    /// After `grow`, where the sampled rows ended: ranges of the partition and their leaves.
    private(set) var leafRanges: [LeafRows] = []
    /// Splits whose children are leaves (the depth limit): their rows are not partitioned.
    private var unpartitioned: [LeafRows] = []

    init(binned: BinnedMatrix, settings: Settings) {
        self.binned = binned
        self.settings = settings
        histograms = HistogramBuilder(binned: binned, packLowCardinality: settings.packLowCardinality,
                                      threads: settings.threads)
        histograms.rowWiseMaxDensity = settings.rowWiseMaxDensity
        let slots = histograms.recordSlots
        let keep = slots <= 64 && binned.rows * slots >= settings.orderedRecordsMinBytes
        partitioner = RowPartitioner(capacity: binned.rows, recordStride: keep ? histograms.records.stride : 0)
    }

    deinit { for p in pool { p.deallocate() } }

    private func allocateHist() -> Int {
        if let s = freeSlots.popLast() { return s }
        let p = UnsafeMutablePointer<GradSum>.allocate(capacity: max(1, histograms.totalBins))
        p.initialize(repeating: GradSum(0, 0), count: max(1, histograms.totalBins))
        pool.append(p)
        return pool.count - 1
    }

    private func release(_ slot: Int) { if slot >= 0 { freeSlots.append(slot) } }

    /// Grows a tree on the rows already placed in `partitioner` positions `0..<rowCount` (with
    /// their gradients). `identity` says the rows are exactly `0..<rowCount` in order.
    func grow(rowCount: Int, identity: Bool, features: [Int]) -> Tree {
        let s = settings
        let rule = s.rule
        var tree = Tree()
        leafRanges = []
        unpartitioned = []
        // Root sum in a fixed order (blocks of the histogram block size, then in order).
        let root = 0..<rowCount
        let rootSlot = allocateHist()
        histograms.build(range: root, rowIndex: partitioner.rowIndex, gradients: partitioner.gradients,
                         identity: identity, features: features, threads: s.threads, out: pool[rootSlot])
        var sum = GradSum(0, 0)
        if let f0 = features.first {
            for b in histograms.offsets[f0]..<histograms.offsets[f0 + 1] { sum += pool[rootSlot][b] }
        } else {
            for i in root { let g = partitioner.gradients[i]; sum += GradSum(Double(g.x), Double(g.y)) }
        }
        _ = tree.appendLeaf(value: s.eta * Float(rule.weight(sum)), cover: Float(sum.y))
        var rootOpen = Open(node: 0, range: root, depth: 0, sum: sum, hist: rootSlot, split: nil)
        rootOpen.split = canSplit(depth: 0) ? evaluate(rootOpen, features) : nil

        var leaves = 1
        var finished: [Open] = []
        switch s.policy {
        case .depthwise:
            var level = [rootOpen]
            while !level.isEmpty {
                var next: [Open] = []
                for o in level {
                    guard o.split != nil, s.maxLeaves == 0 || leaves < s.maxLeaves else {
                        release(o.hist); finished.append(o); continue
                    }
                    let (l, r) = expand(o, &tree, features)
                    leaves += 1
                    next.append(l); next.append(r)
                }
                level = next
            }
        case .lossguide:
            var open = [rootOpen]
            while true {
                // Best gain first; ties go to the lower node id.
                var pick = -1
                for (k, o) in open.enumerated() {
                    guard let g = o.split?.gain else { continue }
                    if pick < 0 { pick = k; continue }
                    let pg = open[pick].split?.gain ?? 0
                    if g > pg || (g == pg && o.node < open[pick].node) { pick = k }
                }
                if pick < 0 || (s.maxLeaves > 0 && leaves >= s.maxLeaves) { break }
                let o = open.remove(at: pick)
                let (l, r) = expand(o, &tree, features)
                leaves += 1
                open.append(l); open.append(r)
            }
            for o in open { release(o.hist); finished.append(o) }
        }
        leafRanges = (finished.filter { !$0.range.isEmpty }.map { LeafRows(node: $0.node, range: $0.range, split: nil) }
                      + unpartitioned).sorted { $0.range.lowerBound < $1.range.lowerBound }
        return tree
    }

    private func canSplit(depth: Int) -> Bool { settings.maxDepth == 0 || depth < settings.maxDepth }

    private func evaluate(_ o: Open, _ features: [Int]) -> SplitCandidate? {
        guard o.hist >= 0, o.range.count >= 2 else { return nil }
        return SplitEvaluator.best(histogram: pool[o.hist], offsets: histograms.offsets, cuts: binned.cuts,
                                   features: features, sum: o.sum, rule: settings.rule)
    }

    /// Partitions `range` by split `sp`: from the ordered records when the partitioner keeps them
    /// (the split byte is the feature's bin, or its packed group's code, mapped by a 256-entry
    /// table), else from the feature's bin column.
    private func partition(_ o: Open, _ sp: SplitCandidate, threads: Int) -> (mid: Int, ordered: Bool) {
        let range = o.range, depth = o.depth
        let f = sp.feature
        let nb = binned.cuts.binCount(f)
        func goesLeft(_ b: Int) -> Bool { b == nb ? sp.defaultLeft : b <= sp.bin }
        let rec = histograms.records
        if o.ordered, partitioner.recordStride > 0 {
            var table = [UInt8](repeating: 0, count: 256)
            if rec.featureSlot[f] >= 0 {
                for b in 0..<256 { table[b] = goesLeft(b) ? 1 : 0 }
                return (partitioner.partition(range: range, recordSlot: rec.featureSlot[f], left: table, depth: depth, threads: threads), true)
            }
            if let pk = histograms.packing, pk.groupOf[f] >= 0, let k = pk.groups[pk.groupOf[f]].features.firstIndex(of: f) {
                let g = pk.groupOf[f]
                let grp = pk.groups[g]
                for code in 0..<256 { table[code] = goesLeft((code / grp.strides[k]) % grp.radices[k]) ? 1 : 0 }
                return (partitioner.partition(range: range, recordSlot: rec.groupSlot[g], left: table, depth: depth, threads: threads), true)
            }
        }
        let gather = partitioner.recordStride > 0
            && Double(range.count) <= Self.orderedRecordsMaxDensity * Double(binned.rows)
        let mode: RowPartitioner.RecordMode = gather ? .gather(source: rec, depth: depth) : .none
        let mid = binned.bins.withUnsafeBufferPointer { b -> Int in
            guard let base = b.baseAddress else { return range.lowerBound }
            return partitioner.partition(range: range, column: base + f * binned.rows, splitBin: sp.bin,
                                         missingBin: nb, defaultLeft: sp.defaultLeft, records: mode, threads: threads)
        }
        return (mid, gather)
    }

    /// Splits `o`: partitions its rows, records the split in `tree`, and prepares both children
    /// (histograms and best splits) if they may split further.
    private func expand(_ o: Open, _ tree: inout Tree, _ features: [Int]) -> (Open, Open) {
        guard let sp = o.split else { fatalError("expand called without a split") }
        let s = settings
        let f = sp.feature
        let nb = binned.cuts.binCount(f)
        // Children at the depth limit are leaves: their rows need no partition, only their leaf
        // (`LeafRows.split`), so they keep the parent's range and the children get none.
        let final = !canSplit(depth: o.depth + 1)
        let (mid, ordered) = final ? (o.range.lowerBound, false) : partition(o, sp, threads: s.threads)
        let leftNode = tree.appendLeaf(value: s.eta * Float(s.rule.weight(sp.left)), cover: Float(sp.left.y))
        _ = tree.appendLeaf(value: s.eta * Float(s.rule.weight(sp.right)), cover: Float(sp.right.y))
        let i = o.node
        tree.feature[i] = Int32(f)
        tree.splitBin[i] = Int16(sp.bin)
        // "After the last value bin" sends every non-missing value left: use the largest float
        // so values beyond the sketch's range agree with their (clamped) bin.
        if sp.bin < 0 {
            tree.threshold[i] = -Float.greatestFiniteMagnitude
        } else if sp.bin >= nb - 1 {
            tree.threshold[i] = Float.greatestFiniteMagnitude
        } else {
            tree.threshold[i] = binned.cuts.cut(f, sp.bin)
        }
        tree.left[i] = Int32(leftNode)
        tree.defaultLeft[i] = sp.defaultLeft
        tree.gain[i] = Float(sp.gain)
        if final {
            unpartitioned.append(LeafRows(node: leftNode, range: o.range, split: .init(
                feature: f, bin: sp.bin, missingBin: nb, defaultLeft: sp.defaultLeft)))
            release(o.hist)
            let empty = o.range.lowerBound..<o.range.lowerBound
            return (Open(node: leftNode, range: empty, depth: o.depth + 1, sum: sp.left, hist: -1, split: nil),
                    Open(node: leftNode + 1, range: empty, depth: o.depth + 1, sum: sp.right, hist: -1, split: nil))
        }
        var l = Open(node: leftNode, range: o.range.lowerBound..<mid, depth: o.depth + 1, sum: sp.left, hist: -1, split: nil,
                     ordered: ordered)
        var r = Open(node: leftNode + 1, range: mid..<o.range.upperBound, depth: o.depth + 1, sum: sp.right, hist: -1, split: nil,
                     ordered: ordered)
        let records = ordered ? partitioner.records(depth: o.depth + 1) : nil
        if canSplit(depth: o.depth + 1), l.range.count >= 2 || r.range.count >= 2 {
            // Build the smaller child; the sibling reuses the parent's buffer: parent − smaller.
            let leftSmaller = l.range.count <= r.range.count
            let small = leftSmaller ? l.range : r.range
            let slot = allocateHist()
            histograms.build(range: small, rowIndex: partitioner.rowIndex, gradients: partitioner.gradients,
                             identity: false, features: features, threads: s.threads,
                             records: records, out: pool[slot])
            let parent = pool[o.hist], child = pool[slot]
            for k in features {
                for b in histograms.offsets[k]..<histograms.offsets[k + 1] { parent[b] -= child[b] }
            }
            if leftSmaller { l.hist = slot; r.hist = o.hist } else { r.hist = slot; l.hist = o.hist }
            l.split = evaluate(l, features)
            r.split = evaluate(r, features)
        } else {
            release(o.hist)
        }
        return (l, r)
    }
}
