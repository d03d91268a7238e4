import LinearAlgebra
import Runtime

/// One benchmark case: a kernel at a shape, runnable on either backend.
struct BenchCase {
    let kernel: String
    let shape: String
    /// Work per run: floating-point operations (compute-bound) or bytes moved (memory-bound).
    let work: Double
    let unit: Unit
    /// Large cases run once after no warm-up, to keep them short.
    var large = false
    let run: (Backend, Int) throws -> Void

    enum Unit: String { case gflops, gbps }
}

/// Builds the cases lazily: inputs are created only for selected kernels.
struct CaseCatalogue {
    let options: Options

    func cases() throws -> [BenchCase] {
        var out: [BenchCase] = []
        func want(_ k: String) -> Bool { options.selects(k) }

        // Dense level-3.
        if want("sgemm") {
            for n in [1024, 2048] {
                let a = Matrix<Float>.random(rows: n, cols: n, seed: 1), b = Matrix<Float>.random(rows: n, cols: n, seed: 2)
                var c = Matrix<Float>.zeros(rows: n, cols: n)
                out.append(BenchCase(kernel: "sgemm", shape: "\(n)x\(n)x\(n)", work: 2 * Double(n * n * n), unit: .gflops) { be, t in
                    try gemm(a, b, into: &c, backend: be, threads: t)
                })
            }
            // A·Bᵀ with a thin inner dimension (factor-model Gram matrix, ml-1m users).
            let f = Matrix<Float>.random(rows: 6040, cols: 64, seed: 3)
            var g = Matrix<Float>.zeros(rows: 6040, cols: 6040)
            out.append(BenchCase(kernel: "sgemm-abt", shape: "6040x6040x64", work: 2 * 6040 * 6040 * 64, unit: .gflops) { be, t in
                try gemm(f, f, transposeB: true, into: &g, backend: be, threads: t)
            })
        }
        if want("dgemm") {
            let n = 1024
            let a = Matrix<Double>.random(rows: n, cols: n, seed: 4), b = Matrix<Double>.random(rows: n, cols: n, seed: 5)
            var c = Matrix<Double>.zeros(rows: n, cols: n)
            out.append(BenchCase(kernel: "dgemm", shape: "\(n)x\(n)x\(n)", work: 2 * Double(n * n * n), unit: .gflops) { be, t in
                try gemm(a, b, into: &c, backend: be, threads: t)
            })
        }
        // Dense level-1/2 (memory-bound: bytes read + written).
        if want("sgemv") {
            let a = Matrix<Float>.random(rows: 8192, cols: 4096, seed: 6), x = [Float](repeating: 1, count: 4096)
            var y = [Float](repeating: 0, count: 8192)
            out.append(BenchCase(kernel: "sgemv", shape: "8192x4096", work: 4 * (8192 * 4096 + 4096 + 8192), unit: .gbps) { be, t in
                try gemv(a, x, into: &y, backend: be, threads: t)
            })
        }
        if want("dot") || want("axpy") {
            let n = 1 << 24
            let x = Matrix<Float>.random(rows: 1, cols: n, seed: 7).storage
            var y = Matrix<Float>.random(rows: 1, cols: n, seed: 8).storage
            if want("dot") {
                out.append(BenchCase(kernel: "sdot", shape: "\(n)", work: 8 * Double(n), unit: .gbps) { be, _ in
                    _ = try dot(x, y, backend: be)
                })
            }
            if want("axpy") {
                out.append(BenchCase(kernel: "saxpy", shape: "\(n)", work: 12 * Double(n), unit: .gbps) { be, _ in
                    try axpy(1e-7, x, &y, backend: be)
                })
            }
        }
        if want("rownorms") {
            let m = Matrix<Float>.random(rows: 162_541, cols: 64, seed: 9)
            out.append(BenchCase(kernel: "rownorms", shape: "162541x64", work: 4 * 162_541 * 64, unit: .gbps) { be, t in
                _ = rowNormsSquared(m, backend: be, threads: t)
            })
        }
        // Sparse: SpMM on rating-matrix shapes with 64 dense columns (ALS / projections).
        let shapes = [MovieLensShape.latestSmall, .ml1m] + (options.includeLarge ? [.ml25m] : [])
        if want("spmm") {
            for s in shapes {
                let a = try s.ratingMatrix(seed: 10)
                let nnz = Double(a.nonZeroCount)
                let b = Matrix<Float>.random(rows: s.movies, cols: 64, seed: 11)
                let bt = Matrix<Float>.random(rows: s.users, cols: 64, seed: 12)
                var c = Matrix<Float>.zeros(rows: s.users, cols: 64)
                var ct = Matrix<Float>.zeros(rows: s.movies, cols: 64)
                let shape = "\(s.name) \(s.users)x\(s.movies) nnz=\(a.nonZeroCount) x64"
                out.append(BenchCase(kernel: "spmm", shape: shape, work: 2 * nnz * 64, unit: .gflops, large: s.ratings > 10_000_000) { be, t in
                    try spmm(a, b, into: &c, backend: be, threads: t)
                })
                out.append(BenchCase(kernel: "spmm-t", shape: shape, work: 2 * nnz * 64, unit: .gflops, large: s.ratings > 10_000_000) { be, t in
                    try spmm(a, transposeA: true, bt, into: &ct, backend: be, threads: t)
                })
            }
        }
        // KMeans assignment: dense (users × 64 factors, k = 20) and CSR rating rows (k = 20).
        if want("nearest") {
            let x = Matrix<Float>.random(rows: 162_541, cols: 64, seed: 13)
            let c = Matrix<Float>.random(rows: 20, cols: 64, seed: 14)
            out.append(BenchCase(kernel: "nearest-dense", shape: "162541x64 k=20", work: 2 * 162_541 * 64 * 20, unit: .gflops) { be, t in
                _ = try nearestCentres(x, centres: c, backend: be, threads: t)
            })
            let s = try MovieLensShape.ml1m.ratingMatrix(seed: 15)
            let cs = Matrix<Float>.random(rows: 20, cols: s.cols, seed: 16)
            out.append(BenchCase(kernel: "nearest-sparse", shape: "ml-1m 6040x3706 nnz=\(s.nonZeroCount) k=20",
                                 work: 2 * Double(s.nonZeroCount) * 20, unit: .gflops) { be, t in
                _ = try nearestCentres(s, centres: cs, backend: be, threads: t)
            })
        }
        // Similar items: top-10 of A·Aᵀ without forming it.
        if want("topk") {
            let items = Matrix<Float>.random(rows: 9742, cols: 64, seed: 17)
            out.append(BenchCase(kernel: "topk-dense", shape: "9742x9742x64 k=10", work: 2 * 9742 * 9742 * 64, unit: .gflops) { be, t in
                _ = try topKProducts(items, items, k: 10, excludeDiagonal: true, backend: be, threads: t)
            })
            let r = try MovieLensShape.ml1m.ratingMatrix(seed: 18).transposed().normalizedRows()
            // Work of the sparse product: Σ over items' users of those users' item counts.
            let rt = r.transposed()
            var pairs = 0.0
            for i in 0..<r.rows { for p in r.range(ofRow: i) { pairs += Double(rt.count(ofRow: Int(r.columns[p]))) } }
            out.append(BenchCase(kernel: "topk-sparse", shape: "ml-1m items 3706x6040 nnz=\(r.nonZeroCount) k=10", work: 2 * pairs, unit: .gflops) { be, t in
                _ = try topKProducts(r, r, k: 10, excludeDiagonal: true, backend: be, threads: t)
            })
        }
        // ALS-style batched small solves: 2000 systems of 64×64, one right-hand side each.
        if want("cholesky") {
            let f = 64, batch = 2000
            let m = Matrix<Float>.random(rows: f, cols: f, seed: 19)
            var spd = try gemm(m, transposeA: true, m, backend: .swift, threads: 1)
            for i in 0..<f { spd[i, i] += Float(f) }
            let rhs = Matrix<Float>.random(rows: batch, cols: f, seed: 20)
            let flops = Double(batch) * (Double(f * f * f) / 3 + 2 * Double(f * f))
            out.append(BenchCase(kernel: "cholesky-batch", shape: "\(batch) x \(f)x\(f)", work: flops, unit: .gflops) { be, t in
                try CholeskyBatch.solve(spd, rhs, backend: be, threads: t)
            })
        }
        if want("eigen") {
            let m = Matrix<Float>.random(rows: 256, cols: 256, seed: 21)
            let a = try gemm(m, m, transposeB: true, backend: .blas, threads: 1)
            out.append(BenchCase(kernel: "eigen", shape: "256x256", work: 9 * pow3(256), unit: .gflops) { be, t in
                _ = try symmetricEigen(a, backend: be, threads: t)
            })
        }
        if want("svd") {
            let a = Matrix<Float>.random(rows: 256, cols: 128, seed: 22)
            out.append(BenchCase(kernel: "svd", shape: "256x128", work: 4 * 256 * 128 * 128, unit: .gflops) { be, t in
                _ = try svd(a, backend: be, threads: t)
            })
        }
        return out
    }

    private func pow3(_ x: Double) -> Double { x * x * x }
}

/// Solves one copy of `spd · x = rhs[i]` per row of `rhs`, in parallel, the way ALS does.
enum CholeskyBatch {
    static func solve(_ spd: Matrix<Float>, _ rhs: Matrix<Float>, backend: Backend, threads: Int) throws {
        let f = spd.rows
        let blocks = splitRange(rhs.rows, parts: threads)
        var failures = [String?](repeating: nil, count: blocks.count)
        failures.withUnsafeMutableBufferPointer { fp in
            let sf = UnsafeSendable(fp.baseAddress)
            BLASThreads.with(1) {
                parallelFor(chunks: blocks.count, threads: threads) { bi in
                    var a = spd.storage
                    var b = [Float](repeating: 0, count: f)
                    do {
                        for r in blocks[bi] {
                            a.withUnsafeMutableBufferPointer { dst in spd.storage.withUnsafeBufferPointer { src in
                                if let d = dst.baseAddress, let s = src.baseAddress { d.update(from: s, count: f * f) }
                            } }
                            rhs.withRow(r) { row in for j in 0..<f { b[j] = row[j] } }
                            try a.withUnsafeMutableBufferPointer { ap in
                                try b.withUnsafeMutableBufferPointer { bp in
                                    guard let ab = ap.baseAddress, let bb = bp.baseAddress else { return }
                                    try Cholesky.solveInPlace(ab, bb, n: f, nrhs: 1, backend: backend)
                                }
                            }
                        }
                    } catch {
                        sf.value?[bi] = "\(error)"
                    }
                }
            }
        }
        if let failure = failures.compactMap({ $0 }).first {
            throw LinearAlgebraError.invalidArgument(operation: "cholesky-batch", details: failure)
        }
    }
}
