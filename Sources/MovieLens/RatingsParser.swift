import Runtime

/// Ratings as parsed, before ids are mapped to dense indices: original ids, in file order.
///
/// Line numbers are not stored per row (that was a fifth column as large as `user`): every line
/// of the file either became the next row or was dropped by the parser, so the line of row `k`
/// follows from `firstLine` and the ascending list of dropped lines (`line(ofRow:)`).
struct RawRatings: Sendable {
    var user: [Int32] = []
    var movie: [Int32] = []
    var value: [Float] = []
    var time: [Int64] = []
    /// 1-based line number of the first data line.
    var firstLine = 1
    /// Line numbers of the lines the parser dropped, ascending.
    var droppedLines: [Int] = []

    var count: Int { value.count }

    /// 1-based line number of row `k` (for the examples of drops made after parsing).
    /// `droppedLines[j] - firstLine - j` rows precede the j-th dropped line, so the line of row
    /// `k` is `firstLine + k` plus the number of dropped lines with at most `k` rows before them.
    func line(ofRow k: Int) -> Int {
        var lo = 0, hi = droppedLines.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if droppedLines[mid] - firstLine - mid <= k { lo = mid + 1 } else { hi = mid }
        }
        return firstLine + k + lo
    }
}

/// The ratings file reader. The file is split into chunks at line boundaries; the lines of each
/// chunk are counted (in parallel) so every chunk knows its first line number and owns a
/// disjoint slice of the output columns; the chunks are parsed in parallel and the slices
/// compacted in chunk order — the result is identical for every thread count.
///
/// Each line goes through up to three readers, each accepting a subset of what the next accepts
/// and giving identical values for it:
/// 1. a SWAR path for the common shape (ids of 1–7 digits, a rating `d` or `d.d`, a timestamp of
///    1–15 digits, `\n` or `\r\n`): it finds each field's end with one 8-byte load and a
///    bit trick and converts up to 8 digits with three multiplications — no per-digit branches;
/// 2. a fast path that parses `user<d>movie<d>rating<d>timestamp` digit by digit;
/// 3. the general path, which applies the documented rules to anything else (spaces, signs, a bad
///    value, a wrong field count…) and either keeps the row or names the reason for dropping it.
enum RatingsParser {
    /// `prefault`: `bytes` is a file mapping not yet in the page tables; each chunk populates
    /// its pages on the thread that counts its lines (`Prefault.read`).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, firstLine: Int, layout: ReleaseLayout,
                      threads: Int, chunkBytes: Int = 4 << 20, prefault: Bool = false) -> (RawRatings, FileReport) {
        var report = FileReport(file: layout.ratingsFile)
        guard start < bytes.count else { return (RawRatings(firstLine: firstLine), report) }
        // About `chunkBytes` per chunk, at most 8 chunks per thread (one chunk with one thread).
        let parts = threads <= 1 ? 1 : max(1, min(threads * 8, (bytes.count - start) / max(1, chunkBytes) + 1))
        let ranges = Lines.chunks(bytes, from: start, parts: parts)
        var newlines = [Int](repeating: 0, count: ranges.count)
        newlines.withUnsafeMutableBufferPointer { nl in
            let out = UnsafeSendable(nl), src = UnsafeSendable(bytes)
            parallelFor(chunks: ranges.count, threads: threads) { c in
                if prefault { Prefault.read(UnsafeRawPointer(src.value.baseAddress), ranges[c]) }
                out.value[c] = Lines.countNewlines(src.value, in: ranges[c])
            }
        }
        // Chunk c holds at most newlines[c] lines (+1 for an unterminated last line).
        var offsets = [Int](repeating: 0, count: ranges.count + 1)
        var firstLines = [Int](repeating: firstLine, count: ranges.count)
        for c in 0..<ranges.count {
            offsets[c + 1] = offsets[c] + newlines[c] + (c == ranges.count - 1 ? 1 : 0)
            if c > 0 { firstLines[c] = firstLines[c - 1] + newlines[c - 1] }
        }
        let capacity = offsets[ranges.count]
        var reports = [FileReport](repeating: FileReport(file: layout.ratingsFile), count: ranges.count)
        var keptPerChunk = [Int](repeating: 0, count: ranges.count)
        var droppedPerChunk = [[Int]](repeating: [], count: ranges.count)
        var rows = Columns.make(capacity: capacity) { out in
            let out = UnsafeSendable(out), src = UnsafeSendable(bytes)
            reports.withUnsafeMutableBufferPointer { rep in
                keptPerChunk.withUnsafeMutableBufferPointer { kept in
                    droppedPerChunk.withUnsafeMutableBufferPointer { drops in
                        let rep = UnsafeSendable(rep), kept = UnsafeSendable(kept), drops = UnsafeSendable(drops)
                        parallelFor(chunks: ranges.count, threads: threads) { c in
                            kept.value[c] = parseChunk(src.value, ranges[c], firstLine: firstLines[c], layout: layout,
                                                       out: out.value.advanced(by: offsets[c]), report: &rep.value[c],
                                                       dropped: &drops.value[c])
                        }
                    }
                }
            }
            // Compact the chunks' slices in chunk order.
            var position = 0
            for c in 0..<ranges.count {
                let k = keptPerChunk[c]
                if offsets[c] != position { out.value.move(from: offsets[c], to: position, count: k) }
                position += k
            }
            return position
        }
        for r in reports { report.merge(r) }
        rows.firstLine = firstLine
        rows.droppedLines = Array(droppedPerChunk.joined())
        return (rows, report)
    }

    /// Parses the lines of one chunk into `out` (which has room for every line); returns the
    /// number of rows kept and appends the numbers of the dropped lines to `dropped`.
    static func parseChunk(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, firstLine: Int, layout: ReleaseLayout,
                           out: Columns, report: inout FileReport, dropped: inout [Int]) -> Int {
        guard let p = bytes.baseAddress, !range.isEmpty else { return 0 }
        let end = range.upperBound
        let window = layout.timeWindow
        let delim: UInt8, double: Bool
        switch layout.delimiter {
        case .byte(let b): delim = b; double = false
        case .doubleColon: delim = 58; double = true
        }
        let half = layout.halfStars
        var splitter = FieldSplitter(delimiter: layout.delimiter, quotes: false)
        let step = double ? 2 : 1
        let minHalves = half ? 1 : 2
        let total = bytes.count
        let raw = UnsafeRawPointer(p)
        var kept = 0
        var swarKept = 0
        var lineNumber = firstLine
        var i = range.lowerBound
        defer {
            report.read += swarKept
            report.kept += swarKept
        }
        while i < end {
            let lineStart = i
            // ---- SWAR path: every load below stays within 40 bytes of the line start ----
            swar: if i + 40 <= total {
                @inline(__always) func load(_ at: Int) -> UInt64 {
                    UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
                }
                @inline(__always) func isDelimiter(_ at: Int) -> Bool {
                    p[at] == delim && (!double || p[at + 1] == delim)
                }
                let w1 = load(i)
                let n1 = SWARDigits.leadingCount(w1)
                guard n1 >= 1, n1 <= 7, isDelimiter(i + n1) else { break swar }
                let s2 = i + n1 + step
                let w2 = load(s2)
                let n2 = SWARDigits.leadingCount(w2)
                guard n2 >= 1, n2 <= 7, isDelimiter(s2 + n2) else { break swar }
                let s3 = s2 + n2 + step
                let r0 = p[s3] &- 48
                guard r0 < 10 else { break swar }
                var halves = Int(r0) &* 2
                var s4 = s3 + 1
                if p[s4] == 46 {
                    let f = p[s3 + 2]
                    if f == 53 { halves += 1 } else if f != 48 { break swar }
                    s4 = s3 + 3
                }
                guard isDelimiter(s4) else { break swar }
                s4 += step
                let w4 = load(s4)
                let n4 = SWARDigits.leadingCount(w4)
                guard n4 >= 1 else { break swar }
                var t: Int64
                var e: Int
                if n4 < 8 {
                    t = Int64(SWARDigits.value(w4, count: n4))
                    e = s4 + n4
                } else {
                    let w5 = load(s4 + 8)
                    let n5 = SWARDigits.leadingCount(w5)
                    guard n5 < 8 else { break swar }
                    t = Int64(SWARDigits.value(w4, count: 8))
                    if n5 > 0 { t = t &* pow10[n5] &+ Int64(SWARDigits.value(w5, count: n5)) }
                    e = s4 + 8 + n5
                }
                let next: Int
                if p[e] == 10 { next = e + 1 } else if p[e] == 13 && p[e + 1] == 10 { next = e + 2 } else { break swar }
                guard next <= end, window.contains(t) else { break swar }
                let u = SWARDigits.value(w1, count: n1), m = SWARDigits.value(w2, count: n2)
                guard u > 0, m > 0, halves >= minHalves, halves <= 10, half || halves & 1 == 0 else { break swar }
                out.user[kept] = Int32(truncatingIfNeeded: u); out.movie[kept] = Int32(truncatingIfNeeded: m)
                out.value[kept] = Float(halves) * 0.5; out.time[kept] = t
                kept += 1
                swarKept += 1
                lineNumber += 1
                i = next
                continue
            }
            // ---- fast path: digits<d>digits<d>rating<d>digits then \n, \r\n or end ----
            fast: do {
                var j = i
                @inline(__always) func digits(_ limit: Int) -> Int64 {
                    var v: Int64 = 0
                    let s = j
                    while j < end {
                        let d = p[j] &- 48
                        if d >= 10 { break }
                        v = v &* 10 &+ Int64(d)
                        j += 1
                    }
                    let n = j - s
                    return n == 0 || n > limit ? -1 : v
                }
                @inline(__always) func delimiter() -> Bool {
                    guard j < end, p[j] == delim else { return false }
                    if double {
                        guard j + 1 < end, p[j + 1] == delim else { return false }
                        j += 2
                    } else {
                        j += 1
                    }
                    return true
                }
                let u = digits(10)
                guard u > 0, u <= maxId, delimiter() else { break fast }
                let m = digits(10)
                guard m > 0, m <= maxId, delimiter() else { break fast }
                // rating: whole part, optional fraction, kept exactly as mantissa / 10^fractionDigits
                let whole = digits(3)
                guard whole >= 0 else { break fast }
                var fraction: Int64 = 0, fractionDigits = 0
                if j < end && p[j] == 46 {
                    j += 1
                    let s = j
                    fraction = digits(6)
                    guard fraction >= 0 else { break fast }
                    fractionDigits = j - s
                }
                guard delimiter() else { break fast }
                let t = digits(18)
                guard t >= 0, window.contains(t) else { break fast }
                // end of line
                var next = j
                if j < end {
                    if p[j] == 10 { next = j + 1 } else if p[j] == 13 && j + 1 < end && p[j + 1] == 10 { next = j + 2 } else { break fast }
                }
                // rating on the scale, in half stars, computed exactly in integers
                var halves = whole &* 2
                switch fractionDigits {
                case 0: break
                case 1:  // "4.5", "4.0": the common case, no division
                    if fraction == 5 { halves += 1 } else if fraction != 0 { break fast }
                default:
                    let scale = pow10[fractionDigits]
                    guard (fraction &* 2) % scale == 0 else { break fast }
                    halves += fraction &* 2 / scale
                }
                guard halves >= (half ? 1 : 2) && halves <= 10, half || halves & 1 == 0 else { break fast }
                let value = Float(halves) * 0.5
                out.user[kept] = Int32(truncatingIfNeeded: u); out.movie[kept] = Int32(truncatingIfNeeded: m); out.value[kept] = value; out.time[kept] = t
                kept += 1
                report.read += 1
                report.kept += 1
                lineNumber += 1
                i = next
                continue
            }
            // ---- general path for this line ----
            var j = lineStart
            while j < end && p[j] != 10 { j += 1 }
            let terminated = j < end
            var e = j
            if e > lineStart && p[e - 1] == 13 { e -= 1 }
            let line = Line(start: lineStart, end: e, number: lineNumber, terminated: terminated)
            report.read += 1
            switch general(bytes, line, &splitter, layout: layout) {
            case .keep(let u, let m, let v, let t):
                out.user[kept] = u; out.movie[kept] = m; out.value[kept] = v; out.time[kept] = t
                kept += 1
                report.kept += 1
            case .drop(let reason):
                report.drop(reason, at: line)
                dropped.append(lineNumber)
            }
            lineNumber += 1
            i = j + 1
        }
        return kept
    }

    /// Ids are positive and below 2^31 (MovieLens ids are below a million).
    static let maxId = Int64(Int32.max)

    private static let pow10: [Int64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000]

    enum Outcome {
        case keep(Int32, Int32, Float, Int64)
        case drop(CleaningReason)
    }

    /// The documented rules, in order, for a line the fast path did not accept.
    static func general(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Line, _ splitter: inout FieldSplitter,
                        layout: ReleaseLayout) -> Outcome {
        if Lines.isBlank(bytes, line.start, line.end) { return .drop(.emptyLine) }
        if line.count > Lines.maxLength { return .drop(.lineTooLong) }
        if Lines.hasControlBytes(bytes, line.start, line.end) { return .drop(.binaryData) }
        _ = splitter.split(bytes, line, limit: 4)
        let f = splitter.fields
        if f.count != 4 { return .drop(.wrongFieldCount) }
        guard let u = ByteNumbers.int64(bytes, f[0].start, f[0].end), u > 0, u <= maxId else { return .drop(.badUserId) }
        guard let m = ByteNumbers.int64(bytes, f[1].start, f[1].end), m > 0, m <= maxId else { return .drop(.badMovieId) }
        if Lines.isBlank(bytes, f[2].start, f[2].end) { return .drop(.ratingMissing) }
        guard let v = ByteNumbers.decimal(bytes, f[2].start, f[2].end) else { return .drop(.ratingNotNumber) }
        guard layout.isValidRating(v) else { return .drop(.ratingOutOfRange) }
        guard let t = ByteNumbers.int64(bytes, f[3].start, f[3].end) else { return .drop(.timestampMissing) }
        guard layout.timeWindow.contains(t) else { return .drop(.timestampOutOfWindow) }
        return .keep(Int32(truncatingIfNeeded: u), Int32(truncatingIfNeeded: m), Float(v), t)
    }
}

/// Raw pointers to the four rating columns being filled.
struct Columns {
    var user: UnsafeMutablePointer<Int32>
    var movie: UnsafeMutablePointer<Int32>
    var value: UnsafeMutablePointer<Float>
    var time: UnsafeMutablePointer<Int64>

    func advanced(by n: Int) -> Columns {
        Columns(user: user + n, movie: movie + n, value: value + n, time: time + n)
    }

    /// Moves `count` rows from row `from` to row `to` (`to <= from`).
    func move(from: Int, to: Int, count: Int) {
        guard count > 0 else { return }
        (user + to).update(from: user + from, count: count)
        (movie + to).update(from: movie + from, count: count)
        (value + to).update(from: value + from, count: count)
        (time + to).update(from: time + from, count: count)
    }

    /// Allocates four columns with room for `capacity` rows (not zero-filled, backed by huge
    /// pages where the system allows), lets `fill` write them and return how many rows it kept,
    /// and returns arrays of that length.
    static func make(capacity: Int, _ fill: (Columns) -> Int) -> RawRatings {
        let cap = max(1, capacity)
        var count = 0
        var movie: [Int32] = [], value: [Float] = [], time: [Int64] = []
        let user = [Int32](unsafeUninitializedCapacity: cap) { ub, uc in
            HugePages.advise(ub)
            movie = [Int32](unsafeUninitializedCapacity: cap) { mb, mc in
                HugePages.advise(mb)
                value = [Float](unsafeUninitializedCapacity: cap) { vb, vc in
                    HugePages.advise(vb)
                    time = [Int64](unsafeUninitializedCapacity: cap) { tb, tc in
                        HugePages.advise(tb)
                        if let u = ub.baseAddress, let m = mb.baseAddress, let v = vb.baseAddress, let t = tb.baseAddress {
                            count = min(cap, fill(Columns(user: u, movie: m, value: v, time: t)))
                        }
                        tc = count
                    }
                    vc = count
                }
                mc = count
            }
            uc = count
        }
        return RawRatings(user: user, movie: movie, value: value, time: time)
    }
}

/// Decimal digits eight bytes at a time inside a `UInt64` (first byte in the low bits).
enum SWARDigits {
    /// Number of leading bytes of `w` (0…8) that are ASCII digits. A byte `b` is a digit exactly
    /// when `b ^ 0x30 < 10`; adding 0x76 to the low 7 bits sets the high bit of every byte ≥ 10.
    @inline(__always)
    static func leadingCount(_ w: UInt64) -> Int {
        let x = w ^ 0x3030_3030_3030_3030
        let nonDigit = (((x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7676_7676_7676_7676) | x) & 0x8080_8080_8080_8080
        return nonDigit.trailingZeroBitCount &>> 3
    }

    /// Value of the first `count` (1…8) bytes of `w`, which must be digits. Shifting them to the
    /// top leaves zero bytes (leading zeros) below; then pairs, quads and octets of digits are
    /// combined with one multiplication each.
    @inline(__always)
    static func value(_ w: UInt64, count: Int) -> UInt64 {
        var v = w &<< UInt64(64 &- 8 &* count)
        v = ((v & 0x0F0F_0F0F_0F0F_0F0F) &* 2561) &>> 8
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) &>> 16
        return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) &>> 32
    }
}
