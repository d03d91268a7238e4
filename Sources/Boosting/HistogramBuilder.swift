import Runtime

/// Builds gradient histograms of a node: for every selected feature and bin, the sums of the
/// (gradient, hessian) pairs of the node's rows whose value falls in that bin.
///
/// The node's rows are a range of the row partition (`rowIndex`), with their gradient pairs
/// stored beside them in the same order ("ordered gradients"), so the kernel streams the
/// gradients and gathers only one byte per row and feature from the feature's bin column.
/// Features are summed four (or three, or two) at a time (`HistogramKernel`).
///
/// Determinism and precision: rows are cut into blocks of `blockRows` (a constant, not a
/// function of the thread count). Each (block, feature) is summed in `SIMD2<Float>` — 8-byte
/// read-modify-writes keep the kernel fast, and a block is short enough for float sums to stay
/// accurate — and the block partials are then added into the `SIMD2<Double>` histogram in block
/// order. Threads only decide who computes which partial, so any thread count gives bitwise the
/// same histogram.
///
/// Packed low-cardinality features (`FeaturePacking`): when a node has enough rows
/// (`minRowsPerJointBin` per joint bin) and at least two features of a packed group are
/// requested, the block sums the group's joint code into a transient joint histogram (one
/// read-modify-write per row for the whole group) and marginalises it into the members' float
/// bins of the block, before the same block-ordered merge: exact, and still the same for every
/// thread count (only the order in which a bin's rows are summed differs from the unpacked path).
///
/// Row-wise nodes: a gathered node (not the identity root) of at most `rowWiseMaxDensity` of the
/// matrix's rows reads the bytes of its unpacked features and packed groups from the ordered
/// records (`BinRecords`, `RowPartitioner.records`): its records are contiguous, so it streams
/// one record per row instead of gathering a byte per row from every column. The block is walked
/// in sub-blocks of `recordRows` positions, each summed pass by pass (four items at a time, as
/// column-wise) while its records stay in the L1 cache, so every (block, item) partial still
/// receives its rows in position order: row-wise and column-wise histograms are bitwise equal.
/// Members of a group that is not packed for the node are not in the records; they are summed
/// column-wise.
final class HistogramBuilder {
    static let blockRows = 16_384
    /// A packed group is used for a node with at least this many rows per joint bin: marginalising
    /// costs about one float add per joint bin and requested member per block, while each row
    /// saves one gathered byte and one scattered add per member beyond the first. Measured on
    /// 200,000 rows of the pipeline's shape (19 binary features, a 10-valued and two 8-valued
    /// ones → groups of 160, 256, 256 and 32 joint bins; gathered rows, 1 thread, load 4–6): summing only
    /// the 22 low-cardinality features, packing costs 1.3× at 128 rows (0.5 per joint bin), 0.78×
    /// at 256, 0.57× at 512 and 0.4× from 1,024; with the other 22 features of 64 bins as well
    /// it already pays at 64 rows (0.5×). Two rows per joint bin keeps the packed path to nodes
    /// where it pays in both cases.
    static let packMinRowsPerJointBin = 2
    /// This builder's threshold (`packMinRowsPerJointBin`; benchmarks vary it).
    var minRowsPerJointBin = HistogramBuilder.packMinRowsPerJointBin
    /// A gathered node with at most this fraction of the matrix's rows is summed row-wise from
    /// the ordered records (when it has them). Measured per depth on 4M rows × 44 features (the
    /// 10M peers' GBDT: 26 slots, 0.8/0.8 sampling, 2 threads, both paths on the same nodes, load
    /// ~4.5), ns per row row-wise / column-wise: depth 1 (~0.35 of the rows) 19.1 / 15.6, depth 2
    /// 19.0 / 16.4, depth 3 (~0.09) 18.5 / 18.9, depth 4 18.8 / 32.4, depth 5 19.4 / 83.4.
    static let rowWiseMaxDensity = 0.125
    /// This builder's threshold (`rowWiseMaxDensity`; tests and benchmarks vary it: 0 = never
    /// row-wise, 1 = every gathered node).
    var rowWiseMaxDensity = HistogramBuilder.rowWiseMaxDensity
    /// Positions per sub-block of a row-wise block: their records stay in the L1 cache while the
    /// block's passes read them.
    static let recordRows = 4_096
    /// This builder's sub-block (`recordRows`; benchmarks vary it).
    var recordRows = HistogramBuilder.recordRows

    let binned: BinnedMatrix
    /// Feature `f`'s bins start at `offsets[f]` in a histogram (value bins, then missing).
    let offsets: [Int]
    let totalBins: Int
    /// The packed groups; nil when packing is off or no two features fit a group.
    let packing: FeaturePacking?
    /// The row-major records of the unpacked features and packed groups, built on first use
    /// (only the tree builder's ordered records need them).
    private(set) lazy var records = BinRecords(binned: binned, packing: packing, threads: recordThreads)
    private let recordThreads: Int
    /// Slots of a record: the features outside packed groups, and the groups.
    var recordSlots: Int {
        guard let pk = packing else { return binned.features }
        return pk.groupOf.filter { $0 < 0 }.count + pk.groups.count
    }
    /// Group `g`'s joint histogram starts at `jointOffsets[g]` in a block's joint scratch.
    private let jointOffsets: [Int]
    private let jointTotal: Int
    private let partials: UnsafeMutablePointer<SIMD2<Float>>
    private let joints: UnsafeMutablePointer<SIMD2<Float>>
    private let maxBlocks: Int

    /// One unit of kernel work: feature `feature` summed into its own bins (`group` -1), or the
    /// packed group `group` summed into its joint histogram.
    struct Item: Equatable {
        var feature: Int
        var group: Int
    }

    /// - Parameters:
    ///   - packLowCardinality: pack low-cardinality features (`FeaturePacking`); false sums every
    ///     feature on its own.
    ///   - threads: threads for computing the packed codes.
    init(binned: BinnedMatrix, packLowCardinality: Bool = true, threads: Int = 1) {
        self.binned = binned
        var offs: [Int] = []
        var t = 0
        for f in 0..<binned.features {
            offs.append(t)
            t += binned.cuts.binCount(f) + 1
        }
        offs.append(t)
        offsets = offs
        totalBins = t
        maxBlocks = max(1, (binned.rows + Self.blockRows - 1) / Self.blockRows)
        partials = .allocate(capacity: maxBlocks * max(1, t))
        let pk = packLowCardinality ? FeaturePacking(binned: binned, threads: threads) : nil
        packing = (pk?.groups.isEmpty ?? true) ? nil : pk
        var jo: [Int] = []
        var jt = 0
        for g in packing?.groups ?? [] { jo.append(jt); jt += g.jointBins }
        jointOffsets = jo
        jointTotal = jt
        joints = .allocate(capacity: max(1, maxBlocks * jt))
        recordThreads = threads
    }

    deinit { partials.deallocate(); joints.deallocate() }

    /// How a node of `count` rows sums `features`: the kernel items, and for every group the
    /// member positions (in the group) of its requested features when the group is packed
    /// (empty otherwise).
    func plan(count: Int, features: [Int]) -> (items: [Item], members: [[Int]]) {
        guard let pk = packing else { return (features.map { Item(feature: $0, group: -1) }, []) }
        var members = [[Int]](repeating: [], count: pk.groups.count)
        for f in features {
            let g = pk.groupOf[f]
            if g >= 0, let k = pk.groups[g].features.firstIndex(of: f) { members[g].append(k) }
        }
        for g in 0..<members.count where members[g].count < 2 || count < minRowsPerJointBin * pk.groups[g].jointBins {
            members[g] = []
        }
        var items: [Item] = []
        for g in 0..<members.count where !members[g].isEmpty { items.append(Item(feature: -1, group: g)) }
        for f in features {
            let g = pk.groupOf[f]
            if g < 0 || members[g].isEmpty { items.append(Item(feature: f, group: -1)) }
        }
        return (items, members)
    }

    /// Whether a node of `count` rows reads its record items row-wise (`rowWiseMaxDensity`) when
    /// ordered records are given.
    func summedRowWise(count: Int, identity: Bool) -> Bool {
        !identity && Double(count) <= rowWiseMaxDensity * Double(binned.rows)
    }

    /// Fills `out` (totalBins entries) with the histogram of rows `range` of the partition; the
    /// bins of features not in `features` are left alone.
    /// - Parameters:
    ///   - identity: the partition range is exactly rows `range` in order (the root without
    ///     subsampling), so bins are read sequentially without the index.
    ///   - records: the ordered records of the partition positions (`records.stride` bytes
    ///     each), or nil to read every item column-wise.
    func build(
        range: Range<Int>, rowIndex: UnsafePointer<UInt32>, gradients: UnsafePointer<SIMD2<Float>>,
        identity: Bool, features: [Int], threads: Int, records ordered: UnsafeRawPointer? = nil,
        out: UnsafeMutablePointer<GradSum>
    ) {
        let count = range.count
        let blocks = max(1, (count + Self.blockRows - 1) / Self.blockRows)
        let nf = features.count
        let (items, members) = plan(count: count, features: features)
        let ni = items.count
        // Enough tasks to balance: split the items into groups when there are few blocks.
        let work = count * ni
        let useThreads = work < 65_536 ? 1 : threads
        let groups = blocks >= 4 * useThreads ? 1 : min(ni, max(1, (4 * useThreads + blocks - 1) / blocks))
        let itemGroups = splitRange(ni, parts: groups)
        let nRows = binned.rows
        // Row-wise: the items with a record slot, per item group, read from the records; the others column-wise.
        let rowWise = ordered != nil && summedRowWise(count: count, identity: identity)
        let rec: BinRecords? = rowWise ? records : nil
        func slot(_ it: Item) -> Int {
            guard let rec else { return -1 }
            return it.group >= 0 ? rec.groupSlot[it.group] : rec.featureSlot[it.feature]
        }
        let recordItems = itemGroups.map { ig in rowWise ? ig.filter { slot(items[$0]) >= 0 } : [] }
        let columnItems = itemGroups.map { ig in rowWise ? ig.filter { slot(items[$0]) < 0 } : Array(ig) }
        let recordPasses = recordItems.map { HistogramKernel.passWidths($0.count) }
        let columnPasses = columnItems.map { HistogramKernel.passWidths($0.count) }
        let offs = offsets
        let total = totalBins
        let jointOffs = jointOffsets
        let jTotal = jointTotal
        let packGroups = packing?.groups ?? []
        let part = UnsafeSendable(partials)
        let joint = UnsafeSendable(joints)
        let idx = UnsafeSendable(rowIndex)
        let grad = UnsafeSendable(gradients)
        let codes = packing?.codes ?? []
        let recStride = rec?.stride ?? 0
        let subRows = max(1, recordRows)
        binned.bins.withUnsafeBufferPointer { binsBuf in
            codes.withUnsafeBufferPointer { codesBuf in
                do {
                    let bins = UnsafeSendable(binsBuf)
                    let codeCols = UnsafeSendable(codesBuf)
                    let recBytes = UnsafeSendable(ordered?.assumingMemoryBound(to: UInt8.self))
                    parallelFor(chunks: blocks * itemGroups.count, threads: useThreads) { task in
                        let blk = task / itemGroups.count
                        let gi = task % itemGroups.count
                        let ig = itemGroups[gi]
                        let lo = range.lowerBound + blk * Self.blockRows
                        let hi = min(range.upperBound, lo + Self.blockRows)
                        guard let binBase = bins.value.baseAddress else { return }
                        let codeBase = codeCols.value.baseAddress ?? binBase
                        let recBase = recBytes.value ?? binBase
                        let g = grad.value
                        let ix = idx.value
                        let hb = part.value + blk * total
                        let jb = joint.value + blk * jTotal
                        func zero(_ f: Int) { (hb + offs[f]).initialize(repeating: SIMD2<Float>(0, 0), count: offs[f + 1] - offs[f]) }
                        // The column an item reads and the float histogram it adds into.
                        func column(_ it: Item) -> UnsafePointer<UInt8> {
                            it.group >= 0 ? codeBase + it.group * nRows : binBase + it.feature * nRows
                        }
                        func recordColumn(_ it: Item) -> UnsafePointer<UInt8> { recBase + slot(it) }
                        func histogram(_ it: Item) -> UnsafeMutablePointer<SIMD2<Float>> {
                            it.group >= 0 ? jb + jointOffs[it.group] : hb + offs[it.feature]
                        }
                        /// Sums positions `a..<b` of the items `list` in passes of `widths`.
                        func passes<R: HistogramRows>(_ rows: R, _ a: Int, _ b: Int, _ list: [Int], _ widths: [Int],
                                                      _ col: (Item) -> UnsafePointer<UInt8>) {
                            var k = 0
                            for width in widths {
                                // Unused lanes repeat the first item; the kernel does not touch them.
                                let i0 = items[list[k]], i1 = items[list[k + min(1, width - 1)]]
                                let i2 = items[list[k + min(2, width - 1)]], i3 = items[list[k + min(3, width - 1)]]
                                let c = (col(i0), col(i1), col(i2), col(i3))
                                let h = (histogram(i0), histogram(i1), histogram(i2), histogram(i3))
                                HistogramKernel.accumulate(rows, a, b, g, width: width, columns: c, histograms: h)
                                k += width
                            }
                        }
                        for k in ig {
                            let it = items[k]
                            if it.group < 0 {
                                zero(it.feature)
                            } else {
                                (jb + jointOffs[it.group]).initialize(repeating: SIMD2<Float>(0, 0), count: packGroups[it.group].jointBins)
                                for m in members[it.group] { zero(packGroups[it.group].features[m]) }
                            }
                        }
                        if identity {
                            passes(SequentialRows(), lo, hi, columnItems[gi], columnPasses[gi], column)
                        } else {
                            passes(GatheredRows(index: ix), lo, hi, columnItems[gi], columnPasses[gi], column)
                        }
                        if !recordItems[gi].isEmpty {
                            let rows = OrderedRecords(stride: recStride)
                            var a = lo
                            while a < hi {
                                let b = min(hi, a + subRows)
                                passes(rows, a, b, recordItems[gi], recordPasses[gi], recordColumn)
                                a = b
                            }
                        }
                        for k in ig where items[k].group >= 0 {
                            let grp = packGroups[items[k].group]
                            let jh = UnsafePointer(jb + jointOffs[items[k].group])
                            for m in members[items[k].group] {
                                HistogramKernel.marginalise(jh, jointBins: grp.jointBins, stride: grp.strides[m],
                                                            radix: grp.radices[m], into: hb + offs[grp.features[m]])
                            }
                        }
                    }
                }
            }
        }
        // Merge block partials in block order, in double precision.
        let o = UnsafeSendable(out)
        parallelFor(chunks: nf, threads: blocks * nf * 64 < 1 << 16 ? 1 : threads) { k in
            let f = features[k]
            let start = offs[f], end = offs[f + 1]
            for b in start..<end {
                var s = GradSum(0, 0)
                for blk in 0..<blocks {
                    let p = part.value[blk * total + b]
                    s += GradSum(Double(p.x), Double(p.y))
                }
                o.value[b] = s
            }
        }
    }
}
