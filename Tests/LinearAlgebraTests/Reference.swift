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
