import LinearAlgebra
import Runtime

/// The rows being clustered, dense or CSR, as the algorithms see them.
///
/// An internal, read-only view over the public input types, so that seeding, Lloyd, mini-batch
/// and silhouette are written once. Sparse rows are never densified except one row at a time
/// (a new centre) or a bounded subsample's rows.
enum Points: Sendable {
    case dense(Matrix<Float>)
    case sparse(SparseMatrix)

    var n: Int {
        switch self { case .dense(let m): return m.rows; case .sparse(let s): return s.rows }
    }

    var d: Int {
        switch self { case .dense(let m): return m.cols; case .sparse(let s): return s.cols }
    }

    var isSparse: Bool { if case .sparse = self { return true } else { return false } }

    /// The first non-finite value, as (row, column), or nil.
    func firstNonFinite() -> (Int, Int)? {
        switch self {
        case .dense(let m):
            let d = max(m.cols, 1)
            for (i, x) in m.storage.enumerated() where !x.isFinite { return (i / d, i % d) }
        case .sparse(let s):
            for i in 0..<s.rows {
                for p in s.range(ofRow: i) where !s.values[p].isFinite { return (i, Int(s.columns[p])) }
            }
        }
        return nil
    }

    /// The first non-finite value, as (row, column), or nil, given ‖xᵢ‖² of every row: a row holds
    /// a non-finite value only if its squared norm is non-finite (NaN and ±∞ propagate through
    /// the sum of squares), so only those rows are read — the same answer as `firstNonFinite()`
    /// without a pass over all values.
    func firstNonFinite(rowNorms: [Float]) -> (Int, Int)? {
        for i in 0..<min(n, rowNorms.count) where !rowNorms[i].isFinite {
            switch self {
            case .dense(let m):
                if let c = m.row(i).firstIndex(where: { !$0.isFinite }) { return (i, c) }
            case .sparse(let s):
                for p in s.range(ofRow: i) where !s.values[p].isFinite { return (i, Int(s.columns[p])) }
            }
        }
        return nil
    }

    /// ‖xᵢ‖² of every row.
    func squaredNorms(backend: Backend, threads: Int) -> [Float] {
        switch self {
        case .dense(let m): return rowNormsSquared(m, backend: backend, threads: threads)
        case .sparse(let s): return s.rowNormsSquared(backend: backend)
        }
    }

    /// Row `i` as a dense vector of length `d`.
    func denseRow(_ i: Int) -> [Float] {
        switch self {
        case .dense(let m): return m.row(i)
        case .sparse(let s):
            var out = [Float](repeating: 0, count: s.cols)
            for p in s.range(ofRow: i) { out[Int(s.columns[p])] = s.values[p] }
            return out
        }
    }

    /// Calls `body(column, value)` for the stored values of row `i` (every column when dense).
    @inline(__always)
    func forEachValue(ofRow i: Int, _ body: (Int, Float) -> Void) {
        switch self {
        case .dense(let m):
            m.withRow(i) { r in for c in 0..<r.count { body(c, r[c]) } }
        case .sparse(let s):
            s.columns.withUnsafeBufferPointer { cols in
                s.values.withUnsafeBufferPointer { vals in
                    for p in s.range(ofRow: i) { body(Int(cols[p]), vals[p]) }
                }
            }
        }
    }

    /// The rows at `indices`, in that order, as new points of the same kind.
    func subset(_ indices: [Int]) -> Points {
        switch self {
        case .dense(let m):
            var out = [Float]()
            out.reserveCapacity(indices.count * m.cols)
            for i in indices { m.withRow(i) { out.append(contentsOf: $0) } }
            return .dense(Matrix(checkedRows: indices.count, cols: m.cols, storage: out))
        case .sparse(let s):
            return .sparse(s.rows(at: indices))
        }
    }

    /// The contiguous rows `range`.
    func rows(_ range: Range<Int>) -> Points {
        switch self {
        case .dense(let m): return .dense(m.rows(range))
        case .sparse(let s): return .sparse(s.rows(range))
        }
    }

    /// Mean over columns of the per-column (unweighted, population) variance — scikit-learn's
    /// scale for `tol`. Zeros of a sparse matrix count as values.
    func meanColumnVariance() -> Double {
        let n = self.n, d = self.d
        guard n > 0, d > 0 else { return 0 }
        var sum = [Double](repeating: 0, count: d)
        var sq = [Double](repeating: 0, count: d)
        for i in 0..<n {
            forEachValue(ofRow: i) { j, v in let x = Double(v); sum[j] += x; sq[j] += x * x }
        }
        var total = 0.0
        for j in 0..<d {
            let mean = sum[j] / Double(n)
            total += max(0, sq[j] / Double(n) - mean * mean)
        }
        return total / Double(d)
    }
}

extension Matrix where Element == Float {
    /// A matrix whose shape the caller has just built consistently (a mismatch is a bug here,
    /// never a user error).
    init(checkedRows rows: Int, cols: Int, storage: [Float]) {
        do { try self.init(rows: rows, cols: cols, storage: storage) } catch {
            preconditionFailure("internal: \(error)")
        }
    }
}
