import LinearAlgebra
import Runtime

/// KMeans centres with their squared norms (reused by every assignment against them).
struct Centres: Sendable {
    /// `k × d`, row-major.
    let matrix: Matrix<Float>
    /// ‖cⱼ‖².
    let norms: [Float]

    var k: Int { matrix.rows }
    var d: Int { matrix.cols }
    var values: [Float] { matrix.storage }

    init(k: Int, d: Int, values: [Float], backend: Backend) {
        matrix = Matrix(checkedRows: k, cols: d, storage: values)
        norms = rowNormsSquared(matrix, backend: backend, threads: 1)
    }
}

/// The result of an assignment pass: the nearest centre of every row and the squared distance
/// to it (clamped at 0).
struct Assignment: Sendable {
    var labels: [Int32]
    var distances: [Float]

    /// Σ wᵢ·dᵢ in double precision, in row order.
    func inertia(weights: [Float]?) -> Double {
        var s = 0.0
        if let w = weights {
            for i in 0..<distances.count { s += Double(w[i]) * Double(distances[i]) }
        } else {
            for x in distances { s += Double(x) }
        }
        return s
    }
}
