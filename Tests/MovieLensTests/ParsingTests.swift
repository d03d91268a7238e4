import Runtime
import XCTest
@testable import MovieLens

/// The byte-level building blocks against hand-computed cases and naive references.
final class ParsingTests: XCTestCase {
    private func withBytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        Array(s.utf8).withUnsafeBufferPointer(body)
    }

    func testInt64() {
        func p(_ s: String) -> Int64? { withBytes(s) { ByteNumbers.int64($0, 0, $0.count) } }
        XCTAssertEqual(p("978300760"), 978_300_760)
        XCTAssertEqual(p("-1"), -1)
        XCTAssertEqual(p(" 42 "), 42)
        XCTAssertEqual(p("+7"), 7)
        XCTAssertEqual(p("9223372036854775807"), Int64.max)
        XCTAssertNil(p("9223372036854775808"))   // overflow
        XCTAssertNil(p("99999999999999999999"))  // too many digits
        XCTAssertNil(p(""))
        XCTAssertNil(p("-"))
        XCTAssertNil(p("1e10"))
        XCTAssertNil(p("12a"))
        XCTAssertNil(p("4.0"))
    }

    func testDecimal() {
        func p(_ s: String) -> Double? { withBytes(s) { ByteNumbers.decimal($0, 0, $0.count) } }
        XCTAssertEqual(p("5.0"), 5)
        XCTAssertEqual(p("4.5"), 4.5)
        XCTAssertEqual(p("3"), 3)
        XCTAssertEqual(p(".5"), 0.5)
        XCTAssertEqual(p("-1.0"), -1)
        XCTAssertEqual(p("10.0"), 10)
        XCTAssertEqual(p("4.25"), 4.25)
        XCTAssertEqual(p("25.0"), 25)
        XCTAssertNil(p(""))
        XCTAssertNil(p("."))
        XCTAssertNil(p("1.2.3"))
        XCTAssertNil(p("abc"))
        XCTAssertNil(p("NaN"))
        XCTAssertNil(p("1e3"))
        XCTAssertNil(p("1234567890123456789"))  // more than 18 digits
        // Against Double(String) on every value with up to 2 decimals in 0...6.
        for k in 0...600 {
            let s = String(format: "%.2f", Double(k) / 100)
            XCTAssertEqual(p(s), Double(s), s)
        }
    }

    func testFieldSplitter() {
        func split(_ s: String, _ d: Delimiter, quotes: Bool) -> [String]? {
            withBytes(s) { b in
                var sp = FieldSplitter(delimiter: d, quotes: quotes)
                let line = Line(start: 0, end: b.count, number: 1, terminated: true)
                guard sp.split(b, line) == .ok else { return nil }
                return sp.fields.map { f in
                    var bad = false
                    return TextDecoding.string(b, f, latin1: false, invalidUTF8: &bad)
                }
            }
        }
        XCTAssertEqual(split("1,2,3", .byte(44), quotes: true), ["1", "2", "3"])
        XCTAssertEqual(split("1,,3,", .byte(44), quotes: true), ["1", "", "3", ""])
        XCTAssertEqual(split("11,\"American President, The (1995)\",Comedy", .byte(44), quotes: true),
                       ["11", "American President, The (1995)", "Comedy"])
        XCTAssertEqual(split("1,\"say \"\"hi\"\"\",x", .byte(44), quotes: true), ["1", "say \"hi\"", "x"])
        XCTAssertEqual(split("1|T|\"A|B\"", .byte(124), quotes: true), ["1", "T", "A|B"])
        XCTAssertEqual(split("1::Title: The::Drama", .doubleColon, quotes: false), ["1", "Title: The", "Drama"])
        XCTAssertEqual(split("a\tb", .byte(9), quotes: false), ["a", "b"])
        XCTAssertNil(split("1,\"open", .byte(44), quotes: true))
        XCTAssertEqual(split("1,\"x\"y,2", .byte(44), quotes: true), ["1", "\"x\"y", "2"])  // text after a closing quote: kept raw
    }

    func testTitleYear() {
        XCTAssertEqual(TitleYear.parse("Toy Story (1995)"), .year(1995))
        XCTAssertEqual(TitleYear.parse("Spider-Man (2002) "), .year(2002))
        XCTAssertEqual(TitleYear.parse("Death Note: Desu nôto (2006–2007)"), .year(2006))
        XCTAssertEqual(TitleYear.parse("Babylon 5"), .none)
        XCTAssertEqual(TitleYear.parse("Movie (abcd)"), .none)
        XCTAssertEqual(TitleYear.parse("City of Lost Children, The (Cité des enfants perdus, La) (1995)"), .year(1995))
        XCTAssertEqual(TitleYear.parse("Unknown Movie (3000)"), .outOfRange)
        XCTAssertEqual(TitleYear.parse(""), .none)
        XCTAssertEqual(TitleYear.parse("()"), .none)
    }

    /// The byte-level fast paths of titles and genre lists agree with the character-level rules
    /// on random strings made of the pieces that matter (parentheses, digits, spaces, dashes,
    /// separators, accents, a combining mark, genre names).
    func testTitleAndGenreFastPathsAgreeWithGeneralRules() {
        var rng = SplitMix64(seed: 17)
        let titlePieces = ["(", ")", "1995", "19", "5", " ", "-", "–", "é", "\u{301}", "Toy Story", "x", "2100", "3000", "1869", "()", "(1995)", "(3000)", "(2007) "]
        var fastTitles = 0
        for _ in 0..<20_000 {
            let t = (0..<Int(rng.next() % 6 + 1)).map { _ in titlePieces[Int(rng.next() % UInt64(titlePieces.count))] }.joined()
            XCTAssertEqual(TitleYear.parse(t), TitleYear.general(t), t)
            if TitleYear.fastYear(t) != nil { fastTitles += 1 }
        }
        XCTAssertGreaterThan(fastTitles, 100)
        for vocabulary in [Genres.latest, Genres.ml1m, Genres.ml10m] {
            let genrePieces = vocabulary + ["|", "|", ",", " ", "Children", "Children's", "Invalid", "(no genres listed)", "", "é"]
            var fastLists = 0
            for _ in 0..<20_000 {
                let g = (0..<Int(rng.next() % 6 + 1)).map { _ in genrePieces[Int(rng.next() % UInt64(genrePieces.count))] }.joined()
                let a = GenreField.parse(g, vocabulary: vocabulary), b = GenreField.general(g, vocabulary: vocabulary)
                XCTAssertEqual(a.bits, b.bits, g)
                XCTAssertEqual(a.repairs, b.repairs, g)
                if GenreField.fast(g, vocabulary: vocabulary) != nil { fastLists += 1 }
            }
            XCTAssertGreaterThan(fastLists, 100)
        }
    }

    func testGenreField() {
        let v = Genres.ml1m
        func bits(_ names: [String]) -> UInt32 { names.reduce(0) { $0 | (1 << UInt32(v.firstIndex(of: $1) ?? 31)) } }
        XCTAssertEqual(GenreField.parse("Action|Comedy", vocabulary: v).bits, bits(["Action", "Comedy"]))
        XCTAssertEqual(GenreField.parse("Action|Comedy", vocabulary: v).repairs, [])
        XCTAssertEqual(GenreField.parse("", vocabulary: v).repairs, [.genresMissing])
        XCTAssertEqual(GenreField.parse("(no genres listed)", vocabulary: v).repairs, [])
        XCTAssertEqual(GenreField.parse("(no genres listed)", vocabulary: v).bits, 0)
        let comma = GenreField.parse("Action,Comedy", vocabulary: v)
        XCTAssertEqual(comma.bits, bits(["Action", "Comedy"]))
        XCTAssertEqual(comma.repairs, [.genreSeparator])
        let unknown = GenreField.parse("Fantasy|Sci-Fi|Romance|Invalid", vocabulary: v)
        XCTAssertEqual(unknown.bits, bits(["Fantasy", "Sci-Fi", "Romance"]))
        XCTAssertEqual(unknown.repairs, [.genreUnknown])
        XCTAssertEqual(GenreField.parse("Children", vocabulary: v).bits, bits(["Children's"]))
    }

    func testLinesAndChunks() {
        let text = "a\r\nbb\n\nccc\nlast"
        withBytes(text) { b in
            var seen: [(String, Int, Bool)] = []
            Lines.forEach(b, in: 0..<b.count, firstNumber: 1) { l in
                seen.append((String(decoding: UnsafeBufferPointer(rebasing: b[l.start..<l.end]), as: UTF8.self), l.number, l.terminated))
            }
            XCTAssertEqual(seen.map(\.0), ["a", "bb", "", "ccc", "last"])
            XCTAssertEqual(seen.map(\.1), [1, 2, 3, 4, 5])
            XCTAssertEqual(seen.map(\.2), [true, true, true, true, false])
        }
        // Chunks cover the range exactly and start at line starts, for many part counts.
        let big = (0..<500).map { "\($0),\($0 * 7),x" }.joined(separator: "\n")
        withBytes(big) { b in
            for parts in 1...40 {
                let chunks = Lines.chunks(b, from: 0, parts: parts)
                XCTAssertEqual(chunks.first?.lowerBound, 0)
                XCTAssertEqual(chunks.last?.upperBound, b.count)
                for k in 1..<max(1, chunks.count) {
                    XCTAssertEqual(chunks[k - 1].upperBound, chunks[k].lowerBound)
                    XCTAssertEqual(b[chunks[k].lowerBound - 1], 10)
                }
            }
        }
    }

    /// Duplicate detection against a naive dictionary reference on random data.
    func testDuplicateRatingsAgainstNaive() {
        var rng = SplitMix64(seed: 3)
        let n = 5000, users = 40, movies = 30
        // Naive reference: of each (user, movie) keep the latest time (ties: the later row).
        func reference(_ user: [Int32], _ movie: [Int32], _ time: [Int64]) -> [Int] {
            var winner: [Int: Int] = [:]
            for i in 0..<n where user[i] >= 0 && movie[i] >= 0 {
                let key = Int(user[i]) * movies + Int(movie[i])
                if let j = winner[key], time[j] > time[i] { continue }
                winner[key] = i
            }
            return (0..<n).filter { i in user[i] >= 0 && movie[i] >= 0 && winner[Int(user[i]) * movies + Int(movie[i])] != i }
        }
        var user = (0..<n).map { _ in Int32(rng.next() % UInt64(users)) }
        let movie = (0..<n).map { _ in Int32(rng.next() % UInt64(movies)) }
        let time = (0..<n).map { _ in Int64(rng.next() % 50) }
        for i in 0..<n where rng.next() % 10 == 0 { user[i] = -1 }  // already dropped
        let expected = reference(user, movie, time)
        XCTAssertGreaterThan(expected.count, 100)
        for threads in [1, 2, 3] {
            XCTAssertEqual(DuplicateRatings.find(user: user, movie: movie, time: time, userCount: users, movieCount: movies,
                                                 threads: threads), expected, "threads \(threads)")
        }
        // The same ratings sorted by user (the layout of real files), with dropped rows (movie
        // -1) of any user scattered between them: takes the no-reordering path.
        let perm = (0..<n).sorted { (user[$0], $0) < (user[$1], $1) }
        var su = perm.map { user[$0] }, sm = perm.map { movie[$0] }
        let st = perm.map { time[$0] }
        for k in stride(from: 3, to: n, by: 11) { sm[k] = -1; su[k] = Int32(rng.next() % UInt64(users)) }
        let sortedExpected = reference(su, sm, st)
        XCTAssertGreaterThan(sortedExpected.count, 100)
        for threads in [1, 2] {
            XCTAssertEqual(DuplicateRatings.find(user: su, movie: sm, time: st, userCount: users, movieCount: movies,
                                                 threads: threads), sortedExpected)
        }
    }

    /// The SWAR path, the fast path and the general rules agree on every line. Each line is
    /// parsed alone (too close to the buffer's end for the SWAR path) and followed by 64 bytes
    /// of digits outside its chunk (SWAR path enabled; reading past the line would show).
    func testFastPathsAgreeWithGeneralRules() {
        var rng = SplitMix64(seed: 11)
        let ids = ["1", "42", "0", "007", " 5", "-3", "", "x", "99999999999999999999", "123456", "1234567", "12345678",
                   "9", "0000001", "3a"]
        let ratings = ["4", "4.0", "4.5", "4.50", "4.25", "0.5", "0", "5.0", "10", "", "-1.0", ".5", "3.", "abc", " 3",
                       "1.0000001", "0.0", "5.5", "3.7", "2.5", "1", "9.5", "4.05"]
        let times = ["1000000000", "100", "-1", "", "9999999999", "1e10", "1000000000 ", "01000000000", "12345678",
                     "123456789012345", "1234567890123456", "7", "1234567x"]
        var swarLines = 0
        for layoutFormat in [DataFormat.latestCSV, .seedPipe, .dat, .ml100k] {
            let layout = ReleaseLayout.layout(for: layoutFormat, directory: "/nonexistent")
            let d: String = layoutFormat == .latestCSV ? "," : layoutFormat == .seedPipe ? "|" : layoutFormat == .ml100k ? "\t" : "::"
            for _ in 0..<1500 {
                func pick(_ a: [String]) -> String { a[Int(rng.next() % UInt64(a.count))] }
                var fields = [pick(ids), pick(ids), pick(ratings), pick(times)]
                if rng.next() % 10 == 0 { fields.removeLast() }
                if rng.next() % 10 == 0 { fields.append("5") }
                let line = fields.joined(separator: d) + (rng.next() % 5 == 0 ? "\r\n" : "\n")
                let lineBytes = Array(line.utf8)
                var splitter = FieldSplitter(delimiter: layout.delimiter, quotes: false)
                var e = lineBytes.count - 1
                if e > 0 && lineBytes[e - 1] == 13 { e -= 1 }
                let expected = lineBytes.withUnsafeBufferPointer {
                    RatingsParser.general($0, Line(start: 0, end: e, number: 1, terminated: true), &splitter, layout: layout)
                }
                for padded in [false, true] {
                    let bytes = lineBytes + (padded ? Array(repeating: UInt8(ascii: "7"), count: 64) : [])
                    if padded && lineBytes.count <= 24 { swarLines += 1 }
                    bytes.withUnsafeBufferPointer { b in
                        var report = FileReport(file: "r")
                        var dropped: [Int] = []
                        let cols = Columns.make(capacity: 2) { out in
                            RatingsParser.parseChunk(b, 0..<lineBytes.count, firstLine: 1, layout: layout, out: out,
                                                     report: &report, dropped: &dropped)
                        }
                        switch expected {
                        case .keep(let u, let m, let v, let t):
                            XCTAssertEqual(cols.count, 1, line)
                            XCTAssertEqual(cols.user.first, u, line); XCTAssertEqual(cols.movie.first, m, line)
                            XCTAssertEqual(cols.value.first, v, line); XCTAssertEqual(cols.time.first, t, line)
                            XCTAssertEqual(report.kept, 1, line)
                            XCTAssertEqual(dropped, [], line)
                        case .drop(let reason):
                            XCTAssertEqual(cols.count, 0, line)
                            XCTAssertEqual(report.dropped, [reason.rawValue: 1], line)
                            XCTAssertEqual(dropped, [1], line)
                        }
                        XCTAssertEqual(report.read, 1)
                    }
                }
            }
        }
        XCTAssertGreaterThan(swarLines, 1000)
    }

    /// SWAR digit helpers against the obvious per-byte loop, on every length and random bytes.
    func testSWARDigitsAgainstAByteLoop() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<20_000 {
            var bytes = (0..<8).map { _ in UInt8(ascii: "0") + UInt8(rng.next() % 10) }
            if rng.next() % 2 == 0 { bytes[Int(rng.next() % 8)] = UInt8(truncatingIfNeeded: rng.next()) }
            let w = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            let n = bytes.firstIndex { !(48...57).contains($0) } ?? 8
            XCTAssertEqual(SWARDigits.leadingCount(w), n, "\(bytes)")
            for k in stride(from: 1, through: n, by: 1) {
                let expected = bytes[0..<k].reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 48) }
                XCTAssertEqual(SWARDigits.value(w, count: k), expected, "\(bytes) k=\(k)")
            }
        }
    }

    func testIdIndex() {
        let small = IdIndex(sortedIds: [3, 10, 11, 500])
        XCTAssertEqual([3, 10, 11, 500, 4, -5, 501, Int64.max, Int64.min].map(small.index), [0, 1, 2, 3, -1, -1, -1, -1, -1])
        let sparse = IdIndex(sortedIds: [-9, 1, Int64(1) << 40, Int64.max])  // too wide for a table
        XCTAssertEqual([-9, 1, Int64(1) << 40, Int64.max, 0].map(sparse.index), [0, 1, 2, 3, -1])
        XCTAssertEqual(IdIndex.sortedUnique([[5, 1, 5], [3, 1]]), [1, 3, 5])
        XCTAssertEqual(IdIndex.sortedUnique([[Int64.max, Int64.min, 0]]), [Int64.min, 0, Int64.max])
        XCTAssertEqual(IdIndex.sortedUnique([[Int64](), []]), [])
    }
}
