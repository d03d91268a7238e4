/// How the fields of a line are separated.
enum Delimiter: Sendable, Equatable {
    /// One byte, e.g. `,`, `|` or tab.
    case byte(UInt8)
    /// The two bytes `::` of ml-1m / ml-10m.
    case doubleColon
}

/// One field of a line: bytes `start..<end`; `quoted` when it was written `"…"` (then
/// `start..<end` is the inside of the quotes, still holding `""` escapes).
struct Field {
    var start: Int
    var end: Int
    var quoted: Bool
    var isEmpty: Bool { start == end }
}

/// The result of splitting a line into fields.
enum SplitOutcome {
    case ok
    case unterminatedQuote
}

/// Splits lines into fields, with optional double-quote handling (RFC 4180 style: a field that
/// starts with `"` runs to the matching `"`, `""` inside is a literal quote). Reuses its storage.
struct FieldSplitter {
    let delimiter: Delimiter
    let quotes: Bool
    var fields: [Field] = []

    init(delimiter: Delimiter, quotes: Bool) {
        self.delimiter = delimiter
        self.quotes = quotes
        fields.reserveCapacity(32)
    }

    /// Splits `line`; stops collecting after `limit` fields (the count keeps growing past it
    /// only by one, enough to tell "too many").
    @inline(__always)
    mutating func split(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Line, limit: Int = 64) -> SplitOutcome {
        fields.removeAll(keepingCapacity: true)
        var i = line.start
        let end = line.end
        let delim: UInt8
        let double: Bool
        switch delimiter {
        case .byte(let b): delim = b; double = false
        case .doubleColon: delim = 58; double = true
        }
        while true {
            if fields.count > limit { return .ok }
            if quotes && i < end && bytes[i] == 34 {
                // quoted field
                var j = i + 1
                var closed = false
                while j < end {
                    if bytes[j] == 34 {
                        if j + 1 < end && bytes[j + 1] == 34 { j += 2; continue }
                        closed = true
                        break
                    }
                    j += 1
                }
                guard closed else { return .unterminatedQuote }
                let contentEnd = j
                j += 1
                // anything between the closing quote and the delimiter belongs to the field (lenient)
                var k = j
                while k < end && !isDelimiter(bytes, k, end, delim, double) { k += 1 }
                if k == j {
                    fields.append(Field(start: i + 1, end: contentEnd, quoted: true))
                } else {
                    fields.append(Field(start: i, end: k, quoted: false))
                }
                if k >= end { return .ok }
                i = k + (double ? 2 : 1)
                continue
            }
            var j = SWARBytes.firstIndex(of: delim, in: bytes, from: i, to: end)
            while j < end && !isDelimiter(bytes, j, end, delim, double) {
                j = SWARBytes.firstIndex(of: delim, in: bytes, from: j + 1, to: end)
            }
            fields.append(Field(start: i, end: j, quoted: false))
            if j >= end { return .ok }
            i = j + (double ? 2 : 1)
        }
    }

    @inline(__always)
    private func isDelimiter(_ bytes: UnsafeBufferPointer<UInt8>, _ j: Int, _ end: Int, _ delim: UInt8, _ double: Bool) -> Bool {
        if bytes[j] != delim { return false }
        if !double { return true }
        return j + 1 < end && bytes[j + 1] == delim
    }
}
