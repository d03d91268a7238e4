/// Errors from reading a numeric table (CSV or LibSVM). Each names the file and, where there is
/// one, the 1-based line and the reason, e.g. `data.csv:17: expected 31 cells, found 30`.
public enum TableError: Error, CustomStringConvertible, Equatable {
    case cannotRead(path: String, reason: String)
    case empty(path: String)
    case missingLabelColumn(path: String, label: String, columns: [String])
    case raggedRow(path: String, line: Int, expected: Int, found: Int)
    case notNumeric(path: String, line: Int, column: String, cell: String)
    case missingLabel(path: String, line: Int)
    case badLibSVMEntry(path: String, line: Int, entry: String)
    case missingFeatureColumn(path: String, column: String)

    public var description: String {
        switch self {
        case .cannotRead(let p, let r): return "\(p): cannot read: \(r)"
        case .empty(let p): return "\(p): the file is empty (expected a header line and data rows)"
        case .missingLabelColumn(let p, let l, let cols):
            let shown = cols.prefix(12).joined(separator: ", ") + (cols.count > 12 ? ", …" : "")
            return "\(p): label column \"\(l)\" is not in the header (columns: \(shown))"
        case .raggedRow(let p, let line, let e, let f):
            return "\(p):\(line): expected \(e) cells (as in the header), found \(f)"
        case .notNumeric(let p, let line, let c, let cell):
            return "\(p):\(line): column \"\(c)\": \"\(cell)\" is not a number (empty, NaN or NA mean missing)"
        case .missingLabel(let p, let line):
            return "\(p):\(line): the label is missing or NaN (every training row needs a label)"
        case .badLibSVMEntry(let p, let line, let e):
            return "\(p):\(line): \"\(e)\" is not a LibSVM entry (expected index:value with a non-negative integer index)"
        case .missingFeatureColumn(let p, let c):
            return "\(p): the model needs column \"\(c)\", which the header does not have"
        }
    }
}
