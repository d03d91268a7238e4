/// The checks every line of every file goes through before its fields are interpreted, in order:
/// blank → `empty line`; longer than `Lines.maxLength` → `line too long`; NUL/control bytes →
/// `binary data`; an opening quote without its closing quote → `unterminated quote`; a field
/// count outside `fields` → `wrong field count`. Any drop on a last line that lacks its `\n`
/// is counted as `truncated last line` instead.
struct RowScan {
    var splitter: FieldSplitter
    let fieldCounts: ClosedRange<Int>

    init(delimiter: Delimiter, quotes: Bool, fields: ClosedRange<Int>) {
        splitter = FieldSplitter(delimiter: delimiter, quotes: quotes)
        fieldCounts = fields
    }

    /// Runs the generic checks on every line of `range` and calls `row` with the fields of the
    /// lines that pass; `row` must count the row in `report` (kept, repaired or dropped).
    mutating func run(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, firstLine: Int, report: inout FileReport,
                      _ row: (_ fields: [Field], _ line: Line, _ report: inout FileReport) -> Void) {
        Lines.forEach(bytes, in: range, firstNumber: firstLine) { line in
            report.read += 1
            if Lines.isBlank(bytes, line.start, line.end) { report.drop(.emptyLine, at: line); return }
            if line.count > Lines.maxLength { report.drop(.lineTooLong, at: line); return }
            if Lines.hasControlBytes(bytes, line.start, line.end) { report.drop(.binaryData, at: line); return }
            if splitter.split(bytes, line, limit: fieldCounts.upperBound) == .unterminatedQuote {
                report.drop(.unterminatedQuote, at: line); return
            }
            guard fieldCounts.contains(splitter.fields.count) else { report.drop(.wrongFieldCount, at: line); return }
            row(splitter.fields, line, &report)
        }
    }
}

extension FileReport {
    /// Counts a dropped row; on an unterminated last line the reason becomes `truncated last line`.
    mutating func drop(_ reason: CleaningReason, at line: Line) {
        drop(line.terminated || reason == .emptyLine ? reason : .truncatedLastLine, line: line.number)
    }

    /// Counts a row kept after `repairs` repairs (already recorded with `repair`).
    mutating func keep(repairs: Int) {
        if repairs > 0 { repairedRows += 1 } else { kept += 1 }
    }
}
