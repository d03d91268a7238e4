/// Small SIMD loops shared by the Swift-path kernels (dot, axpy, scaling), generic over the
/// element type and specialised by the compiler. Eight-lane vectors with four independent
/// accumulators for reductions; the scalar tail handles lengths that are not multiples of 8.
enum SIMDLoops {
    /// `Σ x[i]·y[i]` over `n` elements.
    @inline(__always)
    static func dot<E: MatrixElement>(_ x: UnsafePointer<E>, _ y: UnsafePointer<E>, _ n: Int) -> E {
        var a0 = SIMD8<E>(), a1 = SIMD8<E>(), a2 = SIMD8<E>(), a3 = SIMD8<E>()
        let xr = UnsafeRawPointer(x), yr = UnsafeRawPointer(y)
        let w = MemoryLayout<SIMD8<E>>.stride
        var i = 0
        while i + 32 <= n {
            let o = i * MemoryLayout<E>.stride
            a0 = a0.addingProduct(xr.loadUnaligned(fromByteOffset: o, as: SIMD8<E>.self), yr.loadUnaligned(fromByteOffset: o, as: SIMD8<E>.self))
            a1 = a1.addingProduct(xr.loadUnaligned(fromByteOffset: o + w, as: SIMD8<E>.self), yr.loadUnaligned(fromByteOffset: o + w, as: SIMD8<E>.self))
            a2 = a2.addingProduct(xr.loadUnaligned(fromByteOffset: o + 2 * w, as: SIMD8<E>.self), yr.loadUnaligned(fromByteOffset: o + 2 * w, as: SIMD8<E>.self))
            a3 = a3.addingProduct(xr.loadUnaligned(fromByteOffset: o + 3 * w, as: SIMD8<E>.self), yr.loadUnaligned(fromByteOffset: o + 3 * w, as: SIMD8<E>.self))
            i += 32
        }
        while i + 8 <= n {
            let o = i * MemoryLayout<E>.stride
            a0 = a0.addingProduct(xr.loadUnaligned(fromByteOffset: o, as: SIMD8<E>.self), yr.loadUnaligned(fromByteOffset: o, as: SIMD8<E>.self))
            i += 8
        }
        var s = ((a0 + a1) + (a2 + a3)).sum()
        while i < n { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// `y += alpha·x` over `n` elements.
    @inline(__always)
    static func axpy<E: MatrixElement>(_ alpha: E, _ x: UnsafePointer<E>, _ y: UnsafeMutablePointer<E>, _ n: Int) {
        let xr = UnsafeRawPointer(x), yr = UnsafeMutableRawPointer(y)
        let av = SIMD8<E>(repeating: alpha)
        let w = MemoryLayout<SIMD8<E>>.stride
        var i = 0
        while i + 16 <= n {
            let o = i * MemoryLayout<E>.stride
            let y0 = yr.loadUnaligned(fromByteOffset: o, as: SIMD8<E>.self).addingProduct(av, xr.loadUnaligned(fromByteOffset: o, as: SIMD8<E>.self))
            let y1 = yr.loadUnaligned(fromByteOffset: o + w, as: SIMD8<E>.self).addingProduct(av, xr.loadUnaligned(fromByteOffset: o + w, as: SIMD8<E>.self))
            yr.storeBytes(of: y0, toByteOffset: o, as: SIMD8<E>.self)
            yr.storeBytes(of: y1, toByteOffset: o + w, as: SIMD8<E>.self)
            i += 16
        }
        while i + 8 <= n {
            let o = i * MemoryLayout<E>.stride
            yr.storeBytes(of: yr.loadUnaligned(fromByteOffset: o, as: SIMD8<E>.self).addingProduct(av, xr.loadUnaligned(fromByteOffset: o, as: SIMD8<E>.self)),
                          toByteOffset: o, as: SIMD8<E>.self)
            i += 8
        }
        while i < n { y[i] += alpha * x[i]; i += 1 }
    }

    /// `x *= alpha` over `n` elements.
    @inline(__always)
    static func scale<E: MatrixElement>(_ alpha: E, _ x: UnsafeMutablePointer<E>, _ n: Int) {
        let xr = UnsafeMutableRawPointer(x)
        let av = SIMD8<E>(repeating: alpha)
        var i = 0
        while i + 8 <= n {
            let o = i * MemoryLayout<E>.stride
            xr.storeBytes(of: xr.loadUnaligned(fromByteOffset: o, as: SIMD8<E>.self) * av, toByteOffset: o, as: SIMD8<E>.self)
            i += 8
        }
        while i < n { x[i] *= alpha; i += 1 }
    }
}
