import LinearAlgebra
import Runtime

/// Centres `c_j = s_j·u_j` with `u` stored column-major (`d × kp`, double precision, `kp` = `k`
/// rounded up to 8 lanes, padding lanes zero) so that the dot products of a row with all centres
/// read one contiguous run of lanes per stored value, and a centre is rescaled by changing `s_j`
/// alone.
///
/// The assignment reads `mirror`, a single-precision copy of `u` in the same layout (half the
/// bytes: 10,677 columns × 8 centres is 342 KB, which stays in a 512 KB L2 where the doubles do
/// not), and keeps only labels it can prove: with `F_j` the distance from the float dot products
/// and `E_j` a bound on `|F_j − D_j|` (`D_j` the double-precision distance of `assignExact`), a
/// row whose interval `[F_j − E_j, F_j + E_j]` is the only one to reach the lowest upper end is
/// labelled `j` — exactly `D`'s argmin. Rows with overlapping intervals (near ties) are recomputed
/// in double precision, so labels are always those of `assignExact`; the distances reported for
/// proven rows are `F_j` (relative error ~1e-6: they only feed the batch inertia).
///
/// Rows are read through raw pointers (`RawRows`), with no per-value closure or copy-on-write
/// check. Double sums are formed in the same order and with the same (unfused) operations as a
/// scalar loop, so results do not depend on the lane layout.
struct ScaledCentres {
    let k: Int
    let d: Int
    /// Lanes per stored column: `k` rounded up to a multiple of 8.
    let kp: Int
    var u: [Double]
    /// `Float(u)`, element for element (refreshed with the norms after every update); empty
    /// when `u` is small enough to stay in L1 (`usesMirror` false: e.g. 19 genre columns), where
    /// the double dots cost no more than the float ones and their bounds.
    var mirror: [Float]
    /// Whether `assign` takes the float path (`u` larger than `mirrorMinBytes`).
    let usesMirror: Bool
    /// Size of `u` from which the float mirror pays.
    static let mirrorMinBytes = 32 * 1024
    var scale: [Double]
    var uNorms: [Double]
    var mass: [Double]

    /// - Parameter mirror: whether `assign` takes the float path; nil: when `u` is larger than
    ///   `mirrorMinBytes`.
    init(k: Int, d: Int, initial: [Float], mirror useMirror: Bool? = nil) {
        self.k = k
        self.d = d
        kp = (k + 7) / 8 * 8
        u = [Double](repeating: 0, count: kp * d)
        usesMirror = useMirror ?? (kp * d * MemoryLayout<Double>.stride > ScaledCentres.mirrorMinBytes)
        mirror = [Float](repeating: 0, count: usesMirror ? kp * d : 0)
        for j in 0..<k { for c in 0..<d { u[c * kp + j] = Double(initial[j * d + c]) } }
        scale = [Double](repeating: 1, count: k)
        uNorms = [Double](repeating: 0, count: k)
        mass = [Double](repeating: 0, count: k)
        refresh()
    }

    /// Recomputes every ‖u_j‖² and the float mirror of `u` (after each update: one sequential
    /// pass over `u`, a vector multiply–add and a narrowing store per stored column, far cheaper
    /// than maintaining them value by value at the update's scattered slots).
    mutating func refresh() {
        let k = self.k, d = self.d, blocks = kp / 8
        var sums = [SIMD8<Double>](repeating: SIMD8(), count: blocks)
        let mirrored = usesMirror
        u.withUnsafeBytes { raw in
            mirror.withUnsafeMutableBytes { out in
                for c in 0..<d {
                    for q in 0..<blocks {
                        let x = raw.loadUnaligned(fromByteOffset: (c * blocks + q) * 64, as: SIMD8<Double>.self)
                        sums[q] = sums[q] + x * x
                        if mirrored { out.storeBytes(of: SIMD8<Float>(x), toByteOffset: (c * blocks + q) * 32, as: SIMD8<Float>.self) }
                    }
                }
            }
        }
        for j in 0..<k { uNorms[j] = sums[j / 8][j % 8] }
    }

    /// Nearest centre of each listed row (labels as `assignExact`), rows in parallel.
    func assign(_ points: Points, rows: [Int], rowNorms: [Float], labels: inout [Int32], distances: inout [Double], threads: Int) {
        guard usesMirror else {
            return assignExact(points, rows: rows, rowNorms: rowNorms, labels: &labels, distances: &distances)
        }
        let kp = self.kp, blocks = kp / 8
        let bounds = LaneBounds(self)
        labels.withUnsafeMutableBufferPointer { lb in
            distances.withUnsafeMutableBufferPointer { xb in
                mirror.withUnsafeBufferPointer { mb in
                    points.withRawRows { raw in
                        let L = UnsafeSendable(lb), X = UnsafeSendable(xb), M = UnsafeSendable(mb)
                        parallelRanges(rows.count, threads: threads, minBlock: 256) { range in
                            guard let base = M.value.baseAddress else { return }
                            let lanes = UnsafeRawPointer(base)
                            let columnBytes = kp * MemoryLayout<Float>.stride
                            withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: blocks) { acc in
                                withUnsafeTemporaryAllocation(of: SIMD8<Double>.self, capacity: 2 * blocks) { fe in
                                    for b in range {
                                        let i = rows[b]
                                        if b + 16 < range.upperBound { raw.prefetchOffsets(row: rows[b + 16]) }
                                        if b + 8 < range.upperBound { raw.prefetch(row: rows[b + 8]) }
                                        if blocks == 1 {
                                            // k ≤ 8: two accumulators (even and odd values) in registers.
                                            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
                                            raw.forEachPair(ofRow: i) { c0, v0, c1, v1 in
                                                a0 = a0.addingProduct(SIMD8(repeating: v0), (lanes + c0 * columnBytes).loadUnaligned(as: SIMD8<Float>.self))
                                                a1 = a1.addingProduct(SIMD8(repeating: v1), (lanes + c1 * columnBytes).loadUnaligned(as: SIMD8<Float>.self))
                                            }
                                            acc[0] = a0 + a1
                                        } else {
                                            for q in 0..<blocks { acc[q] = SIMD8() }
                                            raw.forEachValue(ofRow: i) { c, v in
                                                let x = SIMD8<Float>(repeating: v)
                                                let col = lanes + c * columnBytes
                                                for q in 0..<blocks {
                                                    acc[q] = acc[q].addingProduct(x, col.loadUnaligned(fromByteOffset: q * 32, as: SIMD8<Float>.self))
                                                }
                                            }
                                        }
                                        let (label, dist) = bounds.nearest(acc, rowNorm: rowNorms[i], values: raw.count(ofRow: i), scratch: fe)
                                            ?? exactNearest(raw, row: i, rowNorm: rowNorms[i])
                                        L.value[b] = label
                                        X.value[b] = dist
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Nearest centre of each listed row in double precision (the reference `assign` agrees with).
    func assignExact(_ points: Points, rows: [Int], rowNorms: [Float], labels: inout [Int32], distances: inout [Double]) {
        points.withRawRows { raw in
            for (b, i) in rows.enumerated() {
                if b + 16 < rows.count { raw.prefetchOffsets(row: rows[b + 16]) }
                if b + 8 < rows.count { raw.prefetch(row: rows[b + 8]) }
                (labels[b], distances[b]) = exactNearest(raw, row: i, rowNorm: rowNorms[i])
            }
        }
    }

    /// Row `i`'s nearest centre and distance from double-precision dots with `u` (the first
    /// minimum of ‖x‖² − 2·s_j·x·u_j + s_j²·‖u_j‖², clamped at 0).
    func exactNearest(_ raw: RawRows, row i: Int, rowNorm: Float) -> (Int32, Double) {
        let blocks = kp / 8, columnBytes = kp * MemoryLayout<Double>.stride
        return u.withUnsafeBytes { ub in
            withUnsafeTemporaryAllocation(of: SIMD8<Double>.self, capacity: blocks) { acc in
                guard let lanes = ub.baseAddress else { return (0, 0) }
                if blocks == 1 {
                    // k ≤ 8: the accumulator stays in a register.
                    var a = SIMD8<Double>()
                    raw.forEachValue(ofRow: i) { c, v in
                        a = a + SIMD8(repeating: Double(v)) * (lanes + c * columnBytes).loadUnaligned(as: SIMD8<Double>.self)
                    }
                    acc[0] = a
                } else {
                    for q in 0..<blocks { acc[q] = SIMD8() }
                    raw.forEachValue(ofRow: i) { c, v in
                        let x = SIMD8<Double>(repeating: Double(v))
                        let col = lanes + c * columnBytes
                        for q in 0..<blocks {
                            acc[q] = acc[q] + x * col.loadUnaligned(fromByteOffset: q * 64, as: SIMD8<Double>.self)
                        }
                    }
                }
                var best = 0
                var bestD = Double.infinity
                for j in 0..<k {
                    let s = scale[j]
                    let dist = Double(rowNorm) - 2 * s * acc[j / 8][j % 8] + s * s * uNorms[j]
                    if dist < bestD { bestD = dist; best = j }
                }
                return (Int32(best), max(0, bestD))
            }
        }
    }

    /// Moves each centre to the running weighted mean of the rows it has absorbed.
    mutating func update(_ points: Points, rows: [Int], labels: [Int32], weights: [Float]?) {
        var batchMass = [Double](repeating: 0, count: k)
        for (b, i) in rows.enumerated() { batchMass[Int(labels[b])] += weights.map { Double($0[i]) } ?? 1 }
        // New scale per touched centre; a centre's first update forgets its seed value.
        var coefficient = [Double](repeating: 0, count: k)
        for j in 0..<k where batchMass[j] > 0 {
            let newMass = mass[j] + batchMass[j]
            if mass[j] == 0 {
                for c in 0..<d { u[c * kp + j] = 0 }
                scale[j] = 1
            } else {
                scale[j] *= mass[j] / newMass
            }
            mass[j] = newMass
            coefficient[j] = 1 / (newMass * scale[j])
        }
        let kp = self.kp
        u.withUnsafeMutableBufferPointer { ub in
            guard let uu = ub.baseAddress else { return }
            points.withRawRows { raw in
                for (b, i) in rows.enumerated() {
                    if b + 16 < rows.count { raw.prefetchOffsets(row: rows[b + 16]) }
                    if b + 8 < rows.count { raw.prefetch(row: rows[b + 8]) }
                    let j = Int(labels[b])
                    let a = coefficient[j] * (weights.map { Double($0[i]) } ?? 1)
                    if a == 0 { continue }
                    raw.forEachValue(ofRow: i) { c, v in
                        let slot = uu + (c * kp + j)
                        slot.pointee = slot.pointee + a * Double(v)
                    }
                }
            }
        }
        // Fold tiny scales back into u to keep u's magnitude bounded.
        for j in 0..<k where scale[j] < 1e-6 {
            let s = scale[j]
            for c in 0..<d { u[c * kp + j] *= s }
            scale[j] = 1
        }
        refresh()
    }

    /// The centres as row-major `k × d` floats.
    func materialised() -> [Float] {
        var out = [Float](repeating: 0, count: k * d)
        for j in 0..<k { for c in 0..<d { out[j * d + c] = Float(scale[j] * u[c * kp + j]) } }
        return out
    }
}

/// The float-path distances `F_j` and their error bounds `E_j` of `ScaledCentres.assign`, eight
/// centres per SIMD8 lane block, from per-assignment constants.
///
/// `F_j = ‖x‖² − 2s_j·(x·u_j)_float + s_j²·‖u_j‖²`, the formula of `exactNearest` with the float
/// dot. Bound: the float sum of `m` products errs by at most `γ·Σ|x||u|` with `γ ≈ (m+1)·2⁻²⁴`
/// (the rounding of `u` to float included), and `Σ|x||u| ≤ ‖x‖·‖u_j‖` (Cauchy–Schwarz); the
/// double sums err by a `2⁻²⁹`-th of that. `E_j = 2·‖c_j‖·‖x‖·4γ` plus the double rounding of
/// the three-term sum (`2⁻⁴⁰·(‖x‖² + ‖c_j‖²)`) and the absolute error of float subnormals. If `j`
/// is the only centre with `F_j − E_j ≤ min_i (F_i + E_i)`, then for every `i ≠ j`
/// `D_i ≥ F_i − E_i > F_j + E_j ≥ D_j`: `j` is the strict first minimum of the double distances.
struct LaneBounds {
    /// 2·s_j (0 in padding lanes).
    var twoS: [SIMD8<Double>]
    /// s_j²·‖u_j‖² (the largest finite double in padding lanes: never a candidate).
    var offset: [SIMD8<Double>]
    /// 2·‖c_j‖ and 2⁻⁴⁰·‖c_j‖² (0 in padding lanes).
    var twoNorm: [SIMD8<Double>]
    var rounding: [SIMD8<Double>]

    init(_ c: ScaledCentres) {
        let blocks = c.kp / 8
        twoS = [SIMD8<Double>](repeating: SIMD8(), count: blocks)
        offset = [SIMD8<Double>](repeating: SIMD8(repeating: .greatestFiniteMagnitude), count: blocks)
        twoNorm = twoS
        rounding = twoS
        for j in 0..<c.k {
            let s = c.scale[j], norm = s * c.uNorms[j].squareRoot()
            twoS[j / 8][j % 8] = 2 * s
            offset[j / 8][j % 8] = s * s * c.uNorms[j]
            twoNorm[j / 8][j % 8] = 2 * norm
            rounding[j / 8][j % 8] = 0x1p-40 * norm * norm
        }
    }

    /// The nearest centre and `max(0, F_j)` when the bounds prove it; nil for a near tie or a
    /// non-finite value. `acc`: the float dots, one lane per centre; `m`: the row's stored values;
    /// `scratch`: room for 2 × blocks vectors.
    @inline(__always)
    func nearest(_ acc: UnsafeMutableBufferPointer<SIMD8<Float>>, rowNorm: Float, values m: Int,
                 scratch fe: UnsafeMutableBufferPointer<SIMD8<Double>>) -> (Int32, Double)? {
        typealias V = SIMD8<Double>
        let blocks = twoS.count
        let xn = Double(rowNorm), xRoot = xn.squareRoot()
        let gamma = Double(m + 2) * 0x1p-22
        let tiny = (Double(m) + xRoot * Double(m).squareRoot()) * 0x1p-148
        let x = V(repeating: xn), g = V(repeating: gamma * xRoot), t = V(repeating: tiny), r = V(repeating: 0x1p-40 * xn)
        var upper = V(repeating: .infinity)
        var finite = true
        for q in 0..<blocks {
            let a = acc[q]
            let dot = V(Double(a[0]), Double(a[1]), Double(a[2]), Double(a[3]), Double(a[4]), Double(a[5]), Double(a[6]), Double(a[7]))
            let f = x - twoS[q] * dot + offset[q]
            let e = g * twoNorm[q] + twoS[q] * t + rounding[q] + r
            let hi = f + e
            // F + E is finite only if F and E are (E ≥ 0); h − h is 0 exactly for finite h, NaN otherwise.
            finite = finite && all((hi - hi) .== V())
            upper = pointwiseMin(upper, hi)
            fe[2 * q] = f
            fe[2 * q + 1] = f - e
        }
        guard finite else { return nil }
        let bound = V(repeating: upper.min())
        let lane = SIMD8<Int64>(0, 1, 2, 3, 4, 5, 6, 7)
        var count = 0, best = 0
        for q in 0..<blocks {
            let hit = fe[2 * q + 1] .<= bound
            let hits = Int(SIMD8<Int64>().replacing(with: 1, where: hit).wrappedSum())
            if hits == 0 { continue }
            count += hits
            best = q * 8 + Int(lane.replacing(with: -1, where: .!hit).max())
        }
        guard count == 1 else { return nil }
        return (Int32(best), max(0, fe[2 * (best / 8)][best % 8]))
    }
}
