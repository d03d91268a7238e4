/// A sparse `Float` matrix in compressed sparse row (CSR) form.
///
/// Row `r`'s entries are `columns[rowOffsets[r]..<rowOffsets[r+1]]` and the matching `values`;
/// within a row, columns are strictly increasing (no duplicates). Offsets are 64-bit so that
/// more than 2³¹ non-zeros fit; column indices are 32-bit.
public struct SparseMatrix: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let cols: Int
    /// `rows + 1` offsets into `columns`/`values`; `rowOffsets[0] == 0`, non-decreasing.
    public let rowOffsets: [Int64]
    /// Column index of each stored entry, strictly increasing within a row.
    public let columns: [Int32]
    /// Value of each stored entry.
    public private(set) var values: [Float]

    /// Number of stored entries.
    public var nonZeroCount: Int { columns.count }

    /// How duplicate (row, col) pairs in COO input are handled.
    public enum Duplicates: Sendable {
        /// Duplicates are added together (the usual sparse-assembly convention).
        case sum
        /// The last occurrence in input order wins.
        case keepLast
        /// Duplicates are an error (`LinearAlgebraError.duplicateEntry`).
        case reject
    }

    /// Wraps CSR arrays after validating them: offsets monotone from 0 to `columns.count`,
    /// columns in range and strictly increasing per row, `values.count == columns.count`.
    public init(rows: Int, cols: Int, rowOffsets: [Int64], columns: [Int32], values: [Float]) throws {
        guard rows >= 0, cols >= 0, cols <= Int(Int32.max) else {
            throw LinearAlgebraError.invalidShape(operation: "SparseMatrix", details: "\(rows)x\(cols)")
        }
        guard rowOffsets.count == rows + 1 else {
            throw LinearAlgebraError.invalidShape(operation: "SparseMatrix", details: "\(rowOffsets.count) row offsets for \(rows) rows (need \(rows + 1))")
        }
        guard values.count == columns.count else {
            throw LinearAlgebraError.invalidShape(operation: "SparseMatrix", details: "\(values.count) values for \(columns.count) column indices")
        }
        guard rowOffsets[0] == 0, rowOffsets[rows] == Int64(columns.count) else {
            throw LinearAlgebraError.invalidShape(operation: "SparseMatrix", details: "row offsets must run from 0 to \(columns.count)")
        }
        for r in 0..<rows where rowOffsets[r] > rowOffsets[r + 1] {
            throw LinearAlgebraError.invalidShape(operation: "SparseMatrix", details: "row offsets decrease at row \(r)")
        }
        for r in 0..<rows {
            let a = rowOffsets[r], b = rowOffsets[r + 1]
            var prev: Int32 = -1
            for p in Int(a)..<Int(b) {
                let c = columns[p]
                guard c >= 0, Int(c) < cols else {
                    throw LinearAlgebraError.indexOutOfRange(operation: "SparseMatrix", entry: p, row: r, col: Int(c), rows: rows, cols: cols)
                }
                guard c > prev else { throw LinearAlgebraError.duplicateEntry(row: r, col: Int(c)) }
                prev = c
            }
        }
        self.init(unchecked: rows, cols, rowOffsets, columns, values)
    }

    init(unchecked rows: Int, _ cols: Int, _ rowOffsets: [Int64], _ columns: [Int32], _ values: [Float]) {
        self.rows = rows
        self.cols = cols
        self.rowOffsets = rowOffsets
        self.columns = columns
        self.values = values
    }

    /// An all-empty `rows × cols` sparse matrix.
    public static func empty(rows: Int, cols: Int) -> SparseMatrix {
        SparseMatrix(unchecked: max(0, rows), max(0, cols), [Int64](repeating: 0, count: max(0, rows) + 1), [], [])
    }

    /// Builds CSR from coordinate (COO) triplets without ever forming a dense matrix:
    /// O(nnz + rows) time and memory (a counting sort by row, then a sort of each row by column).
    ///
    /// - Parameters:
    ///   - rowIndices, colIndices, values: the triplets, all of the same length (any order).
    ///     Any `BinaryInteger` index type works (e.g. a dataset's `Int32` user/movie indices).
    ///   - duplicates: what to do with repeated (row, col) pairs; default `.sum`.
    /// - Throws: `.dimensionMismatch` for arrays of different lengths, `.indexOutOfRange` naming
    ///   the first triplet outside the shape, `.nonFinite` for NaN/infinite values,
    ///   `.duplicateEntry` with `.reject`.
    public init<I: BinaryInteger, J: BinaryInteger>(
        rows: Int, cols: Int, rowIndices: [I], colIndices: [J], values: [Float], duplicates: Duplicates = .sum
    ) throws {
        try self.init(coordinates: rows, cols, rowIndices, colIndices, values, duplicates)
    }

    /// The same for `Int32` indices (a data set's user and movie columns), specialised here: a
    /// generic call from another module would run the unspecialised integer conversions.
    public init(rows: Int, cols: Int, rowIndices: [Int32], colIndices: [Int32], values: [Float],
                duplicates: Duplicates = .sum) throws {
        try self.init(coordinates: rows, cols, rowIndices, colIndices, values, duplicates)
    }

    private init<I: BinaryInteger, J: BinaryInteger>(
        coordinates rows: Int, _ cols: Int, _ rowIndices: [I], _ colIndices: [J], _ values: [Float], _ duplicates: Duplicates
    ) throws {
        guard rows >= 0, cols >= 0, cols <= Int(Int32.max) else {
            throw LinearAlgebraError.invalidShape(operation: "SparseMatrix(coo:)", details: "\(rows)x\(cols)")
        }
        let n = values.count
        guard rowIndices.count == n, colIndices.count == n else {
            throw LinearAlgebraError.dimensionMismatch(operation: "SparseMatrix(coo:)",
                details: "\(rowIndices.count) row indices, \(colIndices.count) column indices, \(n) values")
        }
        // Count per row, validating indices.
        var counts = [Int64](repeating: 0, count: rows + 1)
        for e in 0..<n {
            let r = rowIndices[e], c = colIndices[e]
            guard r >= 0, r < rows, c >= 0, c < cols else {
                throw LinearAlgebraError.indexOutOfRange(operation: "SparseMatrix(coo:)", entry: e,
                    row: Int(clamping: r), col: Int(clamping: c), rows: rows, cols: cols)
            }
            guard values[e].isFinite else {
                throw LinearAlgebraError.nonFinite(operation: "SparseMatrix(coo:)", details: "entry \(e) at (row \(r), column \(c)) is \(values[e])")
            }
            counts[Int(r) + 1] += 1
        }
        for r in 0..<rows { counts[r + 1] += counts[r] }
        // Scatter (stable: input order preserved within a row).
        var next = counts
        var cols32 = [Int32](repeating: 0, count: n)
        var vals = [Float](repeating: 0, count: n)
        for e in 0..<n {
            let r = Int(rowIndices[e])
            let p = Int(next[r])
            next[r] += 1
            cols32[p] = Int32(colIndices[e])
            vals[p] = values[e]
        }
        // Sort each row by column (stable) and merge duplicates.
        var outOffsets = [Int64](repeating: 0, count: rows + 1)
        var write = 0
        var order: [Int] = []
        var tmpC: [Int32] = []
        var tmpV: [Float] = []
        for r in 0..<rows {
            let a = Int(counts[r]), b = Int(counts[r + 1])
            var sorted = true
            if b - a > 1 { for p in (a + 1)..<b where cols32[p] <= cols32[p - 1] { sorted = false; break } }
            if !sorted {
                order.removeAll(keepingCapacity: true)
                order.append(contentsOf: a..<b)
                order.sort { (cols32[$0], $0) < (cols32[$1], $1) }
                tmpC.removeAll(keepingCapacity: true)
                tmpV.removeAll(keepingCapacity: true)
                for p in order { tmpC.append(cols32[p]); tmpV.append(vals[p]) }
                for (i, p) in (a..<b).enumerated() { cols32[p] = tmpC[i]; vals[p] = tmpV[i] }
            }
            var p = a
            while p < b {
                let c = cols32[p]
                var v = vals[p]
                var q = p + 1
                while q < b && cols32[q] == c {
                    switch duplicates {
                    case .sum: v += vals[q]
                    case .keepLast: v = vals[q]
                    case .reject: throw LinearAlgebraError.duplicateEntry(row: r, col: Int(c))
                    }
                    q += 1
                }
                cols32[write] = c
                vals[write] = v
                write += 1
                p = q
            }
            outOffsets[r + 1] = Int64(write)
        }
        cols32.removeLast(n - write)
        vals.removeLast(n - write)
        self.init(unchecked: rows, cols, outOffsets, cols32, vals)
    }

    /// Builds CSR from a dense matrix, storing entries that are not exactly zero.
    public init(dense: Matrix<Float>) {
        var offsets = [Int64](repeating: 0, count: dense.rows + 1)
        var cs: [Int32] = []
        var vs: [Float] = []
        for r in 0..<dense.rows {
            for c in 0..<dense.cols {
                let v = dense.storage[r * dense.cols + c]
                if v != 0 { cs.append(Int32(c)); vs.append(v) }
            }
            offsets[r + 1] = Int64(cs.count)
        }
        self.init(unchecked: dense.rows, dense.cols, offsets, cs, vs)
    }

    /// The stored-entry range of row `r` (indices into `columns`/`values`).
    @inlinable
    public func range(ofRow r: Int) -> Range<Int> {
        Int(rowOffsets[r])..<Int(rowOffsets[r + 1])
    }

    /// Number of stored entries in row `r`.
    public func count(ofRow r: Int) -> Int { Int(rowOffsets[r + 1] - rowOffsets[r]) }

    /// The dense equivalent (for tests and small matrices only).
    public func densified() -> Matrix<Float> {
        var m = Matrix<Float>.zeros(rows: rows, cols: cols)
        m.withUnsafeMutableBufferPointer { d in
            for r in 0..<rows { for p in range(ofRow: r) { d[r * cols + Int(columns[p])] = values[p] } }
        }
        return m
    }

    /// The transpose in CSR form (i.e. this matrix in CSC form), by a counting sort over columns:
    /// O(nnz + cols). Columns of the result stay sorted because rows are visited in order.
    public func transposed() -> SparseMatrix {
        let nnz = columns.count
        var offsets = [Int64](repeating: 0, count: cols + 1)
        for c in columns { offsets[Int(c) + 1] += 1 }
        for c in 0..<cols { offsets[c + 1] += offsets[c] }
        var next = offsets
        var tc = [Int32](repeating: 0, count: nnz)
        var tv = [Float](repeating: 0, count: nnz)
        columns.withUnsafeBufferPointer { cs in
            values.withUnsafeBufferPointer { vs in
                tc.withUnsafeMutableBufferPointer { tcp in
                    tv.withUnsafeMutableBufferPointer { tvp in
                        next.withUnsafeMutableBufferPointer { nx in
                            for r in 0..<rows {
                                for p in Int(rowOffsets[r])..<Int(rowOffsets[r + 1]) {
                                    let c = Int(cs[p])
                                    let q = Int(nx[c])
                                    nx[c] = Int64(q + 1)
                                    tcp[q] = Int32(truncatingIfNeeded: r)
                                    tvp[q] = vs[p]
                                }
                            }
                        }
                    }
                }
            }
        }
        return SparseMatrix(unchecked: cols, rows, offsets, tc, tv)
    }

    /// Mean of the stored values of each row (0 for an empty row).
    public func rowMeans() -> [Float] {
        (0..<rows).map { r in
            let rg = range(ofRow: r)
            if rg.isEmpty { return 0 }
            var s: Double = 0
            for p in rg { s += Double(values[p]) }
            return Float(s / Double(rg.count))
        }
    }

    /// A copy with each row's stored values minus that row's mean of stored values (implicit
    /// zeros stay zero, i.e. "centring over observed entries"). Returns the means too.
    public func centeredRows() -> (matrix: SparseMatrix, means: [Float]) {
        let means = rowMeans()
        var out = self
        for r in 0..<rows { for p in range(ofRow: r) { out.values[p] -= means[r] } }
        return (out, means)
    }

    /// A copy with every stored value transformed by `f` (the sparsity pattern is kept).
    public func mapValues(_ f: (Float) -> Float) -> SparseMatrix {
        var out = self
        for p in 0..<out.values.count { out.values[p] = f(out.values[p]) }
        return out
    }

    /// A copy with the stored values replaced (same count, same pattern).
    public func withValues(_ newValues: [Float]) throws -> SparseMatrix {
        guard newValues.count == values.count else {
            throw LinearAlgebraError.dimensionMismatch(operation: "SparseMatrix.withValues", details: "\(newValues.count) values for \(values.count) entries")
        }
        var out = self
        out.values = newValues
        return out
    }

    /// The rows `range` as a new CSR matrix.
    public func rows(_ range: Range<Int>) -> SparseMatrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "SparseMatrix rows \(range) out of range 0..<\(rows)")
        let a = Int(rowOffsets[range.lowerBound]), b = Int(rowOffsets[range.upperBound])
        let offs = rowOffsets[range.lowerBound...range.upperBound].map { $0 - Int64(a) }
        return SparseMatrix(unchecked: range.count, cols, offs, Array(columns[a..<b]), Array(values[a..<b]))
    }

    /// The rows at `indices`, in that order (repeats allowed), as a new CSR matrix: a gather of
    /// whole rows, valid by construction (no re-check of the columns).
    public func rows(at indices: [Int]) -> SparseMatrix {
        var offs = [Int64](repeating: 0, count: indices.count + 1)
        for (r, i) in indices.enumerated() {
            precondition(i >= 0 && i < rows, "SparseMatrix row \(i) out of range 0..<\(rows)")
            offs[r + 1] = offs[r] + (rowOffsets[i + 1] - rowOffsets[i])
        }
        let total = Int(offs[indices.count])
        var cs = [Int32](repeating: 0, count: total)
        var vs = [Float](repeating: 0, count: total)
        cs.withUnsafeMutableBufferPointer { cp in
            vs.withUnsafeMutableBufferPointer { vp in
                columns.withUnsafeBufferPointer { sc in
                    values.withUnsafeBufferPointer { sv in
                        guard let cd = cp.baseAddress, let vd = vp.baseAddress, let cs0 = sc.baseAddress, let vs0 = sv.baseAddress else { return }
                        for (r, i) in indices.enumerated() {
                            let a = Int(rowOffsets[i]), count = Int(rowOffsets[i + 1]) - a, at = Int(offs[r])
                            (cd + at).update(from: cs0 + a, count: count)
                            (vd + at).update(from: vs0 + a, count: count)
                        }
                    }
                }
            }
        }
        return SparseMatrix(unchecked: indices.count, cols, offs, cs, vs)
    }
}
