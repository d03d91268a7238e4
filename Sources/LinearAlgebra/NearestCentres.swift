import Runtime

/// For each row of `X`, the nearest centre and its squared Euclidean distance.
public struct NearestCentres: Sendable, Equatable {
    /// Index of the nearest centre of each row (ties: the smaller index).
    public let labels: [Int32]
    /// Squared distance to that centre, clamped at 0 (the expansion below can round slightly negative).
    public let distances: [Float]
}

/// Squared Euclidean distances from every row of dense `x` to every row of `centres`, fused with
/// the argmin, computed as `‖x‖² − 2·x·c + ‖c‖²`.
///
/// BLAS: rows are processed in chunks of `chunkRows` in parallel; each chunk forms the `chunk × k`
/// block `X_chunk · Cᵀ` with `cblas_sgemm` (single-threaded per worker), so memory stays
/// `O(threads × chunkRows × k)`, never `n × k`. Swift: the register kernel of
/// `NearestCentresRegister` (the k sums of a row stay in SIMD registers; `chunkRows` unused).
/// - Parameter centreNormsSquared: `‖c‖²` per centre if the caller already has them.
/// - Parameter rowNormsSquared: `‖x‖²` per row if the caller already has them (e.g. KMeans,
///   which assigns the same rows every iteration).
/// - Throws: `.invalidArgument` when there are no centres, `.dimensionMismatch` for a column-count
///   mismatch.
public func nearestCentres(_ x: Matrix<Float>, centres: Matrix<Float>, centreNormsSquared: [Float]? = nil,
                           rowNormsSquared xNormsGiven: [Float]? = nil,
                           chunkRows: Int = 256, backend: Backend = .default, threads: Int = Threads.defaultCount) throws -> NearestCentres {
    try NearestCentresKernel.validate(rows: x.rows, cols: x.cols, centres: centres, norms: centreNormsSquared, rowNorms: xNormsGiven)
    let t = Threads.resolve(threads)
    let cNorms = centreNormsSquared ?? rowNormsSquared(centres, backend: backend, threads: t)
    let k = centres.rows, d = x.cols
    let xNorms = xNormsGiven ?? rowNormsSquared(x, backend: backend, threads: t)
    if backend == .swift {
        return NearestCentresRegister.dense(x, centres: centres, cNorms: cNorms, xNorms: xNorms, threads: t)
    }
    return x.withUnsafeBufferPointer { xp in
        centres.withUnsafeBufferPointer { cp in
            let sx = UnsafeSendable(xp.baseAddress), sc = UnsafeSendable(cp.baseAddress)
            return NearestCentresKernel.chunked(rows: x.rows, k: k, chunkRows: chunkRows, cNorms: cNorms, threads: t,
                xNorm: { xNorms[$0] },
                products: { r0, r1, g in
                    guard let xb = sx.value, let cb = sc.value, d > 0 else { return }
                    GEMMKernel.run(transposeA: false, transposeB: true, m: r1 - r0, n: k, k: d, alpha: -2,
                                   a: xb + r0 * d, lda: d, b: cb, ldb: d, beta: 0, c: g, ldc: k, backend: backend, threads: 1)
                })
        }
    }
}

/// The same for CSR rows `x` (e.g. a user × item rating matrix). BLAS: `x·c` for a chunk is a
/// sparse × dense product against `Cᵀ` (formed once, `d × k`) by `SpMMKernel.plain` (the row's
/// rows of `Cᵀ` gathered, one `cblas_sgemv` per row). Swift: the register kernel of
/// `NearestCentresRegister` (one SIMD8 load + FMA per stored value and tile of 8 centres, fused
/// with the argmin). `‖x‖²` is the sum of the stored squares unless given.
public func nearestCentres(_ x: SparseMatrix, centres: Matrix<Float>, centreNormsSquared: [Float]? = nil,
                           rowNormsSquared xNormsGiven: [Float]? = nil,
                           chunkRows: Int = 256, backend: Backend = .default, threads: Int = Threads.defaultCount) throws -> NearestCentres {
    try NearestCentresKernel.validate(rows: x.rows, cols: x.cols, centres: centres, norms: centreNormsSquared, rowNorms: xNormsGiven)
    let t = Threads.resolve(threads)
    let cNorms = centreNormsSquared ?? rowNormsSquared(centres, backend: backend, threads: t)
    let xNorms = xNormsGiven ?? x.rowNormsSquared(backend: backend)
    if backend == .swift {
        return NearestCentresRegister.sparse(x, centres: centres, cNorms: cNorms, xNorms: xNorms, threads: t)
    }
    let centresT = centres.transposed()
    let k = centres.rows
    return centresT.withUnsafeBufferPointer { ctp in
        let sct = UnsafeSendable(ctp.baseAddress)
        return NearestCentresKernel.chunked(rows: x.rows, k: k, chunkRows: chunkRows, cNorms: cNorms, threads: t,
            xNorm: { xNorms[$0] },
            products: { r0, r1, g in
                guard let ctb = sct.value else { return }
                SpMMKernel.plain(x, rows: r0..<r1, alpha: -2, b: ctb, n: k, c: g, backend: backend, threads: 1)
            })
    }
}

enum NearestCentresKernel {
    static func validate(rows: Int, cols: Int, centres: Matrix<Float>, norms: [Float]?, rowNorms: [Float]? = nil) throws {
        if let rowNorms, rowNorms.count != rows {
            throw LinearAlgebraError.dimensionMismatch(operation: "nearestCentres", details: "\(rowNorms.count) row norms for \(rows) rows")
        }
        guard centres.rows > 0 else { throw LinearAlgebraError.invalidArgument(operation: "nearestCentres", details: "no centres (k = 0)") }
        guard centres.cols == cols else {
            throw LinearAlgebraError.dimensionMismatch(operation: "nearestCentres", details: "rows have \(cols) columns, centres have \(centres.cols)")
        }
        if let norms, norms.count != centres.rows {
            throw LinearAlgebraError.dimensionMismatch(operation: "nearestCentres", details: "\(norms.count) centre norms for \(centres.rows) centres")
        }
    }

    /// The chunk loop shared by the dense and sparse entry points: chunks of `chunkRows` rows run
    /// in parallel (OpenBLAS single-threaded inside); `products(r0, r1, g)` adds `-2·x·c` for rows
    /// `r0..<r1` into the zeroed `(r1 - r0) × k` block `g`, and the argmin takes
    /// `xNorm(i) + g + ‖c‖²`. Memory: one block per chunk, never `n × k`.
    static func chunked(rows n: Int, k: Int, chunkRows: Int, cNorms: [Float], threads: Int,
                        xNorm: (Int) -> Float,
                        products: (Int, Int, UnsafeMutablePointer<Float>) -> Void) -> NearestCentres {
        let chunk = max(1, chunkRows)
        var labels = [Int32](repeating: 0, count: n)
        var dists = [Float](repeating: 0, count: n)
        labels.withUnsafeMutableBufferPointer { lp in
            dists.withUnsafeMutableBufferPointer { dp in
                let sl = UnsafeSendable(lp.baseAddress), sd = UnsafeSendable(dp.baseAddress)
                BLASThreads.with(1) {
                    parallelFor(chunks: (n + chunk - 1) / chunk, threads: threads) { ci in
                        guard let lb = sl.value, let db = sd.value else { return }
                        let r0 = ci * chunk, r1 = min(n, r0 + chunk)
                        var g = [Float](repeating: 0, count: (r1 - r0) * k)
                        g.withUnsafeMutableBufferPointer { gp in
                            guard let gb = gp.baseAddress else { return }
                            products(r0, r1, gb)
                            for i in r0..<r1 {
                                (lb[i], db[i]) = argmin(gp, offset: (i - r0) * k, k: k, xNorm: xNorm(i), cNorms: cNorms)
                            }
                        }
                    }
                }
            }
        }
        return NearestCentres(labels: labels, distances: dists)
    }

    /// Argmin over `xNorm + g[j] + cNorms[j]` (`g` already holds `-2·x·c`); ties → smaller `j`.
    /// A NaN distance never wins; if all are NaN the label is 0 and the distance NaN.
    @inline(__always)
    static func argmin(_ g: UnsafeMutableBufferPointer<Float>, offset: Int, k: Int, xNorm: Float, cNorms: [Float]) -> (Int32, Float) {
        var best = Float.infinity, label = -1
        for j in 0..<k {
            let dist = xNorm + g[offset + j] + cNorms[j]
            if dist < best { best = dist; label = j }
        }
        if label < 0 { return (0, xNorm + g[offset] + cNorms[0]) }
        return (Int32(label), max(0, best))
    }
}
