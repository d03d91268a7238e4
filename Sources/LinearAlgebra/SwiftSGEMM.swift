import Runtime

/// The pure-Swift single-precision GEMM: the classic Goto/BLIS structure.
///
/// - `C` is first scaled by `beta` (or, for `beta == 0`, overwritten by the first `k` slice); then for each `NC`-wide block of columns and `KC`-deep slice
///   of `k`, the slice of `op(B)` is packed into 16-column slivers (`KC × 16`, contiguous,
///   zero-padded), and each `MC`-row block of `op(A)` (times `alpha`) into 6-row slivers.
/// - A 6×16 micro-kernel keeps twelve `SIMD8<Float>` accumulators in registers and performs
///   `KC` rank-1 updates with fused multiply-adds (AVX2+FMA: 12 of the 16 ymm registers).
/// - Before its k loop the micro-kernel loads one float of each cache line of its C tile. Rows of
///   C are often a multiple of 4 KiB apart, so a column strip of C maps to a handful of cache
///   sets and is evicted between k-slices; without this early touch (Swift has no prefetch
///   instruction) the C update after the loop stalled on those misses for ~15% of the time.
/// - `k` is split into equal slices of at most `KC` (fewer passes over C).
/// - Blocks of `MC` rows run in parallel (each worker packs its own `A` block; the packed `B`
///   slice is shared and read-only).
/// Results are deterministic for any thread count: each element of C is summed in the same order.
enum SwiftSGEMM {
    static let mr = 6
    static let nr = 16
    /// Maximum depth of a packed slice. A 16 × 512 sliver of B is 32 KiB (streamed from L1/L2);
    /// 512 measured best on the 2-core EPYC (AVX2+FMA, 32 KiB L1d, 512 KiB L2) against 256 and
    /// 384: each extra slice is one more read-modify-write pass over C.
    static let kc = 512
    /// Rows of a packed A block: 192 × 512 floats = 384 KiB, inside a 512 KiB L2.
    static let mc = 192
    static let nc = 4096

    static func run(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int
    ) {
        // With beta == 0 the first k-slice stores into C instead of adding (no separate pass).
        let overwriteFirst = beta == 0
        if !overwriteFirst { GEMMKernel.scale(c, m: m, n: n, ldc: ldc, beta: beta) }
        // Element (i, p) of op(A) is a[i * rsA + p * csA]; (p, j) of op(B) is b[p * rsB + j * csB].
        let rsA = transposeA ? 1 : lda, csA = transposeA ? lda : 1
        let rsB = transposeB ? 1 : ldb, csB = transposeB ? ldb : 1
        let ncEff = min(nc, roundUp(n, nr))
        // Equal slices: k = 600 runs as 2 × 300, not 512 + 88.
        let kcEff = (k + (k + kc - 1) / kc - 1) / ((k + kc - 1) / kc)
        let packedB = UnsafeMutableRawPointer.allocate(byteCount: kcEff * ncEff * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: kcEff * ncEff)
        defer { packedB.deallocate() }
        let sa = UnsafeSendable(a), sb = UnsafeSendable(b), sc = UnsafeSendable(c), spb = UnsafeSendable(packedB)
        // Split the rows into equal blocks of at most MC (rounded to the micro-tile), a multiple
        // of the thread count, so that workers get the same amount of work.
        let workers = max(1, threads)
        let perWorker = (m + workers * mc - 1) / (workers * mc)
        let mcEff = max(mr, roundUp((m + workers * perWorker - 1) / (workers * perWorker), mr))
        let mBlocks = (m + mcEff - 1) / mcEff
        var jc = 0
        while jc < n {
            let nb = min(nc, n - jc)
            let slivers = (nb + nr - 1) / nr
            var pc = 0
            while pc < k {
                let kb = min(kcEff, k - pc)
                // Pack op(B)[pc..<pc+kb, jc..<jc+nb] into slivers of 16 columns.
                let (jc0, pc0) = (jc, pc)
                let overwrite = overwriteFirst && pc == 0
                parallelFor(chunks: min(slivers, max(1, threads) * 4), threads: slivers >= 8 ? threads : 1) { chunk in
                    let parts = min(slivers, max(1, threads) * 4)
                    let lo = chunk * slivers / parts, hi = (chunk + 1) * slivers / parts
                    for s in lo..<hi {
                        packB(sb.value, rs: rsB, cs: csB, p0: pc0, j0: jc0 + s * nr, kb: kb, jValid: min(nr, nb - s * nr),
                              into: spb.value + s * kb * nr)
                    }
                }
                // Multiply every MC block of rows by the packed slice.
                parallelFor(chunks: mBlocks, threads: threads) { blk in
                    let ic = blk * mcEff
                    let mb = min(mcEff, m - ic)
                    let aSlivers = (mb + mr - 1) / mr
                    let packedA = UnsafeMutableRawPointer.allocate(byteCount: aSlivers * mr * kb * 4, alignment: 64)
                        .bindMemory(to: Float.self, capacity: aSlivers * mr * kb)
                    defer { packedA.deallocate() }
                    for t in 0..<aSlivers {
                        packA(sa.value, rs: rsA, cs: csA, i0: ic + t * mr, p0: pc0, kb: kb, iValid: min(mr, mb - t * mr),
                              alpha: alpha, into: packedA + t * kb * mr)
                    }
                    var sink: Float = 0
                    defer { consume(sink) }
                    for s in 0..<slivers {
                        let bp = UnsafePointer(spb.value + s * kb * nr)
                        let nValid = min(nr, nb - s * nr)
                        for t in 0..<aSlivers {
                            let mValid = min(mr, mb - t * mr)
                            sink += microKernel(kb, UnsafePointer(packedA + t * kb * mr), bp,
                                        sc.value + (ic + t * mr) * ldc + jc0 + s * nr, ldc, mValid, nValid, overwrite)
                        }
                    }
                }
                pc += kb
            }
            jc += nb
        }
    }

    @inline(__always)
    static func roundUp(_ x: Int, _ m: Int) -> Int { (x + m - 1) / m * m }

    /// Packs `op(B)[p0..<p0+kb, j0..<j0+16]` as `kb` rows of 16 contiguous floats (zero beyond `jValid`).
    @inline(__always)
    static func packB(_ b: UnsafePointer<Float>, rs: Int, cs: Int, p0: Int, j0: Int, kb: Int, jValid: Int,
                      into dst: UnsafeMutablePointer<Float>) {
        if cs == 1 && jValid == nr {
            for p in 0..<kb {
                let src = UnsafeRawPointer(b + (p0 + p) * rs + j0)
                let d = UnsafeMutableRawPointer(dst + p * nr)
                d.storeBytes(of: src.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
            }
            return
        }
        if rs == 1 {
            // Transposed B: column j of op(B) is contiguous in memory.
            for jj in 0..<nr {
                if jj < jValid {
                    let src = b + p0 + (j0 + jj) * cs
                    for p in 0..<kb { dst[p * nr + jj] = src[p] }
                } else {
                    for p in 0..<kb { dst[p * nr + jj] = 0 }
                }
            }
            return
        }
        for p in 0..<kb {
            for jj in 0..<nr { dst[p * nr + jj] = jj < jValid ? b[(p0 + p) * rs + (j0 + jj) * cs] : 0 }
        }
    }

    /// Keeps the early-touch loads of the micro-kernel alive (their sum must be used somewhere).
    @inline(never) @_optimize(none)
    static func consume(_ x: Float) {}

    /// Packs `alpha · op(A)[i0..<i0+6, p0..<p0+kb]` as `kb` columns of 6 contiguous floats.
    @inline(__always)
    static func packA(_ a: UnsafePointer<Float>, rs: Int, cs: Int, i0: Int, p0: Int, kb: Int, iValid: Int,
                      alpha: Float, into dst: UnsafeMutablePointer<Float>) {
        if cs == 1 && iValid == mr {
            // Six full rows, eight columns at a time: SIMD loads, scattered into six-float groups.
            let r0 = a + i0 * rs + p0
            var p = 0
            while p + 8 <= kb {
                for ii in 0..<mr {
                    let v = UnsafeRawPointer(r0 + ii * rs + p).loadUnaligned(as: SIMD8<Float>.self) * alpha
                    let d = dst + p * mr + ii
                    d[0] = v[0]; d[mr] = v[1]; d[2 * mr] = v[2]; d[3 * mr] = v[3]
                    d[4 * mr] = v[4]; d[5 * mr] = v[5]; d[6 * mr] = v[6]; d[7 * mr] = v[7]
                }
                p += 8
            }
            while p < kb {
                for ii in 0..<mr { dst[p * mr + ii] = alpha * r0[ii * rs + p] }
                p += 1
            }
            return
        }
        if cs == 1 {
            for ii in 0..<mr {
                if ii < iValid {
                    let src = a + (i0 + ii) * rs + p0
                    for p in 0..<kb { dst[p * mr + ii] = alpha * src[p] }
                } else {
                    for p in 0..<kb { dst[p * mr + ii] = 0 }
                }
            }
            return
        }
        // Transposed A: row p of the slice holds 6 consecutive elements of op(A)'s column.
        for p in 0..<kb {
            let src = a + (p0 + p) * cs + i0 * rs
            for ii in 0..<mr { dst[p * mr + ii] = ii < iValid ? alpha * src[ii * rs] : 0 }
        }
    }

    /// `C[0..<mValid, 0..<nValid] += Apacked(6×kb) · Bpacked(kb×16)` (`=` when `overwrite`).
    /// Returns the sum of the early-touch loads (meaningless; only keeps the loads alive).
    @inline(__always)
    static func microKernel(_ kb: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                            _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ mValid: Int, _ nValid: Int, _ overwrite: Bool) -> Float {
        // Touch the C tile now (one load per cache line) so that its misses overlap the k loop.
        var touch: Float = 0
        if nValid == nr && mValid == mr {
            for r in 0..<mr { touch += c[r * ldc] + c[r * ldc + nr - 1] }
        }
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
        var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
        var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
        var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
        var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
        var ap = a
        var bp = UnsafeRawPointer(b)
        for _ in 0..<kb {
            let b0 = bp.load(as: SIMD8<Float>.self)
            let b1 = bp.load(fromByteOffset: 32, as: SIMD8<Float>.self)
            var av = SIMD8<Float>(repeating: ap[0])
            c00 = c00.addingProduct(av, b0); c01 = c01.addingProduct(av, b1)
            av = SIMD8<Float>(repeating: ap[1])
            c10 = c10.addingProduct(av, b0); c11 = c11.addingProduct(av, b1)
            av = SIMD8<Float>(repeating: ap[2])
            c20 = c20.addingProduct(av, b0); c21 = c21.addingProduct(av, b1)
            av = SIMD8<Float>(repeating: ap[3])
            c30 = c30.addingProduct(av, b0); c31 = c31.addingProduct(av, b1)
            av = SIMD8<Float>(repeating: ap[4])
            c40 = c40.addingProduct(av, b0); c41 = c41.addingProduct(av, b1)
            av = SIMD8<Float>(repeating: ap[5])
            c50 = c50.addingProduct(av, b0); c51 = c51.addingProduct(av, b1)
            ap += 6
            bp += 64
        }
        if mValid == mr && nValid == nr {
            @inline(__always) func add(_ row: Int, _ lo: SIMD8<Float>, _ hi: SIMD8<Float>) {
                let p = UnsafeMutableRawPointer(c + row * ldc)
                if overwrite {
                    p.storeBytes(of: lo, as: SIMD8<Float>.self)
                    p.storeBytes(of: hi, toByteOffset: 32, as: SIMD8<Float>.self)
                    return
                }
                p.storeBytes(of: p.loadUnaligned(as: SIMD8<Float>.self) + lo, as: SIMD8<Float>.self)
                p.storeBytes(of: p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) + hi, toByteOffset: 32, as: SIMD8<Float>.self)
            }
            add(0, c00, c01); add(1, c10, c11); add(2, c20, c21)
            add(3, c30, c31); add(4, c40, c41); add(5, c50, c51)
            return touch
        }
        @inline(__always) func edge(_ i: Int, _ lo: SIMD8<Float>, _ hi: SIMD8<Float>) {
            guard i < mValid else { return }
            let row = c + i * ldc
            for j in 0..<nValid { row[j] = (overwrite ? 0 : row[j]) + (j < 8 ? lo[j] : hi[j - 8]) }
        }
        edge(0, c00, c01); edge(1, c10, c11); edge(2, c20, c21)
        edge(3, c30, c31); edge(4, c40, c41); edge(5, c50, c51)
        return touch
    }
}
