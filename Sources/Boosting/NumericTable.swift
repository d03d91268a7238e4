import Foundation

/// A numeric table read from CSV or LibSVM: the features (column-major) and, when the table has
/// one, the label column.
public struct NumericTable: Sendable {
    /// The feature columns (every column except the label), named from the header.
    public var features: FeatureMatrix
    /// The label of each row, or nil when the table was read without a label column.
    public var labels: [Float]?

    public init(features: FeatureMatrix, labels: [Float]?) {
        self.features = features
        self.labels = labels
    }
}

/// The text formats the table reader understands.
public enum TableFormat: String, Sendable, CaseIterable {
    /// Comma-separated values with a header line; empty, `NaN`, `NA` or `?` cells are missing.
    case csv
    /// `label index:value index:value …` per line; absent entries are missing; column `k` is named `fk`.
    case libsvm

    /// Guesses the format from the file name: `.libsvm`, `.svm`, `.svmlight` → LibSVM, else CSV.
    public static func guess(path: String) -> TableFormat {
        let lower = path.lowercased()
        for ext in [".libsvm", ".svm", ".svmlight"] where lower.hasSuffix(ext) { return .libsvm }
        return .csv
    }
}

/// Reads numeric tables byte by byte (no `String` per cell), with errors that name file, line
/// and reason.
public enum TableReader {
    /// Reads `path`.
    /// - Parameters:
    ///   - format: the format; nil guesses from the extension (`TableFormat.guess`).
    ///   - label: CSV only: the name of the label column (it is removed from the features), or nil
    ///     for a table without labels. LibSVM files always carry a label in front.
    ///   - requireLabel: when true, every row must have a numeric, non-NaN label.
    public static func read(path: String, format: TableFormat? = nil, label: String?, requireLabel: Bool = true) throws -> NumericTable {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw TableError.cannotRead(path: path, reason: error.localizedDescription)
        }
        return try parse(data, path: path, format: format ?? TableFormat.guess(path: path), label: label, requireLabel: requireLabel)
    }

    /// Parses an in-memory table; `path` is only used in error messages.
    public static func parse(_ data: Data, path: String, format: TableFormat, label: String?, requireLabel: Bool = true) throws -> NumericTable {
        try data.withUnsafeBytes { raw -> NumericTable in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count > 0 else {
                throw TableError.empty(path: path)
            }
            switch format {
            case .csv: return try parseCSV(base, raw.count, path: path, label: label, requireLabel: requireLabel)
            case .libsvm: return try parseLibSVM(base, raw.count, path: path, requireLabel: requireLabel)
            }
        }
    }

    /// Trims spaces, tabs and a trailing `\r` from `[s, e)`.
    @inline(__always)
    static func trim(_ p: UnsafePointer<UInt8>, _ s: inout Int, _ e: inout Int) {
        while s < e, p[s] == 32 || p[s] == 9 { s += 1 }
        while e > s, p[e - 1] == 32 || p[e - 1] == 9 || p[e - 1] == 13 { e -= 1 }
    }

    static func cellText(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: p + s, count: min(e - s, 60)), as: UTF8.self)
    }

    static func parseCSV(_ p: UnsafePointer<UInt8>, _ n: Int, path: String, label: String?, requireLabel: Bool) throws -> NumericTable {
        // Header.
        var pos = 0
        var lineEnd = 0
        while lineEnd < n, p[lineEnd] != 10 { lineEnd += 1 }
        var names: [String] = []
        var s = 0
        while true {
            var e = s
            while e < lineEnd, p[e] != 44 { e += 1 }
            var a = s, b = e
            trim(p, &a, &b)
            if b - a >= 2, p[a] == 34, p[b - 1] == 34 { a += 1; b -= 1 }
            names.append(String(decoding: UnsafeBufferPointer(start: p + a, count: b - a), as: UTF8.self))
            if e >= lineEnd { break }
            s = e + 1
        }
        if names.count == 1, names[0].isEmpty { throw TableError.empty(path: path) }
        pos = min(n, lineEnd + 1)
        let width = names.count
        var labelIndex = -1
        if let label {
            guard let idx = names.firstIndex(of: label) else {
                throw TableError.missingLabelColumn(path: path, label: label, columns: names)
            }
            labelIndex = idx
        }
        let featureCount = width - (labelIndex >= 0 ? 1 : 0)
        var rowMajor: [Float] = []
        // Rough capacity guess from the byte count to avoid regrowth.
        rowMajor.reserveCapacity(min(n / 2, max(1024, (n / max(1, lineEnd + 1)) * featureCount)))
        var labels: [Float] = []
        var lineNo = 1
        var rowBuffer = [Float](repeating: 0, count: featureCount)
        while pos < n {
            lineNo += 1
            var end = pos
            while end < n, p[end] != 10 { end += 1 }
            var ls = pos, le = end
            trim(p, &ls, &le)
            pos = end + 1
            if ls >= le { continue } // blank line
            var col = 0
            var fi = 0
            var c = ls
            var labelValue = Float.nan
            while true {
                var e = c
                while e < le, p[e] != 44 { e += 1 }
                if col >= width {
                    var count = col
                    var k = c
                    while k < le { if p[k] == 44 { count += 1 }; k += 1 }
                    throw TableError.raggedRow(path: path, line: lineNo, expected: width, found: count + 1)
                }
                var a = c, b = e
                trim(p, &a, &b)
                if b - a >= 2, p[a] == 34, p[b - 1] == 34 { a += 1; b -= 1 }
                guard let v = NumberParser.parse(p, a, b) else {
                    throw TableError.notNumeric(path: path, line: lineNo, column: names[col], cell: cellText(p, a, b))
                }
                if col == labelIndex { labelValue = v } else { rowBuffer[fi] = v; fi += 1 }
                col += 1
                if e >= le { break }
                c = e + 1
            }
            if col != width { throw TableError.raggedRow(path: path, line: lineNo, expected: width, found: col) }
            if labelIndex >= 0 {
                if requireLabel, labelValue.isNaN { throw TableError.missingLabel(path: path, line: lineNo) }
                labels.append(labelValue)
            }
            rowMajor.append(contentsOf: rowBuffer)
        }
        var featureNames = names
        if labelIndex >= 0 { featureNames.remove(at: labelIndex) }
        let rows = featureCount == 0 ? labels.count : rowMajor.count / featureCount
        let matrix = try FeatureMatrix(rows: rows, columns: featureCount, rowMajor: rowMajor, names: featureNames)
        return NumericTable(features: matrix, labels: labelIndex >= 0 ? labels : nil)
    }

    static func parseLibSVM(_ p: UnsafePointer<UInt8>, _ n: Int, path: String, requireLabel: Bool) throws -> NumericTable {
        var labels: [Float] = []
        var entryRow: [Int32] = []
        var entryCol: [Int32] = []
        var entryVal: [Float] = []
        var maxCol = -1
        var pos = 0
        var lineNo = 0
        while pos < n {
            lineNo += 1
            var end = pos
            while end < n, p[end] != 10 { end += 1 }
            var ls = pos, le = end
            trim(p, &ls, &le)
            pos = end + 1
            // Comments after '#'.
            var k = ls
            while k < le, p[k] != 35 { k += 1 }
            le = k
            trim(p, &ls, &le)
            if ls >= le { continue }
            let row = Int32(truncatingIfNeeded: labels.count)
            var c = ls
            var first = true
            while c < le {
                var e = c
                while e < le, p[e] != 32, p[e] != 9 { e += 1 }
                if first {
                    guard let v = NumberParser.parse(p, c, e) else {
                        throw TableError.notNumeric(path: path, line: lineNo, column: "label", cell: cellText(p, c, e))
                    }
                    if requireLabel, v.isNaN { throw TableError.missingLabel(path: path, line: lineNo) }
                    labels.append(v)
                    first = false
                } else {
                    var colon = c
                    while colon < e, p[colon] != 58 { colon += 1 }
                    guard colon > c, colon < e else { throw TableError.badLibSVMEntry(path: path, line: lineNo, entry: cellText(p, c, e)) }
                    var idx = 0
                    for q in c..<colon {
                        let d = p[q] &- 48
                        guard d < 10, idx < 10_000_000 else { throw TableError.badLibSVMEntry(path: path, line: lineNo, entry: cellText(p, c, e)) }
                        idx = idx * 10 + Int(d)
                    }
                    guard let v = NumberParser.parse(p, colon + 1, e) else {
                        throw TableError.notNumeric(path: path, line: lineNo, column: "f\(idx)", cell: cellText(p, colon + 1, e))
                    }
                    entryRow.append(row)
                    entryCol.append(Int32(idx))
                    entryVal.append(v)
                    maxCol = max(maxCol, idx)
                }
                c = e
                while c < le, p[c] == 32 || p[c] == 9 { c += 1 }
            }
        }
        let rows = labels.count
        let cols = maxCol + 1
        guard rows.multipliedReportingOverflow(by: cols).partialValue < 2_000_000_000, !rows.multipliedReportingOverflow(by: cols).overflow else {
            throw TableError.cannotRead(path: path, reason: "\(rows) rows × \(cols) columns is too large for a dense matrix")
        }
        var values = [Float](repeating: .nan, count: rows * cols)
        for k in 0..<entryVal.count {
            values[Int(entryCol[k]) * rows + Int(entryRow[k])] = entryVal[k]
        }
        let matrix = try FeatureMatrix(rows: rows, columns: cols, columnMajor: values)
        return NumericTable(features: matrix, labels: labels)
    }
}
