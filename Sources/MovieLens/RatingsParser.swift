import Runtime

/// Ratings as parsed, before ids are mapped to dense indices: original ids, in file order.
struct RawRatings: Sendable {
    var user: [Int64] = []
    var movie: [Int64] = []
    var value: [Float] = []
    var time: [Int64] = []
    /// 1-based line number of each rating (for the examples of later drops).
    var line: [UInt32] = []

    var count: Int { value.count }

    mutating func reserve(_ n: Int) {
        user.reserveCapacity(n); movie.reserveCapacity(n); value.reserveCapacity(n); time.reserveCapacity(n); line.reserveCapacity(n)
    }

    mutating func append(contentsOf other: RawRatings) {
        user.append(contentsOf: other.user); movie.append(contentsOf: other.movie)
        value.append(contentsOf: other.value); time.append(contentsOf: other.time); line.append(contentsOf: other.line)
    }
}

/// The ratings file reader: the file is split into chunks at line boundaries, the chunks are
/// parsed in parallel (numbers straight from bytes) and merged in chunk order, so the result is
/// identical for every thread count.
enum RatingsParser {
    /// Field order of the ratings file: user, movie, rating, timestamp (all formats).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, firstLine: Int, layout: ReleaseLayout,
                      threads: Int) -> (RawRatings, FileReport) {
        let chunkTarget = 4 << 20  // ~4 MB per chunk
        let parts = threads <= 1 ? 1 : max(1, min(threads * 8, (bytes.count - start) / chunkTarget + 1))
        let ranges = Lines.chunks(bytes, from: start, parts: parts)
        // First line number of each chunk.
        var newlines = [Int](repeating: 0, count: ranges.count)
        newlines.withUnsafeMutableBufferPointer { nl in
            let out = UnsafeSendable(nl)
            let src = UnsafeSendable(bytes)
            parallelFor(chunks: ranges.count, threads: threads) { c in
                out.value[c] = Lines.countNewlines(src.value, in: ranges[c])
            }
        }
        var firstLines = [Int](repeating: firstLine, count: ranges.count)
        for c in 1..<max(1, ranges.count) { firstLines[c] = firstLines[c - 1] + newlines[c - 1] }

        var results = [(RawRatings, FileReport)](repeating: (RawRatings(), FileReport(file: layout.ratingsFile)), count: ranges.count)
        results.withUnsafeMutableBufferPointer { res in
            let out = UnsafeSendable(res)
            let src = UnsafeSendable(bytes)
            parallelFor(chunks: ranges.count, threads: threads) { c in
                out.value[c] = parseChunk(src.value, ranges[c], firstLine: firstLines[c], layout: layout,
                                          estimate: newlines[c] + 1)
            }
        }
        var merged = RawRatings()
        merged.reserve(results.reduce(0) { $0 + $1.0.count })
        var report = FileReport(file: layout.ratingsFile)
        for (rows, r) in results {
            merged.append(contentsOf: rows)
            report.merge(r)
        }
        return (merged, report)
    }

    static func parseChunk(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, firstLine: Int, layout: ReleaseLayout,
                           estimate: Int) -> (RawRatings, FileReport) {
        var rows = RawRatings()
        rows.reserve(estimate)
        var report = FileReport(file: layout.ratingsFile)
        var splitter = FieldSplitter(delimiter: layout.delimiter, quotes: false)
        let window = layout.timeWindow
        Lines.forEach(bytes, in: range, firstNumber: firstLine) { line in
            report.read += 1
            if line.count > Lines.maxLength { report.drop(.lineTooLong, at: line); return }
            _ = splitter.split(bytes, line, limit: 4)
            let f = splitter.fields
            // Fast path: four well-formed fields.
            if f.count == 4, let u = ByteNumbers.int64(bytes, f[0].start, f[0].end), u > 0,
               let m = ByteNumbers.int64(bytes, f[1].start, f[1].end), m > 0,
               let v = ByteNumbers.decimal(bytes, f[2].start, f[2].end), layout.isValidRating(v),
               let t = ByteNumbers.int64(bytes, f[3].start, f[3].end), window.contains(t) {
                rows.user.append(u); rows.movie.append(m); rows.value.append(Float(v)); rows.time.append(t)
                rows.line.append(UInt32(clamping: line.number))
                report.kept += 1
                return
            }
            report.drop(classify(bytes, line, f, layout: layout), at: line)
        }
        return (rows, report)
    }

    /// Why a ratings line failed the fast path (checks in the documented order).
    static func classify(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Line, _ f: [Field], layout: ReleaseLayout) -> CleaningReason {
        if Lines.isBlank(bytes, line.start, line.end) { return .emptyLine }
        if Lines.hasControlBytes(bytes, line.start, line.end) { return .binaryData }
        if f.count != 4 { return .wrongFieldCount }
        guard let u = ByteNumbers.int64(bytes, f[0].start, f[0].end), u > 0 else { return .badUserId }
        guard let m = ByteNumbers.int64(bytes, f[1].start, f[1].end), m > 0 else { return .badMovieId }
        if Lines.isBlank(bytes, f[2].start, f[2].end) { return .ratingMissing }
        guard let v = ByteNumbers.decimal(bytes, f[2].start, f[2].end) else { return .ratingNotNumber }
        guard layout.isValidRating(v) else { return .ratingOutOfRange }
        guard ByteNumbers.int64(bytes, f[3].start, f[3].end) != nil else { return .timestampMissing }
        return .timestampOutOfWindow
    }
}
