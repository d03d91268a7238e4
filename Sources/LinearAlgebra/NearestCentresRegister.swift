import Runtime

/// The Swift backend of `nearestCentres`: a register kernel with no `n × k` (or chunk × k) block.
///
/// The centres are stored transposed and padded, `d × kp` with `kp` = k rounded up to a multiple
/// of 8 (padding lanes are zero). For each row and each tile of 8 centres, the tile's `-2·x·c`
/// sums stay in two SIMD8 accumulators (even and odd stored values, so consecutive FMAs do not
/// wait on each other) while the row's values are read once; the argmin follows at once from
/// `‖x‖² + g + ‖c‖²`. Each row is independent, so the result does not depend on the thread count
/// or on how rows are split; work too small to pay for a thread hand-off (< `minBlockWork`
/// multiply-adds) runs on the calling thread.
enum NearestCentresRegister {
    typealias V = SIMD8<Float>

    /// Multiply-adds below which a block of rows is not split off to another thread.
    static let minBlockWork = 1 << 20

    /// `centres` (`k × d`, row-major) as `d × kp`, zero-padded.
    static func packTransposed(_ centres: UnsafeBufferPointer<Float>, k: Int, d: Int) -> (values: [Float], kp: Int) {
        let kp = (k + 7) / 8 * 8
        var out = [Float](repeating: 0, count: d * kp)
        for c in 0..<k {
            for j in 0..<d { out[j * kp + c] = centres[c * d + j] }
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
                               avgRowWork: avgRowWork, threads: threads) { i, tile, ctb in
                        let cols = sc.value, vals = sv.value
                        var p = Int(so.value[i])
                        let end = Int(so.value[i + 1])
                        let base = UnsafeRawPointer(ctb + tile)
                        let stride = kp * 4
                        var a0 = V(repeating: 0), a1 = V(repeating: 0)
                        while p + 2 <= end {
                            a0 = a0.addingProduct(V(repeating: -2 * vals[p]),
                                                  base.loadUnaligned(fromByteOffset: Int(cols[p]) &* stride, as: V.self))
                            a1 = a1.addingProduct(V(repeating: -2 * vals[p + 1]),
                                                  base.loadUnaligned(fromByteOffset: Int(cols[p + 1]) &* stride, as: V.self))
                            p += 2
                        }
                        if p < end {
                            a0 = a0.addingProduct(V(repeating: -2 * vals[p]),
                                                  base.loadUnaligned(fromByteOffset: Int(cols[p]) &* stride, as: V.self))
                        }
                        return a0 + a1
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
                       avgRowWork: max(1, d * kp), threads: threads) { i, tile, ctb in
                guard let row = sx.value.baseAddress.map({ $0 + i * d }) else { return V(repeating: 0) }
                let base = UnsafeRawPointer(ctb + tile)
                let stride = kp * 4
                var a0 = V(repeating: 0), a1 = V(repeating: 0)
                var j = 0
                while j + 2 <= d {
                    a0 = a0.addingProduct(V(repeating: -2 * row[j]), base.loadUnaligned(fromByteOffset: j * stride, as: V.self))
                    a1 = a1.addingProduct(V(repeating: -2 * row[j + 1]), base.loadUnaligned(fromByteOffset: (j + 1) * stride, as: V.self))
                    j += 2
                }
                if j < d {
                    a0 = a0.addingProduct(V(repeating: -2 * row[j]), base.loadUnaligned(fromByteOffset: j * stride, as: V.self))
                }
                return a0 + a1
            }
        }
    }

    /// The row loop shared by both layouts: `tileProducts(i, tile, ct)` returns row `i`'s
    /// `-2·x·c` for centres `tile..<tile + 8`.
    @inline(__always)
    static func run(rows n: Int, k: Int, kp: Int, ct: [Float], cNorms: [Float], xNorms: [Float], avgRowWork: Int, threads: Int,
                    tileProducts: (Int, Int, UnsafePointer<Float>) -> V) -> NearestCentres {
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
                                // One row's g for every padded centre (kp ≤ a few tiles for the usual k;
                                // heap only when k is large).
                                let g = UnsafeMutablePointer<Float>.allocate(capacity: kp)
                                defer { g.deallocate() }
                                let graw = UnsafeMutableRawPointer(g)
                                for i in range {
                                    var tile = 0
                                    while tile < kp {
                                        graw.storeBytes(of: tileProducts(i, tile, ctb), toByteOffset: tile * 4, as: V.self)
                                        tile += 8
                                    }
                                    let xn = sxn.value[i]
                                    var best = Float.infinity, label = -1
                                    for j in 0..<k {
                                        let dist = xn + g[j] + scn.value[j]
                                        if dist < best { best = dist; label = j }
                                    }
                                    if label < 0 {
                                        sl.value[i] = 0; sd.value[i] = xn + g[0] + scn.value[0]
                                    } else {
                                        sl.value[i] = Int32(label); sd.value[i] = max(0, best)
                                    }
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
