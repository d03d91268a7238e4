import COpenBLAS
import Runtime

/// Cholesky factorisation and solves for symmetric positive-definite systems `A·X = B`.
///
/// BLAS path: LAPACK `spotrf`/`sposv` (`d…` for `Double`) through LAPACKE's `_work` entry points
/// in column-major layout — a symmetric `A` is its own transpose, so the row-major buffer is
/// passed without the copy LAPACKE's row-major wrappers make (upper triangle in column-major =
/// lower triangle in row-major). Swift path: a right-looking factorisation whose trailing
/// updates are SIMD axpys over contiguous row segments, then forward and back substitution.
///
/// Only the lower triangle of `A` is read. For many small systems (ALS: one `f × f` system per
/// user, `f ≈ 64`) call `Cholesky.solveInPlace` from your own parallel loop inside
/// `BLASThreads.with(1) { … }`: it allocates nothing for one right-hand side.
public enum Cholesky {
    /// Solves `A·X = B` in place: `a` (`n × n`, row-major) is overwritten by the factor `L`
    /// in its lower triangle (the strict upper triangle is left unspecified), `b` (`n × nrhs`,
    /// row-major) by `X`.
    /// - Throws: `.notPositiveDefinite(order:)` naming the first failing leading minor.
    @_specialize(exported: true, where E == Float)
    @_specialize(exported: true, where E == Double)
    public static func solveInPlace<E: MatrixElement>(_ a: UnsafeMutablePointer<E>, _ b: UnsafeMutablePointer<E>,
                                                      n: Int, nrhs: Int, backend: Backend) throws {
        guard n > 0 else { return }
        switch backend {
        case .blas:
            if nrhs == 1 {
                try lapackSolve(a, b, n: n, nrhs: 1)
            } else if nrhs > 1 {
                // Column-major B is the transpose of our row-major B.
                var bt = [E](repeating: 0, count: n * nrhs)
                for i in 0..<n { for j in 0..<nrhs { bt[j * n + i] = b[i * nrhs + j] } }
                try bt.withUnsafeMutableBufferPointer { p in
                    guard let base = p.baseAddress else { return }
                    try lapackSolve(a, base, n: n, nrhs: nrhs)
                }
                for i in 0..<n { for j in 0..<nrhs { b[i * nrhs + j] = bt[j * n + i] } }
            } else {
                try factorInPlace(a, n: n, backend: .blas)
            }
        case .swift:
            try swiftFactor(a, n: n)
            if nrhs == 1 {
                swiftSubstitute(a, b, n: n)
            } else if nrhs > 1 {
                var col = [E](repeating: 0, count: n)
                try col.withUnsafeMutableBufferPointer { cp in
                    guard let c = cp.baseAddress else { throw LinearAlgebraError.invalidShape(operation: "Cholesky", details: "empty") }
                    for j in 0..<nrhs {
                        for i in 0..<n { c[i] = b[i * nrhs + j] }
                        swiftSubstitute(a, c, n: n)
                        for i in 0..<n { b[i * nrhs + j] = c[i] }
                    }
                }
            }
        }
    }

    /// Overwrites the lower triangle of `a` (`n × n`, row-major) with `L`, `A = L·Lᵀ`.
    @_specialize(exported: true, where E == Float)
    @_specialize(exported: true, where E == Double)
    public static func factorInPlace<E: MatrixElement>(_ a: UnsafeMutablePointer<E>, n: Int, backend: Backend) throws {
        guard n > 0 else { return }
        switch backend {
        case .swift: try swiftFactor(a, n: n)
        case .blas:
            let info: Int32
            if E.self == Float.self {
                info = LAPACKE_spotrf_work(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n),
                                           UnsafeMutableRawPointer(a).assumingMemoryBound(to: Float.self), Int32(n))
            } else {
                info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n),
                                           UnsafeMutableRawPointer(a).assumingMemoryBound(to: Double.self), Int32(n))
            }
            try check(info, routine: "potrf")
        }
    }

    static func check(_ info: Int32, routine: String) throws {
        if info > 0 { throw LinearAlgebraError.notPositiveDefinite(order: Int(info)) }
        if info < 0 { throw LinearAlgebraError.lapackFailure(routine: routine, info: Int(info)) }
    }

    static func lapackSolve<E: MatrixElement>(_ a: UnsafeMutablePointer<E>, _ b: UnsafeMutablePointer<E>, n: Int, nrhs: Int) throws {
        let info: Int32
        let uplo = Int8(UInt8(ascii: "U"))
        if E.self == Float.self {
            info = LAPACKE_sposv_work(LAPACK_COL_MAJOR, uplo, Int32(n), Int32(nrhs),
                                      UnsafeMutableRawPointer(a).assumingMemoryBound(to: Float.self), Int32(n),
                                      UnsafeMutableRawPointer(b).assumingMemoryBound(to: Float.self), Int32(n))
        } else {
            info = LAPACKE_dposv_work(LAPACK_COL_MAJOR, uplo, Int32(n), Int32(nrhs),
                                      UnsafeMutableRawPointer(a).assumingMemoryBound(to: Double.self), Int32(n),
                                      UnsafeMutableRawPointer(b).assumingMemoryBound(to: Double.self), Int32(n))
        }
        try check(info, routine: "posv")
    }

    /// Right-looking Cholesky on the lower triangle (row-major): for each column `j`,
    /// `L[j][j] = sqrt(A[j][j])`, the column below is scaled, copied to a contiguous scratch
    /// vector, and the trailing lower triangle is updated row by row with SIMD axpys
    /// (`A[i][j+1...i] -= L[i][j] · L[j+1...i][j]`): no horizontal reductions in the inner loop.
    static func swiftFactor<E: MatrixElement>(_ a: UnsafeMutablePointer<E>, n: Int) throws {
        let column = UnsafeMutablePointer<E>.allocate(capacity: max(1, n))
        defer { column.deallocate() }
        for j in 0..<n {
            let s = a[j * n + j]
            guard s > 0, s.isFinite else { throw LinearAlgebraError.notPositiveDefinite(order: j + 1) }
            let ljj = s.squareRoot()
            a[j * n + j] = ljj
            let inv = 1 / ljj
            for i in (j + 1)..<max(j + 1, n) {
                let l = a[i * n + j] * inv
                a[i * n + j] = l
                column[i] = l
            }
            for i in (j + 1)..<max(j + 1, n) {
                SIMDLoops.axpy(-column[i], column + j + 1, a + i * n + j + 1, i - j)
            }
        }
    }

    /// Solves `L·Lᵀ·x = b` in place given `L` in the lower triangle of `l`.
    static func swiftSubstitute<E: MatrixElement>(_ l: UnsafeMutablePointer<E>, _ b: UnsafeMutablePointer<E>, n: Int) {
        for i in 0..<n {
            let rowI = l + i * n
            b[i] = (b[i] - SIMDLoops.dot(rowI, b, i)) / rowI[i]
        }
        var i = n - 1
        while i >= 0 {
            let rowI = l + i * n
            let xi = b[i] / rowI[i]
            b[i] = xi
            if i > 0 { SIMDLoops.axpy(-xi, rowI, b, i) }
            i -= 1
        }
    }
}

/// Solves `A·X = B` for symmetric positive-definite `A` (`n × n`, lower triangle read) and
/// `B` (`n × nrhs`). LAPACK runs with `threads` OpenBLAS threads on the BLAS path.
/// - Throws: `.dimensionMismatch`, `.notPositiveDefinite(order:)`.
@_specialize(exported: true, where E == Float)
@_specialize(exported: true, where E == Double)
public func choleskySolve<E: MatrixElement>(_ a: Matrix<E>, _ b: Matrix<E>, backend: Backend = .default,
                                            threads: Int = Threads.defaultCount) throws -> Matrix<E> {
    guard a.rows == a.cols, b.rows == a.rows else {
        throw LinearAlgebraError.dimensionMismatch(operation: "choleskySolve", details: "A is \(a.rows)x\(a.cols), B is \(b.rows)x\(b.cols)")
    }
    var f = a, x = b
    try BLASThreads.with(Threads.resolve(threads)) {
        try f.withUnsafeMutableBufferPointer { ap in
            try x.withUnsafeMutableBufferPointer { xp in
                guard let abase = ap.baseAddress, let xbase = xp.baseAddress else { return }
                try Cholesky.solveInPlace(abase, xbase, n: a.rows, nrhs: b.cols, backend: backend)
            }
        }
    }
    return x
}

/// The lower-triangular Cholesky factor `L` of symmetric positive-definite `A` (`A = L·Lᵀ`);
/// the strict upper triangle of the result is zero.
/// - Throws: `.dimensionMismatch` for a non-square `A`, `.notPositiveDefinite(order:)`.
@_specialize(exported: true, where E == Float)
@_specialize(exported: true, where E == Double)
public func choleskyFactor<E: MatrixElement>(_ a: Matrix<E>, backend: Backend = .default) throws -> Matrix<E> {
    guard a.rows == a.cols else {
        throw LinearAlgebraError.dimensionMismatch(operation: "choleskyFactor", details: "A is \(a.rows)x\(a.cols), not square")
    }
    var f = a
    let n = a.rows
    try f.withUnsafeMutableBufferPointer { p in
        guard let base = p.baseAddress else { return }
        try Cholesky.factorInPlace(base, n: n, backend: backend)
        for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { base[i * n + j] = 0 } }
    }
    return f
}
