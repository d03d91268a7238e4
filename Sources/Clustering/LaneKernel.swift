import LinearAlgebra
import Runtime

/// Dense rows packed for the row-lane kernel: block `b` holds rows `8b..<8b+8` column-major
/// (`d × 8`), so that one SIMD8 load reads one column of eight rows. Rows past `n` are zero with
/// norm 0 (their lanes are computed and never stored).
struct LaneRows: Sendable {
    static let lanes = 8
    let n: Int
    let d: Int
    /// `blocks × d × 8`.
    let values: [Float]
    /// ‖xᵢ‖², zero-padded to `blocks × 8`.
    let norms: [Float]
    /// Whether every sum and difference of the values in double precision is exact (see
    /// `exactSums(_:)`): then sums of rows do not depend on the order of the additions.
    let exactSums: Bool
    var blocks: Int { (n + 7) / 8 }

    init(_ m: Matrix<Float>, rowNorms: [Float]) {
        n = m.rows
        d = m.cols
        let blocks = (m.rows + 7) / 8, d = m.cols, n = m.rows
        var v = [Float](repeating: 0, count: blocks * d * 8)
        v.withUnsafeMutableBufferPointer { vp in
            m.withUnsafeBufferPointer { xp in
                for i in 0..<n {
                    let dst = (i >> 3) * d * 8 + (i & 7)
                    for j in 0..<d { vp[dst + j * 8] = xp[i * d + j] }
                }
            }
        }
        values = v
        exactSums = m.withUnsafeBufferPointer { LaneRows.exactSums($0) }
        var padded = [Float](repeating: 0, count: blocks * 8)
        for i in 0..<n { padded[i] = rowNorms[i] }
        norms = padded
    }
}

extension LaneRows {
    /// Whether adding and subtracting any of `values` in double precision, in any order, is exact.
    ///
    /// Every value is an integer multiple of the smallest ulp `2^e` among the nonzero values, so
    /// every partial sum is too; its magnitude is at most `Σ|x|`. Below `2^(e + 52)` (one bit
    /// of margin under the 53-bit significand for the rounding of `Σ|x|` itself) every partial
    /// sum is a representable double, so no addition rounds and the order does not matter.
    static func exactSums(_ values: UnsafeBufferPointer<Float>) -> Bool {
        var smallest = Int.max
        var total = 0.0
        for x in values where x != 0 {
            guard x.isFinite else { return false }
            smallest = min(smallest, Int(x.ulp.exponent))
            total += Double(x.magnitude)
        }
        if smallest == Int.max { return true }
        return total < Double(sign: .plus, exponent: smallest + 52, significand: 1)
    }
}

/// Centres as the row-lane kernel reads them: `-2·c` transposed to `d × kp` (`kp` = k rounded up
/// to a multiple of 8, padding centres zero) and ‖c‖² padded with +∞, so a padding centre never
/// wins the argmin. The buffers are reused across Lloyd iterations.
struct LaneCentres {
    let k: Int
    let d: Int
    let kp: Int
    /// `d × kp`: `-2·c[c][j]` at `j·kp + c`.
    var scaled: [Float]
    /// ‖c‖² (`kp`, +∞ past `k`).
    var norms: [Float]

    init(k: Int, d: Int) {
        self.k = k
        self.d = d
        kp = (k + 7) / 8 * 8
        scaled = [Float](repeating: 0, count: d * kp)
        norms = [Float](repeating: .infinity, count: kp)
    }

    /// Loads `centres` (`k × d`, row-major). The norms are `Centres`' (the same values as every
    /// other assignment path, so labels agree bit for bit); the factor −2 is exact.
    mutating func load(_ centres: Centres) {
        let values = centres.values
        for c in 0..<k {
            for j in 0..<d { scaled[j * kp + c] = -2 * values[c * d + j] }
            norms[c] = centres.norms[c]
        }
    }
}

/// The row-lane nearest-centre kernel for dense rows, fused with the Lloyd M-step sums.
///
/// Eight rows sit in the lanes of SIMD8 accumulators, one accumulator per centre of a tile of
/// eight: for each column, one load of the eight rows' values and one FMA per centre with the
/// broadcast `-2·c`. The per-row chain `fma(x_j, -2c_j, ·)` over `j = 0..<d` is the same as the
/// centre-lane kernel of `NearestCentresRegister`, so distances and labels are bit-identical; the
/// argmin (`‖x‖² + g + ‖c‖²`, first minimum, NaN never wins) is eight vector compares and
/// blends instead of `8 × k` scalar steps. In the same pass (rows in order) the kernel compares
/// each label with the one already stored (strict convergence), adds the distances into the
/// inertia and, when asked, each row into its cluster's double-precision sums — the additions of
/// `Lloyd.accumulate` in the same order, so the result is identical to assign-then-accumulate.
enum LaneKernel {
    typealias V = SIMD8<Float>
    typealias L = SIMD8<Int32>

    /// What one pass over the rows reports.
    struct Pass {
        /// Whether some row's label differs from the label stored before the pass.
        var changed: Bool
        /// Σ wᵢ·dᵢ in double precision, in row order.
        var inertia: Double
    }

    /// Assigns the rows of `blocks` (all rows of a block range, in order) to their nearest centre,
    /// writing `labels` and `distances`; with `sums`, adds each row (weighted) to its cluster's
    /// sums in row order (the caller zeroes them first). `x` is the same rows row-major.
    /// - Parameter incremental: with unit weights (`counts`, no `weights`) and `sums`/`counts`
    ///   holding the sums of the labels stored before the pass, only the rows whose label changes
    ///   move from their old cluster's sums to the new one's. Equal to recomputing the sums only
    ///   when every addition is exact (`LaneRows.exactSums`); the caller checks that.
    static func pass(
        _ rows: LaneRows, x: UnsafePointer<Float>, centres: LaneCentres, weights: UnsafePointer<Float>?,
        blocks: Range<Int>, labels: UnsafeMutablePointer<Int32>, distances: UnsafeMutablePointer<Float>,
        sums: UnsafeMutablePointer<Double>?, totals: UnsafeMutablePointer<Double>?, counts: UnsafeMutablePointer<Int>?,
        incremental: Bool = false
    ) -> Pass {
        let n = rows.n, d = rows.d, kp = centres.kp
        var moved = L(repeating: 0)
        var inertia = 0.0
        rows.values.withUnsafeBufferPointer { vp in
            rows.norms.withUnsafeBufferPointer { np in
                centres.scaled.withUnsafeBufferPointer { sp in
                    centres.norms.withUnsafeBufferPointer { cnp in
                        guard let xv = vp.baseAddress, let xn = np.baseAddress,
                              let cs = sp.baseAddress, let cn = cnp.baseAddress else { return }
                        for b in blocks {
                            let block = xv + b * d * 8
                            let norm = UnsafeRawPointer(xn + b * 8).loadUnaligned(as: V.self)
                            var best = V(repeating: .infinity)
                            var label = L(repeating: 0)
                            var first = V(repeating: 0)
                            var tile = 0
                            while tile < kp {
                                let (a0, a1, a2, a3, a4, a5, a6, a7) = products(block, cs + tile, stride: kp, d: d)
                                if tile == 0 { first = norm + a0 + V(repeating: cn[0]) }
                                consider(norm + a0 + V(repeating: cn[tile]), Int32(tile), &best, &label)
                                consider(norm + a1 + V(repeating: cn[tile + 1]), Int32(tile + 1), &best, &label)
                                consider(norm + a2 + V(repeating: cn[tile + 2]), Int32(tile + 2), &best, &label)
                                consider(norm + a3 + V(repeating: cn[tile + 3]), Int32(tile + 3), &best, &label)
                                consider(norm + a4 + V(repeating: cn[tile + 4]), Int32(tile + 4), &best, &label)
                                consider(norm + a5 + V(repeating: cn[tile + 5]), Int32(tile + 5), &best, &label)
                                consider(norm + a6 + V(repeating: cn[tile + 6]), Int32(tile + 6), &best, &label)
                                consider(norm + a7 + V(repeating: cn[tile + 7]), Int32(tile + 7), &best, &label)
                                tile += 8
                            }
                            // No winner (every distance NaN or +∞; a win needs `<` +∞): label 0 with
                            // centre 0's distance, unclamped. Otherwise the distance clamped at 0.
                            let none = best .== V(repeating: .infinity)
                            best.replace(with: V(repeating: 0), where: best .< V(repeating: 0))
                            best.replace(with: first, where: none)

                            let r0 = b * 8, live = min(8, n - r0)
                            var old = label  // lanes past n: unchanged
                            if live == 8 {
                                old = UnsafeRawPointer(labels + r0).loadUnaligned(as: L.self)
                                UnsafeMutableRawPointer(labels + r0).storeBytes(of: label, as: L.self)
                                UnsafeMutableRawPointer(distances + r0).storeBytes(of: best, as: V.self)
                            } else {
                                for q in 0..<live {
                                    old[q] = labels[r0 + q]
                                    labels[r0 + q] = label[q]
                                    distances[r0 + q] = best[q]
                                }
                            }
                            let diff = old ^ label
                            moved |= diff
                            if incremental, weights == nil, let s = sums, let counts {
                                // Unit weights, sums of the old labels: only moved rows change them.
                                for q in 0..<live { inertia += Double(best[q]) }
                                if diff == L(repeating: 0) { continue }
                                for q in 0..<live where diff[q] != 0 {
                                    let from = Int(old[q]), to = Int(label[q])
                                    counts[from] &-= 1
                                    counts[to] &+= 1
                                    let row = x + (r0 + q) * d, src = s + from * d, dst = s + to * d
                                    for j in 0..<d { let v = Double(row[j]); src[j] -= v; dst[j] += v }
                                }
                                continue
                            }
                            for i in r0..<(r0 + live) {
                                let l = labels[i], dist = distances[i]
                                let c = Int(l)
                                let row = x + i * d
                                if let w = weights {
                                    let wi = Double(w[i])
                                    inertia += wi * Double(dist)
                                    guard let s = sums, let t = totals else { continue }
                                    t[c] += wi
                                    let dst = s + c * d
                                    if wi == 1 {
                                        for j in 0..<d { dst[j] += Double(row[j]) }
                                    } else {
                                        for j in 0..<d { dst[j] += wi * Double(row[j]) }
                                    }
                                } else {
                                    inertia += Double(dist)
                                    guard let s = sums, let counts else { continue }
                                    counts[c] &+= 1
                                    let dst = s + c * d
                                    for j in 0..<d { dst[j] += Double(row[j]) }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Pass(changed: moved != L(repeating: 0), inertia: inertia)
    }

    /// Σⱼ x_j·c_j for the eight rows of `block` (`d × 8`) and eight centres (`c[j·stride + q]`
    /// for centre `q`): one FMA chain per row and centre over `j = 0..<d` in order.
    @inline(__always)
    static func products(_ block: UnsafePointer<Float>, _ c0: UnsafePointer<Float>, stride: Int, d: Int) -> (V, V, V, V, V, V, V, V) {
        var a0 = V(repeating: 0), a1 = V(repeating: 0), a2 = V(repeating: 0), a3 = V(repeating: 0)
        var a4 = V(repeating: 0), a5 = V(repeating: 0), a6 = V(repeating: 0), a7 = V(repeating: 0)
        var p = UnsafeRawPointer(block)
        var c = c0
        for _ in 0..<d {
            let xj = p.loadUnaligned(as: V.self)
            a0 = a0.addingProduct(xj, V(repeating: c[0]))
            a1 = a1.addingProduct(xj, V(repeating: c[1]))
            a2 = a2.addingProduct(xj, V(repeating: c[2]))
            a3 = a3.addingProduct(xj, V(repeating: c[3]))
            a4 = a4.addingProduct(xj, V(repeating: c[4]))
            a5 = a5.addingProduct(xj, V(repeating: c[5]))
            a6 = a6.addingProduct(xj, V(repeating: c[6]))
            a7 = a7.addingProduct(xj, V(repeating: c[7]))
            p += 32
            c += stride
        }
        return (a0, a1, a2, a3, a4, a5, a6, a7)
    }

    /// x·c of every row with each of `count` centres (`centres`: `count × d`, row-major), as
    /// `n × count` row-major. Each value is the FMA chain over the columns in order, as in the
    /// Swift GEMM (whose single k-slice accumulates `fma(x_j, c_j, ·)` from 0 for d ≤ 512).
    static func dots(_ rows: LaneRows, centres: [Float], count t: Int) -> [Float] {
        let n = rows.n, d = rows.d, tp = (t + 7) / 8 * 8
        var ct = [Float](repeating: 0, count: d * tp)
        for c in 0..<t { for j in 0..<d { ct[j * tp + c] = centres[c * d + j] } }
        var out = [Float](repeating: 0, count: n * t)
        rows.values.withUnsafeBufferPointer { vp in
            ct.withUnsafeBufferPointer { cp in
                out.withUnsafeMutableBufferPointer { op in
                    guard let xv = vp.baseAddress, let cs = cp.baseAddress, let o = op.baseAddress else { return }
                    for b in 0..<rows.blocks {
                        let r0 = b * 8, live = min(8, n - r0)
                        var tile = 0
                        while tile < tp {
                            let a = products(xv + b * d * 8, cs + tile, stride: tp, d: d)
                            let width = min(8, t - tile)
                            for q in 0..<live {
                                let dst = o + (r0 + q) * t + tile
                                dst[0] = a.0[q]
                                if width > 1 { dst[1] = a.1[q] }
                                if width > 2 { dst[2] = a.2[q] }
                                if width > 3 { dst[3] = a.3[q] }
                                if width > 4 { dst[4] = a.4[q] }
                                if width > 5 { dst[5] = a.5[q] }
                                if width > 6 { dst[6] = a.6[q] }
                                if width > 7 { dst[7] = a.7[q] }
                            }
                            tile += 8
                        }
                    }
                }
            }
        }
        return out
    }

    /// One centre's distances against the running minimum (strict `<`: the first minimum wins,
    /// NaN never does).
    @inline(__always)
    static func consider(_ dist: V, _ index: Int32, _ best: inout V, _ label: inout L) {
        let better = dist .< best
        best.replace(with: dist, where: better)
        label.replace(with: L(repeating: index), where: better)
    }
}
