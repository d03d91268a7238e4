import Runtime
import LinearAlgebra

/// Naive reference implementations the kernels are compared against (triple loops in Double).
enum Reference {
    static func gemm(_ a: Matrix<Float>, _ ta: Bool, _ b: Matrix<Float>, _ tb: Bool, alpha: Float = 1, beta: Float = 0, c: Matrix<Float>? = nil) -> Matrix<Float> {
        let m = ta ? a.cols : a.rows, k = ta ? a.rows : a.cols, n = tb ? b.rows : b.cols
        var out = Matrix<Float>.zeros(rows: m, cols: n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let x = ta ? a[p, i] : a[i, p]
                    let y = tb ? b[j, p] : b[p, j]
                    s += Double(x) * Double(y)
                }
                let prior = beta == 0 ? 0 : Double(beta) * Double(c?[i, j] ?? 0)
                out[i, j] = Float(Double(alpha) * s + prior)
            }
        }
        return out
    }
}

/// Relative error measure: max |x - y| / max(1, max |y|).
func relativeError(_ x: Matrix<Float>, _ y: Matrix<Float>) -> Float {
    precondition(x.rows == y.rows && x.cols == y.cols, "shape mismatch \(x.rows)x\(x.cols) vs \(y.rows)x\(y.cols)")
    var scale: Float = 1
    for v in y.storage { scale = max(scale, abs(v)) }
    return x.maxAbsDifference(y) / scale
}

/// A random CSR matrix with about `density` of its entries stored (some rows empty), reproducible.
func randomSparse(rows: Int, cols: Int, density: Double, seed: UInt64, emptyRowEvery: Int = 5) -> SparseMatrix {
    var g = SplitMix64(seed: seed)
    var r: [Int32] = [], c: [Int32] = [], v: [Float] = []
    for i in 0..<rows where emptyRowEvery == 0 || i % emptyRowEvery != 1 {
        for j in 0..<cols where Double(g.nextUnitFloat()) < density {
            r.append(Int32(i)); c.append(Int32(j)); v.append(g.nextUnitFloat() * 2 - 1)
        }
    }
    // Built from COO; cannot fail for in-range indices.
    return (try? SparseMatrix(rows: rows, cols: cols, rowIndices: r, colIndices: c, values: v)) ?? .empty(rows: rows, cols: cols)
}

/// Shapes exercising the edge cases: empty, single row/column, sizes around the SIMD width and
/// the 6×16 micro-tile, and one shape larger than a cache block in k.
let testShapes: [(m: Int, n: Int, k: Int)] = [
    (0, 5, 3), (4, 0, 3), (3, 4, 0), (1, 1, 1), (1, 17, 9), (7, 1, 5), (6, 16, 8), (13, 33, 17),
    (25, 19, 300), (50, 70, 31), (130, 20, 7),
    // k above the 512-deep packed slice: three equal slices of 367/367/366.
    (9, 40, 1100),
]
