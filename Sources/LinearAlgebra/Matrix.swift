/// A dense row-major matrix of `Float` or `Double`.
///
/// Element `(r, c)` is `storage[r * cols + c]`. A value type: copies are independent
/// (copy-on-write through the array).
public struct Matrix<Element: MatrixElement>: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let cols: Int
    /// The elements in row-major order; `storage.count == rows * cols` always holds.
    @inlinable public var storage: [Element] { _storage }
    /// Backing array (internal so that the shape invariant holds; visible to inlined code).
    @usableFromInline var _storage: [Element]

    /// Wraps `storage` (row-major) as a `rows × cols` matrix.
    /// - Throws: `LinearAlgebraError.storageCount` when `storage.count != rows * cols`,
    ///   `.invalidShape` for negative or overflowing dimensions.
    public init(rows: Int, cols: Int, storage: [Element]) throws {
        guard rows >= 0, cols >= 0 else {
            throw LinearAlgebraError.invalidShape(operation: "Matrix", details: "\(rows)x\(cols)")
        }
        let (count, overflow) = rows.multipliedReportingOverflow(by: cols)
        guard !overflow else { throw LinearAlgebraError.invalidShape(operation: "Matrix", details: "\(rows)x\(cols) overflows") }
        guard count == storage.count else { throw LinearAlgebraError.storageCount(rows: rows, cols: cols, count: storage.count) }
        self.rows = rows
        self.cols = cols
        self._storage = storage
    }

    /// Internal initialiser for shapes already validated by the caller.
    init(uncheckedRows rows: Int, cols: Int, storage: [Element]) {
        precondition(rows * cols == storage.count, "internal: matrix storage mismatch")
        self.rows = rows
        self.cols = cols
        self._storage = storage
    }

    /// A `rows × cols` matrix of zeros. Negative dimensions are treated as 0.
    @_specialize(where Element == Float)
    @_specialize(where Element == Double)
    public static func zeros(rows: Int, cols: Int) -> Matrix {
        let r = max(0, rows), c = max(0, cols)
        return Matrix(uncheckedRows: r, cols: c, storage: [Element](repeating: 0, count: r * c))
    }

    /// The `n × n` identity matrix.
    public static func identity(_ n: Int) -> Matrix {
        var m = zeros(rows: n, cols: n)
        for i in 0..<m.rows { m._storage[i * n + i] = 1 }
        return m
    }

    /// Builds a matrix from nested rows; all rows must have the same length.
    public init(_ rowsArray: [[Element]]) throws {
        let c = rowsArray.first?.count ?? 0
        for (i, r) in rowsArray.enumerated() where r.count != c {
            throw LinearAlgebraError.dimensionMismatch(operation: "Matrix", details: "row \(i) has \(r.count) elements, row 0 has \(c)")
        }
        try self.init(rows: rowsArray.count, cols: c, storage: rowsArray.flatMap { $0 })
    }

    /// Element access. Out-of-range indices trap (programming error, not user input).
    @inlinable
    public subscript(row: Int, col: Int) -> Element {
        get {
            precondition(row >= 0 && row < rows && col >= 0 && col < cols, "Matrix index (\(row), \(col)) out of range \(rows)x\(cols)")
            return storage[row * cols + col]
        }
        set {
            precondition(row >= 0 && row < rows && col >= 0 && col < cols, "Matrix index (\(row), \(col)) out of range \(rows)x\(cols)")
            _storage[row * cols + col] = newValue
        }
    }

    /// A copy of row `r`.
    @_specialize(where Element == Float)
    @_specialize(where Element == Double)
    public func row(_ r: Int) -> [Element] {
        precondition(r >= 0 && r < rows, "Matrix row \(r) out of range 0..<\(rows)")
        return Array(storage[(r * cols)..<((r + 1) * cols)])
    }

    /// Calls `body` with a buffer pointer over row `r` (no copy).
    @inlinable
    public func withRow<R>(_ r: Int, _ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        precondition(r >= 0 && r < rows, "Matrix row \(r) out of range 0..<\(rows)")
        return try storage.withUnsafeBufferPointer { buf in
            try body(UnsafeBufferPointer(rebasing: buf[(r * cols)..<((r + 1) * cols)]))
        }
    }

    /// Calls `body` with a mutable buffer pointer over row `r` (no copy).
    @inlinable
    public mutating func withMutableRow<R>(_ r: Int, _ body: (UnsafeMutableBufferPointer<Element>) throws -> R) rethrows -> R {
        precondition(r >= 0 && r < rows, "Matrix row \(r) out of range 0..<\(rows)")
        let c = cols
        return try _storage.withUnsafeMutableBufferPointer { buf in
            try body(UnsafeMutableBufferPointer(rebasing: buf[(r * c)..<((r + 1) * c)]))
        }
    }

    /// Calls `body` with a pointer to the whole row-major storage.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with a mutable pointer to the whole row-major storage (shape is fixed).
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<Element>) throws -> R) rethrows -> R {
        try _storage.withUnsafeMutableBufferPointer(body)
    }

    /// The transpose, as a new matrix (blocked copy).
    @_specialize(where Element == Float)
    @_specialize(where Element == Double)
    public func transposed() -> Matrix {
        var out = [Element](repeating: 0, count: rows * cols)
        let r = rows, c = cols, tile = 32
        storage.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var i0 = 0
                while i0 < r {
                    let i1 = min(r, i0 + tile)
                    var j0 = 0
                    while j0 < c {
                        let j1 = min(c, j0 + tile)
                        for i in i0..<i1 { for j in j0..<j1 { dst[j * r + i] = src[i * c + j] } }
                        j0 = j1
                    }
                    i0 = i1
                }
            }
        }
        return Matrix(uncheckedRows: c, cols: r, storage: out)
    }

    /// The rows `range` as a new matrix.
    @_specialize(where Element == Float)
    @_specialize(where Element == Double)
    public func rows(_ range: Range<Int>) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "Matrix rows \(range) out of range 0..<\(rows)")
        return Matrix(uncheckedRows: range.count, cols: cols, storage: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// Largest absolute element-wise difference to `other` (same shape required; else `.infinity`).
    @_specialize(where Element == Float)
    @_specialize(where Element == Double)
    public func maxAbsDifference(_ other: Matrix) -> Element {
        guard rows == other.rows, cols == other.cols else { return .infinity }
        var m: Element = 0
        for i in 0..<storage.count { m = Swift.max(m, abs(storage[i] - other.storage[i])) }
        return m
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        if rows * cols > 64 { return "Matrix<\(Element.self)>(\(rows)x\(cols))" }
        let lines = (0..<rows).map { r in (0..<cols).map { "\(storage[r * cols + $0])" }.joined(separator: " ") }
        return "Matrix<\(Element.self)>(\(rows)x\(cols))[" + lines.joined(separator: "; ") + "]"
    }
}
