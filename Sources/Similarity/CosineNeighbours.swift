import LinearAlgebra
import Runtime

/// The most similar other rows of each row of an L2-normalised sparse matrix (cosine
/// similarity), from LinearAlgebra's sparse top-k of `A·Aᵀ` (`topKProducts`, diagonal
/// excluded): the n × n similarity matrix is never formed. BLAS has no sparse kernels, so both
/// backends run the same code.
///
/// Order: higher cosine first, ties by the lower row index; a row is never its own neighbour.
/// Only rows sharing at least one term are candidates, so a row lists fewer than `k`
/// neighbours when fewer rows have a non-zero similarity with it (an empty document has none).
public struct CosineNeighbours: Sendable {
    /// Requested neighbours per row.
    public let k: Int
    let result: TopKResult

    /// Computes the top-`k` neighbours of every row of `vectors` (rows must be L2-normalised for
    /// the scores to be cosines; `TfidfModel.matrix` is).
    public init(vectors: SparseMatrix, k: Int, backend: Backend = .default, threads: Int? = nil) throws {
        guard k >= 1 else { throw SimilarityError.invalidParameter(name: "k", value: "\(k)", expected: "≥ 1") }
        self.k = k
        result = try topKProducts(vectors, vectors, k: k, excludeDiagonal: true, backend: backend,
                                  threads: Threads.resolve(threads))
    }

    /// Number of rows.
    public var rows: Int { result.rows }

    /// Neighbours of row `i` (index, cosine), best first, positive scores only.
    public func neighbours(of i: Int) throws -> [(index: Int, score: Float)] {
        guard i >= 0, i < result.rows else { throw SimilarityError.rowOutOfRange(row: i, rows: result.rows) }
        return result.row(i).filter { $0.score > 0 }.map { (Int($0.index), $0.score) }
    }
}
