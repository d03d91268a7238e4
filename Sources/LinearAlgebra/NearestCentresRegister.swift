import Runtime

/// The Swift backend of `nearestCentres`: a register kernel with no `n × k` (or chunk × k) block.
///
/// The centres are stored transposed and padded, `d × kp` with `kp` = k rounded up to a multiple
/// of 8 (padding lanes are zero). For each tile of 8 centres, the tile's `-2·x·c` sums stay in
/// SIMD8 accumulators while the row's values are read once — CSR: two accumulators per row (even
/// and odd stored values, so consecutive FMAs do not wait on each other); dense: four rows at once,
/// one accumulator each, sharing every centre load. The argmin follows at once from
/// `‖x‖² + g + ‖c‖²` (ties → the smaller index). Each row is independent, so the result does not depend on the thread count
/// or on how rows are split; work too small to pay for a thread hand-off (< `minBlockWork`
/// multiply-adds) runs on the calling thread.
enum NearestCentresRegister {
    typealias V = SIMD8<Float>

    /// Multiply-adds below which a block of rows is not split off to another thread.
    static let minBlockWork = 1 << 20

    /// `-2 × centres` (`k × d`, row-major) as `d × kp`, zero-padded.
    ///
    /// The factor `-2` sits on the centres instead of on every row value: `fma(x, -2c, a)` rounds
    /// the same exact product `-2·x·c` as `fma(-2x, c, a)`, so the sums are bit-identical while
    /// the row values are broadcast without a multiply.
    static func packTransposed(_ centres: UnsafeBufferPointer<Float>, k: Int, d: Int) -> (values: [Float], kp: Int) {
        let kp = (k + 7) / 8 * 8
        var out = [Float](repeating: 0, count: d * kp)
        for c in 0..<k {
            for j in 0..<d { out[j * kp + c] = -2 * centres[c * d + j] }
        }
        return (out, kp)
    }

    /// Labels and distances of CSR rows against centres (`k × d`).
    static func sparse(_ x: SparseMatrix, centres: Matrix<Float>, cNorms: [Float], xNorms: [Float], threads: Int) -> NearestCentres {
        let k = centres.rows, d = centres.cols
        let (ct, kp) = centres.withUnsafeBufferPointer { packTransposed($0, k: k, d: d) }
        let avgRowWork = max(1, x.nonZeroCount / max(1, x.rows)) * kp
        return x.rowOffsets.withUnsafeBufferPointer { op in
            x.columns.withUnsafeBufferPointer { cp in
                x.values.withUnsafeBufferPointer { vp in
                    let so = UnsafeSendable(op), sc = UnsafeSendable(cp), sv = UnsafeSendable(vp)
                    return run(rows: x.rows, k: k, kp: kp, ct: ct, cNorms: cNorms, xNorms: xNorms,
                               avgRowWork: avgRowWork, threads: threads) { r0, r1, ctb, g in
                        let cols = sc.value, vals = sv.value
                        let stride = kp * 4
                        for i in r0..<r1 {
                            let start = Int(so.value[i]), end = Int(so.value[i + 1])
                            var tile = 0
                            while tile < kp {
                                let base = UnsafeRawPointer(ctb + tile)
                                var a0 = V(repeating: 0), a1 = V(repeating: 0)
                                var p = start
                                while p + 2 <= end {
                                    a0 = a0.addingProduct(V(repeating: vals[p]),
                                                          base.loadUnaligned(fromByteOffset: Int(cols[p]) &* stride, as: V.self))
                                    a1 = a1.addingProduct(V(repeating: vals[p + 1]),
                                                          base.loadUnaligned(fromByteOffset: Int(cols[p + 1]) &* stride, as: V.self))
                                    p += 2
                                }
                                if p < end {
                                    a0 = a0.addingProduct(V(repeating: vals[p]),
                                                          base.loadUnaligned(fromByteOffset: Int(cols[p]) &* stride, as: V.self))
                                }
                                g.storeBytes(of: a0 + a1, toByteOffset: ((i - r0) * kp + tile) * 4, as: V.self)
                                tile += 8
                            }
                        }
                    }
                }
            }
        }
    }

    /// Labels and distances of dense rows (`n × d`) against centres (`k × d`).
    static func dense(_ x: Matrix<Float>, centres: Matrix<Float>, cNorms: [Float], xNorms: [Float], threads: Int) -> NearestCentres {
        let k = centres.rows, d = centres.cols
        let (ct, kp) = centres.withUnsafeBufferPointer { packTransposed($0, k: k, d: d) }
        return x.withUnsafeBufferPointer { xp in
            let sx = UnsafeSendable(xp)
            return run(rows: x.rows, k: k, kp: kp, ct: ct, cNorms: cNorms, xNorms: xNorms,
                       avgRowWork: max(1, d * kp), threads: threads) { r0, r1, ctb, g in
                guard let xb = sx.value.baseAddress else { return }
                let stride = kp * 4
                var tile = 0
                while tile < kp {
                    let base = UnsafeRawPointer(ctb + tile)
                    if r1 - r0 == 4 {
                        // Four rows at once: four independent FMA chains share each centre load.
                        let x0 = xb + r0 * d, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d
                        var a0 = V(repeating: 0), a1 = V(repeating: 0), a2 = V(repeating: 0), a3 = V(repeating: 0)
                        for j in 0..<d {
                            let c = base.loadUnaligned(fromByteOffset: j * stride, as: V.self)
                            a0 = a0.addingProduct(V(repeating: x0[j]), c)
                            a1 = a1.addingProduct(V(repeating: x1[j]), c)
                            a2 = a2.addingProduct(V(repeating: x2[j]), c)
                            a3 = a3.addingProduct(V(repeating: x3[j]), c)
                        }
                        g.storeBytes(of: a0, toByteOffset: tile * 4, as: V.self)
                        g.storeBytes(of: a1, toByteOffset: (kp + tile) * 4, as: V.self)
                        g.storeBytes(of: a2, toByteOffset: (2 * kp + tile) * 4, as: V.self)
                        g.storeBytes(of: a3, toByteOffset: (3 * kp + tile) * 4, as: V.self)
                    } else {
                        for i in r0..<r1 {
                            let row = xb + i * d
                            var a0 = V(repeating: 0)
                            for j in 0..<d {
                                a0 = a0.addingProduct(V(repeating: row[j]), base.loadUnaligned(fromByteOffset: j * stride, as: V.self))
                            }
                            g.storeBytes(of: a0, toByteOffset: ((i - r0) * kp + tile) * 4, as: V.self)
                        }
                    }
                    tile += 8
                }
            }
        }
    }

    /// Rows handed to `products` at a time (the dense kernel interleaves them).
    static let rowsPerStep = 4

    /// The row loop shared by both layouts: `products(r0, r1, ct, g)` writes `-2·x·c` of rows
    /// `r0..<r1` (at most `rowsPerStep`; exactly that many except at a range's end) for every
    /// padded centre into `g` (row-major, `kp` per row); the argmin follows for each row.
    @inline(__always)
    static func run(rows n: Int, k: Int, kp: Int, ct: [Float], cNorms: [Float], xNorms: [Float], avgRowWork: Int, threads: Int,
                    products: (Int, Int, UnsafePointer<Float>, UnsafeMutableRawPointer) -> Void) -> NearestCentres {
        var labels = [Int32](repeating: 0, count: n)
        var dists = [Float](repeating: 0, count: n)
        labels.withUnsafeMutableBufferPointer { lp in
            dists.withUnsafeMutableBufferPointer { dp in
                ct.withUnsafeBufferPointer { ctp in
                    cNorms.withUnsafeBufferPointer { cnp in
                        xNorms.withUnsafeBufferPointer { xnp in
                            let sl = UnsafeSendable(lp), sd = UnsafeSendable(dp), sct = UnsafeSendable(ctp)
                            let scn = UnsafeSendable(cnp), sxn = UnsafeSendable(xnp)
                            let minBlock = max(1, minBlockWork / max(1, avgRowWork))
                            let t = n * avgRowWork < 2 * minBlockWork ? 1 : threads
                            parallelRanges(n, threads: t, minBlock: minBlock) { range in
                                guard let ctb = sct.value.baseAddress else { return }
                                let g = UnsafeMutablePointer<Float>.allocate(capacity: rowsPerStep * kp)
                                defer { g.deallocate() }
                                var r0 = range.lowerBound
                                while r0 < range.upperBound {
                                    let r1 = min(range.upperBound, r0 + rowsPerStep)
                                    products(r0, r1, ctb, UnsafeMutableRawPointer(g))
                                    for i in r0..<r1 {
                                        let gi = g + (i - r0) * kp
                                        let xn = sxn.value[i]
                                        // Branch-free first argmin (selects, no unpredictable jumps).
                                        var best = Float.infinity, label = -1
                                        for j in 0..<k {
                                            let dist = xn + gi[j] + scn.value[j]
                                            let better = dist < best
                                            best = better ? dist : best
                                            label = better ? j : label
                                        }
                                        if label < 0 {
                                            sl.value[i] = 0; sd.value[i] = xn + gi[0] + scn.value[0]
                                        } else {
                                            sl.value[i] = Int32(label); sd.value[i] = max(0, best)
                                        }
                                    }
                                    r0 = r1
                                }
                            }
                        }
                    }
                }
            }
        }
        return NearestCentres(labels: labels, distances: dists)
    }
}
