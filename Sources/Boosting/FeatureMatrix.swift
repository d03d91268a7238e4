/// A dense table of `Float` features stored column-major: column `j` occupies
/// `values[j * rows ..< (j + 1) * rows]`. `Float.nan` marks a missing value.
///
/// Column-major is the layout the trainer bins from (one pass per feature) and the one callers
/// building features column by column naturally produce. Prediction accepts it too.
public struct FeatureMatrix: Sendable, Equatable {
    /// Number of rows (examples).
    public let rows: Int
    /// Number of columns (features).
    public let columns: Int
    /// `rows × columns` values, column-major.
    public private(set) var values: [Float]
    /// One name per column (for importance and the XGBoost export); `f0, f1, …` when not given.
    public var names: [String]

    /// Wraps column-major `values`; `values.count` must equal `rows * columns`.
    public init(rows: Int, columns: Int, columnMajor values: [Float], names: [String]? = nil) throws {
        guard rows >= 0, columns >= 0, rows.multipliedReportingOverflow(by: columns).partialValue == values.count,
              !rows.multipliedReportingOverflow(by: columns).overflow else {
            throw BoostingError.invalidInput("feature matrix: \(values.count) values do not fill \(rows) rows × \(columns) columns")
        }
        if let names, names.count != columns {
            throw BoostingError.invalidInput("feature matrix: \(names.count) names for \(columns) columns")
        }
        self.rows = rows
        self.columns = columns
        self.values = values
        self.names = names ?? (0..<columns).map { "f\($0)" }
    }

    /// Builds a matrix from row-major values (`values[i * columns + j]`), transposing once.
    public init(rows: Int, columns: Int, rowMajor values: [Float], names: [String]? = nil) throws {
        guard rows >= 0, columns >= 0, !rows.multipliedReportingOverflow(by: columns).overflow,
              rows * columns == values.count else {
            throw BoostingError.invalidInput("feature matrix: \(values.count) values do not fill \(rows) rows × \(columns) columns")
        }
        var cm = [Float](repeating: 0, count: values.count)
        for i in 0..<rows {
            for j in 0..<columns { cm[j * rows + i] = values[i * columns + j] }
        }
        try self.init(rows: rows, columns: columns, columnMajor: cm, names: names)
    }

    /// The value at (`row`, `column`).
    @inlinable public subscript(row: Int, column: Int) -> Float { values[column * rows + row] }

    /// Column `j` as a contiguous slice.
    public func column(_ j: Int) -> ArraySlice<Float> { values[(j * rows)..<((j + 1) * rows)] }

    /// Row `i` copied out (for single-row prediction from a matrix).
    public func row(_ i: Int) -> [Float] { (0..<columns).map { values[$0 * rows + i] } }
}

extension FeatureMatrix {
    /// The columns named `wanted`, in that order; throws `TableError.missingFeatureColumn`
    /// (naming `source`) for a name the matrix lacks. Used to line prediction data up with a
    /// model's features whatever the column order of the file, ignoring extra columns.
    public func selecting(columns wanted: [String], source: String) throws -> FeatureMatrix {
        var index: [String: Int] = [:]
        for (j, name) in names.enumerated() where index[name] == nil { index[name] = j }
        var out: [Float] = []
        out.reserveCapacity(rows * wanted.count)
        for name in wanted {
            guard let j = index[name] else { throw TableError.missingFeatureColumn(path: source, column: name) }
            out.append(contentsOf: column(j))
        }
        return try FeatureMatrix(rows: rows, columns: wanted.count, columnMajor: out, names: wanted)
    }

    /// The first `count` columns, padding with missing columns when the matrix has fewer
    /// (LibSVM files name columns by index and may not mention the last ones).
    public func padded(toColumns count: Int) throws -> FeatureMatrix {
        if columns == count { return self }
        guard columns < count else {
            throw BoostingError.invalidInput("the data has \(columns) feature columns, the model expects \(count)")
        }
        var v = values
        v.append(contentsOf: [Float](repeating: .nan, count: rows * (count - columns)))
        return try FeatureMatrix(rows: rows, columns: count, columnMajor: v, names: names + (columns..<count).map { "f\($0)" })
    }
}
