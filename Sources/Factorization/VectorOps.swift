/// Small Float SIMD loops for the per-row ALS work (LinearAlgebra keeps its own internal).
/// Eight-lane vectors, a scalar tail for lengths that are not multiples of 8.
enum VectorOps {
    /// `Σ x[i]·y[i]` over `n` elements.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
        let xr = UnsafeRawPointer(x), yr = UnsafeRawPointer(y)
        var i = 0
        while i + 16 <= n {
            let o = i * 4
            a0 = a0.addingProduct(xr.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self),
                                  yr.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
            a1 = a1.addingProduct(xr.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self),
                                  yr.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self))
            i += 16
        }
        while i + 8 <= n {
            a0 = a0.addingProduct(xr.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self),
                                  yr.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
            i += 8
        }
        var s = (a0 + a1).sum()
        while i < n { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// `y += alpha·x` over `n` elements.
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let xr = UnsafeRawPointer(x), yr = UnsafeMutableRawPointer(y)
        let av = SIMD8<Float>(repeating: alpha)
        var i = 0
        while i + 8 <= n {
            let o = i * 4
            let v = yr.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                .addingProduct(av, xr.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
            yr.storeBytes(of: v, toByteOffset: o, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { y[i] += alpha * x[i]; i += 1 }
    }

    /// `y = x + beta·y` over `n` elements (the conjugate-gradient direction update).
    @inline(__always)
    static func xpby(_ x: UnsafePointer<Float>, _ beta: Float, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] = x[i] + beta * y[i] }
    }

    /// `out = M·v` for a dense SYMMETRIC row-major `n × n` matrix `m`, as `Σⱼ vⱼ·M[j, :]`
    /// (row axpys: no horizontal reductions).
    /// Columns are taken 32 at a time with four SIMD8 accumulators kept in registers, so `M` is
    /// streamed once and `out` is written once.
    @inline(__always)
    static func symv(_ m: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        let mr = UnsafeRawPointer(m), outr = UnsafeMutableRawPointer(out)
        var c0 = 0
        while c0 + 32 <= n {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            for j in 0..<n {
                let s = SIMD8<Float>(repeating: v[j])
                let o = (j * n + c0) * 4
                a0 = a0.addingProduct(s, mr.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                a1 = a1.addingProduct(s, mr.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self))
                a2 = a2.addingProduct(s, mr.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self))
                a3 = a3.addingProduct(s, mr.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self))
            }
            outr.storeBytes(of: a0, toByteOffset: c0 * 4, as: SIMD8<Float>.self)
            outr.storeBytes(of: a1, toByteOffset: c0 * 4 + 32, as: SIMD8<Float>.self)
            outr.storeBytes(of: a2, toByteOffset: c0 * 4 + 64, as: SIMD8<Float>.self)
            outr.storeBytes(of: a3, toByteOffset: c0 * 4 + 96, as: SIMD8<Float>.self)
            c0 += 32
        }
        while c0 + 8 <= n {
            var a0 = SIMD8<Float>()
            for j in 0..<n {
                a0 = a0.addingProduct(SIMD8<Float>(repeating: v[j]), mr.loadUnaligned(fromByteOffset: (j * n + c0) * 4, as: SIMD8<Float>.self))
            }
            outr.storeBytes(of: a0, toByteOffset: c0 * 4, as: SIMD8<Float>.self)
            c0 += 8
        }
        while c0 < n {
            var s: Float = 0
            for j in 0..<n { s += v[j] * m[j * n + c0] }
            out[c0] = s
            c0 += 1
        }
    }

    /// Adds `Σ_j w[j]·y_j·y_jᵀ` to the full `n × n` row-major `a`, four vectors per pass so that
    /// each row of `a` is loaded and stored once per four rank-one updates.
    static func rankUpdate(_ a: UnsafeMutablePointer<Float>, n: Int,
                           vectors: UnsafePointer<UnsafePointer<Float>>, weights: UnsafePointer<Float>, count: Int) {
        var j = 0
        while j + 4 <= count {
            let y0 = vectors[j], y1 = vectors[j + 1], y2 = vectors[j + 2], y3 = vectors[j + 3]
            let w0 = weights[j], w1 = weights[j + 1], w2 = weights[j + 2], w3 = weights[j + 3]
            for r in 0..<n {
                let s0 = w0 * y0[r], s1 = w1 * y1[r], s2 = w2 * y2[r], s3 = w3 * y3[r]
                let row = UnsafeMutableRawPointer(a + r * n)
                var c = 0
                while c + 8 <= n {
                    let o = c * 4
                    var v = row.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                    v = v.addingProduct(SIMD8(repeating: s0), UnsafeRawPointer(y0).loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                    v = v.addingProduct(SIMD8(repeating: s1), UnsafeRawPointer(y1).loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                    v = v.addingProduct(SIMD8(repeating: s2), UnsafeRawPointer(y2).loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                    v = v.addingProduct(SIMD8(repeating: s3), UnsafeRawPointer(y3).loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                    row.storeBytes(of: v, toByteOffset: o, as: SIMD8<Float>.self)
                    c += 8
                }
                let rowp = a + r * n
                while c < n {
                    rowp[c] += s0 * y0[c] + s1 * y1[c] + s2 * y2[c] + s3 * y3[c]
                    c += 1
                }
            }
            j += 4
        }
        while j < count {
            let y = vectors[j], w = weights[j]
            for r in 0..<n { axpy(w * y[r], y, a + r * n, n) }
            j += 1
        }
    }
}
