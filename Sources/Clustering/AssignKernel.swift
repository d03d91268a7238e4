import LinearAlgebra
import Runtime

/// Nearest-centre assignment on LinearAlgebra's fused kernels: `nearestCentres` computes
/// ‖x‖² − 2x·c + ‖c‖² with GEMM (dense rows) or sparse × dense products against Cᵀ (CSR rows),
/// chunked and in parallel, and takes the argmin (ties to the lower centre index). Both backends
/// go through the same call with the caller's `backend`.
enum AssignKernel {
    /// - Parameter rowNorms: ‖xᵢ‖² of every row when the caller keeps them across calls.
    static func assign(_ points: Points, centres: Centres, rowNorms: [Float]? = nil, backend: Backend, threads: Int) -> Assignment {
        let result: NearestCentres
        do {
            switch points {
            case .dense(let m):
                result = try nearestCentres(m, centres: centres.matrix, centreNormsSquared: centres.norms, rowNormsSquared: rowNorms, backend: backend, threads: threads)
            case .sparse(let s):
                result = try nearestCentres(s, centres: centres.matrix, centreNormsSquared: centres.norms, rowNormsSquared: rowNorms, backend: backend, threads: threads)
            }
        } catch {
            // Shapes are validated by the callers (fit/predict); reaching here is a bug.
            preconditionFailure("internal: nearestCentres failed: \(error)")
        }
        return Assignment(labels: result.labels, distances: result.distances)
    }

    /// x·cⱼ for every row and the `t` given dense rows: row-major `n × t`, via GEMM (dense) or
    /// sparse × dense (CSR against the `d × t` transpose).
    static func dots(_ points: Points, with rows: Matrix<Float>, backend: Backend, threads: Int) -> Matrix<Float> {
        do {
            switch points {
            case .dense(let m): return try gemm(m, rows, transposeB: true, backend: backend, threads: threads)
            case .sparse(let s): return try spmm(s, rows.transposed(), backend: backend, threads: threads)
            }
        } catch {
            preconditionFailure("internal: product failed: \(error)")
        }
    }
}
