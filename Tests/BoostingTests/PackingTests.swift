import XCTest
@testable import Boosting
import Runtime

/// Histograms over packed low-cardinality features (`FeaturePacking`) against naive double
/// sums and against the per-feature path, and training with packing on and off.
final class PackingTests: XCTestCase {
    /// Columns: 0 binary, 1 binary with missing values, 2 three-valued, 3 eight-valued,
    /// 4 continuous (256 bins), 5 eight-valued with missing values, 6…8 binary, 9 four-valued.
    private func mixed(rows n: Int, seed: UInt64) throws -> (features: FeatureMatrix, labels: [Float]) {
        var rng = SplitMix64(seed: seed)
        let columns = 10
        var v = [Float](repeating: 0, count: n * columns)
        var labels = [Float](repeating: 0, count: n)
        for i in 0..<n {
            func discrete(_ k: Int) -> Float { Float(rng.nextBelow(k)) }
            v[0 * n + i] = discrete(2)
            v[1 * n + i] = rng.nextUnit() < 0.1 ? .nan : discrete(2)
            v[2 * n + i] = discrete(3) * 1.5 - 1
            v[3 * n + i] = discrete(8)
            v[4 * n + i] = Float(rng.nextUnit() * 10 - 5)
            v[5 * n + i] = rng.nextUnit() < 0.2 ? .nan : discrete(8) * 0.25
            v[6 * n + i] = discrete(2)
            v[7 * n + i] = discrete(2)
            v[8 * n + i] = discrete(2)
            v[9 * n + i] = discrete(4)
            let m5 = v[5 * n + i].isNaN ? Float(1.2) : v[5 * n + i]
            let s = 1.3 * v[0 * n + i] - 0.4 * v[3 * n + i] + 0.3 * v[4 * n + i] + m5 * v[2 * n + i]
                + (v[9 * n + i] == 2 ? 1.1 : 0) + Float(rng.nextUnit() - 0.5)
            labels[i] = s > -0.8 ? 1 : 0
        }
        return (try FeatureMatrix(rows: n, columns: columns, columnMajor: v), labels)
    }

    private func binned(rows: Int, seed: UInt64) throws -> BinnedMatrix {
        let d = try mixed(rows: rows, seed: seed)
        return BinnedMatrix(d.features, cuts: BinCuts.sketch(d.features, maxBin: 256, sampleRows: 1 << 18, seed: seed))
    }

    /// Fills a partition with a Bernoulli(`rate`) subset of the rows and random gradient pairs,
    /// multiples of 1/64 in [-1, 1] × [0, 1]: every float partial sum of a block (< 2^14 · 2^6
    /// steps) is exact, so packed, per-feature and naive double sums must agree exactly.
    private func sample(_ p: RowPartitioner, rows n: Int, rate: Double, seed: UInt64) -> Int {
        var rng = SplitMix64(seed: seed)
        var count = 0
        for i in 0..<n where rng.nextUnit() < rate {
            p.rowIndex[count] = UInt32(i)
            p.gradients[count] = SIMD2(Float(rng.nextBelow(129)) / 64 - 1, Float(rng.nextBelow(65)) / 64)
            count += 1
        }
        return count
    }

    private func build(_ h: HistogramBuilder, _ p: RowPartitioner, count: Int, identity: Bool, features: [Int], threads: Int) -> [GradSum] {
        var out = [GradSum](repeating: GradSum(-7, -7), count: h.totalBins)
        out.withUnsafeMutableBufferPointer { o in
            h.build(range: 0..<count, rowIndex: p.rowIndex, gradients: p.gradients, identity: identity,
                    features: features, threads: threads, out: o.baseAddress!)
        }
        return out
    }

    private func naive(_ h: HistogramBuilder, _ b: BinnedMatrix, _ p: RowPartitioner, count: Int, features: [Int]) -> [GradSum] {
        var out = [GradSum](repeating: GradSum(0, 0), count: h.totalBins)
        for k in 0..<count {
            let r = Int(p.rowIndex[k]), g = p.gradients[k]
            for f in features { out[h.offsets[f] + Int(b.bins[f * b.rows + r])] += GradSum(Double(g.x), Double(g.y)) }
        }
        return out
    }

    /// The groups: low-cardinality features only, radices counting the missing bin only for
    /// columns with missing values, products ≤ 256, and codes that decode to every member's bin.
    func testGroupsAndCodes() throws {
        let n = 5_000
        let b = try binned(rows: n, seed: 1)
        let pk = FeaturePacking(binned: b)
        let packed = pk.groups.flatMap(\.features).sorted()
        XCTAssertEqual(packed, [0, 1, 2, 3, 5, 6, 7, 8, 9], "every low-cardinality feature is packed, the continuous one is not")
        XCTAssertEqual(pk.groupOf[4], -1)
        let expectedRadix = [0: 2, 1: 3, 2: 3, 3: 8, 5: 9, 6: 2, 7: 2, 8: 2, 9: 4]
        for (g, group) in pk.groups.enumerated() {
            XCTAssertGreaterThanOrEqual(group.features.count, 2)
            XCTAssertLessThanOrEqual(group.jointBins, 256)
            XCTAssertEqual(group.jointBins, group.radices.reduce(1, *))
            for (k, f) in group.features.enumerated() {
                XCTAssertEqual(pk.groupOf[f], g)
                XCTAssertEqual(group.radices[k], expectedRadix[f], "feature \(f)")
                XCTAssertEqual(group.strides[k], group.radices[0..<k].reduce(1, *))
                for i in 0..<n {
                    let code = Int(pk.codes[g * n + i])
                    XCTAssertEqual((code / group.strides[k]) % group.radices[k], Int(b.bins[f * n + i]))
                }
            }
        }
    }

    /// Packed histograms of a subsampled node with a feature subset (one member of a group left
    /// out, the 256-bin feature in) equal the naive double sums, the per-feature path, and are
    /// bitwise the same for 1 and 2 threads; the identity (root) path agrees with the gathered one.
    func testPackedHistogramEqualsNaiveSums() throws {
        let n = 2 * HistogramBuilder.blockRows + 777
        let b = try binned(rows: n, seed: 2)
        let h = HistogramBuilder(binned: b)
        let plain = HistogramBuilder(binned: b, packLowCardinality: false)
        XCTAssertNil(plain.packing)
        let pk = try XCTUnwrap(h.packing)
        let p = RowPartitioner(capacity: n)
        let count = sample(p, rows: n, rate: 0.7, seed: 3)
        let features = [0, 1, 2, 3, 4, 5, 7, 9]
        let plan = h.plan(count: count, features: features)
        XCTAssertTrue(plan.items.contains { $0.group >= 0 }, "the node is large enough to use packed groups")
        XCTAssertTrue(plan.items.contains(HistogramBuilder.Item(feature: 4, group: -1)))
        for (g, m) in plan.members.enumerated() where !m.isEmpty {
            XCTAssertEqual(m.map { pk.groups[g].features[$0] }.sorted(), pk.groups[g].features.filter(features.contains).sorted())
        }
        let one = build(h, p, count: count, identity: false, features: features, threads: 1)
        let two = build(h, p, count: count, identity: false, features: features, threads: 2)
        XCTAssertEqual(one.map { $0.x.bitPattern }, two.map { $0.x.bitPattern }, "thread count must not change the histogram")
        XCTAssertEqual(one.map { $0.y.bitPattern }, two.map { $0.y.bitPattern })
        let reference = naive(h, b, p, count: count, features: features)
        let unpacked = build(plain, p, count: count, identity: false, features: features, threads: 2)
        for f in features {
            for bin in h.offsets[f]..<h.offsets[f + 1] {
                XCTAssertEqual(one[bin], reference[bin], "feature \(f) bin \(bin)")
                XCTAssertEqual(one[bin], unpacked[bin], "feature \(f) bin \(bin)")
            }
        }
        // The missing bin of feature 5 is filled (it is in a group: its radix counts it).
        XCTAssertGreaterThan(one[h.offsets[5] + b.cuts.binCount(5)].y, 100)
        // Features 6 and 8 were not requested: their bins are left alone.
        for f in [6, 8] {
            for bin in h.offsets[f]..<h.offsets[f + 1] { XCTAssertEqual(one[bin], GradSum(-7, -7)) }
        }

        // All rows in order: the sequential path is bitwise the gathered one.
        var grng = SplitMix64(seed: 9)
        for i in 0..<n {
            p.rowIndex[i] = UInt32(i)
            p.gradients[i] = SIMD2(Float(grng.nextBelow(129)) / 64 - 1, Float(grng.nextBelow(65)) / 64)
        }
        let all = Array(0..<b.features)
        let seq = build(h, p, count: n, identity: true, features: all, threads: 2)
        let gat = build(h, p, count: n, identity: false, features: all, threads: 1)
        XCTAssertEqual(seq.map { $0.x.bitPattern }, gat.map { $0.x.bitPattern })
        XCTAssertEqual(seq.map { $0.y.bitPattern }, gat.map { $0.y.bitPattern })
        let ref = naive(h, b, p, count: n, features: all)
        XCTAssertEqual(seq, ref)

        // Arbitrary float gradients: the sums stay within float rounding of the double sums.
        var rng = SplitMix64(seed: 8)
        for i in 0..<n { p.gradients[i] = SIMD2(Float(rng.nextUnit() * 2 - 1), Float(rng.nextUnit())) }
        let fl = build(h, p, count: n, identity: true, features: all, threads: 2)
        let flRef = naive(h, b, p, count: n, features: all)
        for bin in 0..<h.totalBins {
            XCTAssertEqual(fl[bin].x, flRef[bin].x, accuracy: 1e-6 * Double(n), "bin \(bin)")
            XCTAssertEqual(fl[bin].y, flRef[bin].y, accuracy: 1e-6 * Double(n), "bin \(bin)")
        }
    }

    /// A group with one requested feature, and a node too small for packing, take the
    /// per-feature path and give the naive sums.
    func testSingleSelectedMemberAndSmallNodeUsePerFeaturePath() throws {
        let n = 6_000
        let b = try binned(rows: n, seed: 4)
        let h = HistogramBuilder(binned: b)
        let pk = try XCTUnwrap(h.packing)
        let p = RowPartitioner(capacity: n)
        let count = sample(p, rows: n, rate: 0.5, seed: 5)
        // One feature of every group, plus the continuous one.
        let features = (pk.groups.map { $0.features[$0.features.count - 1] } + [4]).sorted()
        let plan = h.plan(count: count, features: features)
        XCTAssertEqual(plan.items.map(\.group), [Int](repeating: -1, count: features.count))
        XCTAssertTrue(plan.members.allSatisfy(\.isEmpty))
        var out = build(h, p, count: count, identity: false, features: features, threads: 2)
        var ref = naive(h, b, p, count: count, features: features)
        for f in features {
            for bin in h.offsets[f]..<h.offsets[f + 1] { XCTAssertEqual(out[bin], ref[bin], "feature \(f) bin \(bin)") }
        }
        // A node with fewer rows than the threshold: per-feature even with whole groups requested.
        let all = Array(0..<b.features)
        let small = HistogramBuilder.packMinRowsPerJointBin * (pk.groups.map(\.jointBins).min() ?? 0) - 1
        XCTAssertFalse(h.plan(count: small, features: all).items.contains { $0.group >= 0 })
        XCTAssertTrue(h.plan(count: small + 1, features: all).items.contains { $0.group >= 0 })
        out = build(h, p, count: small, identity: false, features: all, threads: 1)
        ref = naive(h, b, p, count: small, features: all)
        for f in all {
            for bin in h.offsets[f]..<h.offsets[f + 1] { XCTAssertEqual(out[bin], ref[bin], "feature \(f) bin \(bin)") }
        }
        // … and the packed path for a node just above the threshold, too.
        out = build(h, p, count: small + 1, identity: false, features: all, threads: 1)
        ref = naive(h, b, p, count: small + 1, features: all)
        for f in all {
            for bin in h.offsets[f]..<h.offsets[f + 1] { XCTAssertEqual(out[bin], ref[bin], "feature \(f) bin \(bin)") }
        }
    }

    /// Packed training is bitwise the same for 1 and 2 threads, and predicts like per-feature
    /// training.
    func testPackedTrainingIsThreadCountIndependent() throws {
        let d = try mixed(rows: 40_000, seed: 6)
        var p = BoostingParameters()
        p.rounds = 12
        p.maxDepth = 5
        p.subsample = 0.8
        p.colsampleBytree = 0.8
        p.seed = 11
        p.threads = 2
        let packed2 = try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
        p.threads = 1
        let packed1 = try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
        XCTAssertEqual(packed1.trees, packed2.trees, "thread count must not change the model")
        XCTAssertTrue(packed1.trees.contains { $0.feature.contains(5) }, "a feature with missing values in a group is split on")
        p.packLowCardinality = false
        let plain = try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
        let a = try packed1.predict(d.features), b = try plain.predict(d.features)
        var worst: Float = 0
        for i in 0..<a.count { worst = max(worst, abs(a[i] - b[i])) }
        XCTAssertLessThan(worst, 1e-3, "packed and per-feature models predict alike")
    }

    /// Squared error from margin 0 with labels in multiples of 1/8: the tree's gradient sums are
    /// exact in float, so packed training (deep enough for nodes on both sides of the packing
    /// threshold) grows bitwise the per-feature tree.
    func testPackedTrainingGrowsThePerFeatureTree() throws {
        let d = try mixed(rows: 40_000, seed: 7)
        var labels = d.labels
        var rng = SplitMix64(seed: 12)
        let x = d.features.values
        let n = d.features.rows
        for i in 0..<n {
            let m5 = x[5 * n + i].isNaN ? Float(1) : x[5 * n + i]
            labels[i] = (4 * (labels[i] + 0.5 * x[3 * n + i] + m5 - x[9 * n + i] + Float(rng.nextUnit()))).rounded() / 8
        }
        var p = BoostingParameters()
        p.objective = .squaredError
        p.baseScore = 0
        p.rounds = 1
        p.maxDepth = 9
        p.subsample = 0.8
        p.colsampleBytree = 0.8
        p.seed = 13
        p.threads = 2
        let packed = try BoostedModel.train(features: d.features, labels: labels, parameters: p).model
        p.packLowCardinality = false
        let plain = try BoostedModel.train(features: d.features, labels: labels, parameters: p).model
        XCTAssertEqual(packed.trees, plain.trees)
        XCTAssertGreaterThan(packed.trees[0].leafCount, 200)
        XCTAssertTrue(packed.trees[0].feature.contains(5) && packed.trees[0].feature.contains(1),
                      "features with missing values in a group are split on")
    }

    // MARK: Row-wise histograms (BinRecords)

    /// The records of partition positions `0..<count` in order (naively copied).
    private func orderedRecords(_ r: BinRecords, _ p: RowPartitioner, count: Int) -> [UInt8] {
        var out: [UInt8] = []
        for i in 0..<count {
            let row = Int(p.rowIndex[i])
            out += r.bytes[(row * r.stride)..<((row + 1) * r.stride)]
        }
        return out
    }

    /// Partitions carrying ordered records: a split gathering them (from the row index) and
    /// splits moving them (by a record byte: an unpacked feature's bin, a packed member's digit
    /// of its group code) place the rows exactly as the column partition does, and leave at
    /// every position of the children the record of the row there; 1 and 2 threads alike.
    func testPartitionCarriesOrderedRecords() throws {
        let n = 3 * RowPartitioner.blockRows + 321
        let b = try binned(rows: n, seed: 20)
        let h = HistogramBuilder(binned: b)
        let pk = try XCTUnwrap(h.packing)
        let rec = h.records
        let bins = UnsafeMutablePointer<UInt8>.allocate(capacity: b.bins.count)
        bins.initialize(from: b.bins, count: b.bins.count)
        defer { bins.deallocate() }
        func column(_ f: Int) -> UnsafePointer<UInt8> { UnsafePointer(bins + f * n) }
        for threads in [1, 2] {
            let p = RowPartitioner(capacity: n, recordStride: rec.stride)
            let plain = RowPartitioner(capacity: n)
            XCTAssertEqual(p.recordStride, rec.stride)
            XCTAssertNil(plain.records(depth: 0))
            let count = sample(p, rows: n, rate: 0.8, seed: 21)
            XCTAssertEqual(sample(plain, rows: n, rate: 0.8, seed: 21), count)
            func checkRecords(_ range: Range<Int>, depth: Int, _ what: String) throws {
                let r = try XCTUnwrap(p.records(depth: depth)).assumingMemoryBound(to: UInt8.self)
                for i in range {
                    let row = Int(p.rowIndex[i])
                    for k in 0..<rec.stride {
                        guard r[i * rec.stride + k] == rec.bytes[row * rec.stride + k] else {
                            return XCTFail("\(what): position \(i) slot \(k)")
                        }
                    }
                }
            }
            // Depth 0 → 1 on the continuous feature 4, gathering.
            let range = 100..<(count - 50)
            let nb4 = b.cuts.binCount(4)
            let mid = p.partition(range: range, column: column(4), splitBin: nb4 / 3, missingBin: nb4, defaultLeft: true,
                                  records: .gather(source: rec, depth: 0), threads: threads)
            let midPlain = plain.partition(range: range, column: column(4), splitBin: nb4 / 3, missingBin: nb4,
                                           defaultLeft: true, threads: threads)
            XCTAssertEqual(mid, midPlain)
            XCTAssertEqual((0..<count).map { p.rowIndex[$0] }, (0..<count).map { plain.rowIndex[$0] })
            XCTAssertEqual((0..<count).map { p.gradients[$0] }, (0..<count).map { plain.gradients[$0] })
            try checkRecords(range, depth: 1, "gathered")
            // Depth 1 → 2: the right child by packed member 5 (missing values go left), moving.
            let g = pk.groupOf[5], m = try XCTUnwrap(pk.groups[g].features.firstIndex(of: 5))
            let nb5 = b.cuts.binCount(5)
            func left5(_ bin: Int) -> Bool { bin == nb5 ? true : bin <= 3 }
            let table = (0..<256).map { UInt8(left5(($0 / pk.groups[g].strides[m]) % pk.groups[g].radices[m]) ? 1 : 0) }
            let right = mid..<range.upperBound
            let mid2 = p.partition(range: right, recordSlot: rec.groupSlot[g], left: table, depth: 1, threads: threads)
            let mid2Plain = plain.partition(range: right, column: column(5), splitBin: 3, missingBin: nb5, defaultLeft: true,
                                            threads: threads)
            XCTAssertEqual(mid2, mid2Plain)
            XCTAssertEqual((0..<count).map { p.rowIndex[$0] }, (0..<count).map { plain.rowIndex[$0] })
            try checkRecords(right, depth: 2, "moved by a packed member")
            XCTAssertGreaterThan(mid2 - right.lowerBound, 100)
            XCTAssertGreaterThan(right.upperBound - mid2, 100)
            // Depth 2 → 3: the left part of that by the continuous feature's record byte.
            let t4 = (0..<256).map { UInt8($0 == nb4 ? 0 : ($0 <= 2 * nb4 / 3 ? 1 : 0)) }
            let part = right.lowerBound..<mid2
            let mid3 = p.partition(range: part, recordSlot: rec.featureSlot[4], left: t4, depth: 2, threads: threads)
            let mid3Plain = plain.partition(range: part, column: column(4), splitBin: 2 * nb4 / 3, missingBin: nb4,
                                            defaultLeft: false, threads: threads)
            XCTAssertEqual(mid3, mid3Plain)
            XCTAssertEqual((0..<count).map { p.rowIndex[$0] }, (0..<count).map { plain.rowIndex[$0] })
            try checkRecords(part, depth: 3, "moved by an unpacked feature")
        }
    }

    /// The records hold, per row, the bin of every feature outside a group and the code of every
    /// group, at their slots; padding is zero and a record never straddles a cache line.
    func testRecordsHoldUnpackedBinsAndGroupCodes() throws {
        let n = 3 * BinRecords.blockRows + 17
        let b = try binned(rows: n, seed: 14)
        let h = HistogramBuilder(binned: b, threads: 2)
        let pk = try XCTUnwrap(h.packing)
        let r = h.records
        XCTAssertEqual(r.featureSlot[4], 0, "the continuous feature is the first (only) unpacked one")
        for f in 0..<b.features where f != 4 { XCTAssertEqual(r.featureSlot[f], -1, "feature \(f) is packed") }
        XCTAssertEqual(r.groupSlot, Array(1...pk.groups.count))
        let slots = 1 + pk.groups.count
        XCTAssertEqual(h.recordSlots, slots)
        XCTAssertGreaterThanOrEqual(r.stride, slots)
        XCTAssertEqual(64 % r.stride, 0)
        XCTAssertEqual(r.bytes.count, n * r.stride)
        for i in 0..<n {
            XCTAssertEqual(r.bytes[i * r.stride], b.bins[4 * n + i], "row \(i)")
            for g in 0..<pk.groups.count { XCTAssertEqual(r.bytes[i * r.stride + 1 + g], pk.codes[g * n + i], "row \(i) group \(g)") }
            for k in slots..<r.stride { XCTAssertEqual(r.bytes[i * r.stride + k], 0) }
        }
        // Without packing every feature has its own slot, in feature order.
        let plain = HistogramBuilder(binned: b, packLowCardinality: false)
        XCTAssertEqual(plain.records.featureSlot, Array(0..<b.features))
        XCTAssertEqual(plain.records.stride, 16)
        for i in stride(from: 0, to: n, by: 97) {
            for f in 0..<b.features { XCTAssertEqual(plain.records.bytes[i * 16 + f], b.bins[f * n + i]) }
        }
    }

    /// Row-wise histograms (from the records) are bitwise the column-wise ones — arbitrary float
    /// gradients, 1 and 2 threads, a partition range not starting at 0 — for packed groups, a
    /// group with one requested member (column-wise inside a row-wise node), a node too small
    /// for packing, and without packing; with exact gradients they equal the naive double sums.
    func testRowWiseHistogramIsBitwiseColumnWise() throws {
        let n = 3 * HistogramBuilder.blockRows + 555
        let b = try binned(rows: n, seed: 15)
        let packed = HistogramBuilder(binned: b)
        let plain = HistogramBuilder(binned: b, packLowCardinality: false)
        let pk = try XCTUnwrap(packed.packing)
        let p = RowPartitioner(capacity: n)
        let count = sample(p, rows: n, rate: 0.45, seed: 16)
        let oneMember = pk.groups.map { $0.features[0] }
        let subsets = [
            Array(0..<b.features),
            [0, 1, 2, 3, 4, 5, 7, 9],
            (oneMember + [4]).sorted(),      // single members: column-wise items in a row-wise node
            (oneMember + [6, 8]).sorted(),   // no record item beyond the groups', no continuous feature
        ]
        func run(_ h: HistogramBuilder, _ range: Range<Int>, _ features: [Int], _ threads: Int, rowWise: Bool) -> [GradSum] {
            h.rowWiseMaxDensity = rowWise ? 1 : 0
            XCTAssertEqual(h.summedRowWise(count: range.count, identity: false), rowWise)
            let ordered = orderedRecords(h.records, p, count: count)
            var out = [GradSum](repeating: GradSum(-7, -7), count: h.totalBins)
            out.withUnsafeMutableBufferPointer { o in
                ordered.withUnsafeBytes { r in
                    h.build(range: range, rowIndex: p.rowIndex, gradients: p.gradients, identity: false,
                            features: features, threads: threads, records: r.baseAddress, out: o.baseAddress!)
                }
            }
            return out
        }
        func bits(_ x: [GradSum]) -> [UInt64] { x.flatMap { [$0.x.bitPattern, $0.y.bitPattern] } }
        // Exact gradients: the naive double sums.
        for h in [packed, plain] {
            for features in subsets {
                let ref = naive(h, b, p, count: count, features: features)
                let out = run(h, 0..<count, features, 2, rowWise: true)
                for f in features {
                    for bin in h.offsets[f]..<h.offsets[f + 1] { XCTAssertEqual(out[bin], ref[bin], "feature \(f) bin \(bin)") }
                }
                for f in 0..<b.features where !features.contains(f) {
                    for bin in h.offsets[f]..<h.offsets[f + 1] { XCTAssertEqual(out[bin], GradSum(-7, -7)) }
                }
            }
        }
        // Arbitrary float gradients: bitwise the column-wise path.
        var rng = SplitMix64(seed: 17)
        for i in 0..<count { p.gradients[i] = SIMD2(Float(rng.nextUnit() * 2 - 1), Float(rng.nextUnit() * 0.25)) }
        let small = HistogramBuilder.packMinRowsPerJointBin * (pk.groups.map(\.jointBins).min() ?? 0) - 1
        for h in [packed, plain] {
            for features in subsets {
                for range in [0..<count, 333..<(count - 71), 1_000..<(1_000 + small)] {
                    let column = run(h, range, features, 1, rowWise: false)
                    for threads in [1, 2] {
                        XCTAssertEqual(bits(run(h, range, features, threads, rowWise: true)), bits(column),
                                       "features \(features), range \(range), \(threads) threads")
                    }
                }
            }
        }
        XCTAssertTrue(packed.plan(count: count, features: subsets[0]).items.contains { $0.group >= 0 })
        XCTAssertFalse(packed.plan(count: small, features: subsets[0]).items.contains { $0.group >= 0 })
        packed.rowWiseMaxDensity = 1
        XCTAssertFalse(packed.summedRowWise(count: 10, identity: true), "the identity root streams its columns")
    }

    /// Training with every gathered node row-wise, none, and the default threshold grows bitwise
    /// the same trees, for 1 and 2 threads.
    func testRowWiseTrainingGrowsTheColumnWiseTrees() throws {
        let d = try mixed(rows: 40_000, seed: 18)
        var p = BoostingParameters()
        p.rounds = 6
        p.maxDepth = 6
        p.subsample = 0.8
        p.colsampleBytree = 0.8
        p.seed = 19
        p.threads = 2
        p.orderedRecordsMinBytes = 0
        p.rowWiseMaxDensity = 0
        let column = try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
        for (density, threads) in [(1.0, 2), (1.0, 1), (HistogramBuilder.rowWiseMaxDensity, 2)] {
            p.rowWiseMaxDensity = density
            p.threads = threads
            let m = try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model
            XCTAssertEqual(m.trees, column.trees, "row-wise up to density \(density), \(threads) threads")
        }
        // Without ordered records (the default on data this small): the same trees again.
        p.orderedRecordsMinBytes = TreeBuilder.orderedRecordsMinBytes
        XCTAssertEqual(try BoostedModel.train(features: d.features, labels: d.labels, parameters: p).model.trees, column.trees)
        XCTAssertGreaterThan(column.trees.map(\.leafCount).reduce(0, +), 6 * 16)
    }
}
