import XCTest
import Runtime
import TestSupport
@testable import MovieLens

/// Bad inputs: each gets a counted reason in the report or a clear `MovieLensError` naming the
/// file and line — never a crash or a hang.
final class BadInputTests: XCTestCase {
    private let header = "userId,movieId,rating,timestamp\n"
    private let good = "1,10,4.0,1000000000\n2,10,3.5,1000000001\n"

    private func load(_ files: [String: [UInt8]]) throws -> LoadResult {
        let fx = try Fixture(files)
        defer { fx.remove() }
        return try MovieLensReader.load(directory: fx.path, threads: 2)
    }

    private func assertError(_ files: [String: [UInt8]], _ check: (MovieLensError, String) -> Void, line: UInt = #line) throws {
        let fx = try Fixture(files)
        defer { fx.remove() }
        XCTAssertThrowsError(try MovieLensReader.load(directory: fx.path), line: line) { error in
            guard let e = error as? MovieLensError else { return XCTFail("not a MovieLensError: \(error)", line: line) }
            check(e, fx.path)
        }
    }

    func testMissingDirectory() {
        XCTAssertThrowsError(try MovieLensReader.load(directory: "/nonexistent/movierec")) { error in
            XCTAssertEqual(error as? MovieLensError, .notADirectory(path: "/nonexistent/movierec"))
            XCTAssertEqual("\(error)", "/nonexistent/movierec: no such directory")
        }
    }

    func testDirectoryWithoutMovieLensFiles() throws {
        try assertError([:]) { e, dir in XCTAssertEqual(e, .noMovieLensFiles(directory: dir, found: [])) }
        try assertError(["notes.txt": Array("hello".utf8)]) { e, dir in
            XCTAssertEqual(e, .noMovieLensFiles(directory: dir, found: ["notes.txt"]))
            XCTAssertTrue(e.description.contains("notes.txt"))
        }
    }

    func testEmptyFiles() throws {
        try assertError(["ratings.csv": []]) { e, dir in XCTAssertEqual(e, .emptyFile(path: dir + "/ratings.csv")) }
        try assertError(["ratings.csv": Array(header.utf8)]) { e, dir in XCTAssertEqual(e, .emptyFile(path: dir + "/ratings.csv")) }
        try assertError(["ratings.dat": []]) { e, dir in XCTAssertEqual(e, .emptyFile(path: dir + "/ratings.dat")) }
        try assertError(["u.data": Array("\n\n".utf8)]) { e, dir in
            XCTAssertEqual(e, .noUsableRows(path: dir + "/u.data", line: 1, reason: "empty line"))
        }
        // An empty optional file is fine: it simply has no rows.
        let r = try load(["ratings.csv": Array((header + good).utf8), "tags.csv": []])
        XCTAssertEqual(r.report.files["tags"]?.read, 0)
        XCTAssertEqual(r.dataset.ratingCount, 2)
    }

    func testWrongHeader() throws {
        try assertError(["ratings.csv": Array("user,item,score,time\n1,2,3,4\n".utf8)]) { e, dir in
            XCTAssertEqual(e, .notMovieLens(path: dir + "/ratings.csv", line: 1,
                                            reason: "header is \"user,item,score,time\", expected \"userId,movieId,rating,timestamp\""))
        }
    }

    func testBinaryJunk() throws {
        // A junk line inside a good file is counted.
        var bytes = Array((header + good).utf8) + [0, 1, 2, 255, 254, 0, 10] + Array("3,10,5.0,1000000002\n".utf8)
        var r = try load(["ratings.csv": bytes])
        XCTAssertEqual(r.report.files["ratings"]?.dropped, ["binary data (NUL or control bytes)": 1])
        XCTAssertEqual(r.report.files["ratings"]?.examples(.binaryData), [4])
        XCTAssertEqual(r.dataset.ratingCount, 3)
        // A whole file of junk after a valid header is an error naming its first line.
        var rng = SplitMix64(seed: 7)
        bytes = Array(header.utf8) + (0..<5000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try assertError(["ratings.csv": bytes]) { e, dir in
            guard case .noUsableRows(let path, let line, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(path, dir + "/ratings.csv")
            XCTAssertEqual(line, 2)
        }
        // Junk named ratings.dat is not a MovieLens file.
        bytes = (0..<5000).map { _ in UInt8(truncatingIfNeeded: rng.next()) | 0x80 }
        try assertError(["ratings.dat": bytes]) { e, dir in
            XCTAssertEqual(e, .notMovieLens(path: dir + "/ratings.dat", line: 1,
                                            reason: "expected fields separated by '::' (ml-1m, ml-10m) or '|' (seed set)"))
        }
        // NUL inside a movie title.
        r = try load(["ratings.csv": Array((header + good).utf8),
                      "movies.csv": Array("movieId,title,genres\n10,Heat (1995),Action\n11,Bad\u{0}Title (1995),Drama\n".utf8)])
        XCTAssertEqual(r.report.files["movies"]?.dropped, ["binary data (NUL or control bytes)": 1])
    }

    func testTruncatedLastLine() throws {
        let r = try load(["ratings.csv": Array((header + good + "3,10,4").utf8)])
        let f = try XCTUnwrap(r.report.files["ratings"])
        XCTAssertEqual(f.dropped, ["truncated last line": 1])
        XCTAssertEqual(f.examples(.truncatedLastLine), [4])
        XCTAssertEqual(r.dataset.ratingCount, 2)
        // The same line in the middle of the file is a plain wrong field count.
        let mid = try load(["ratings.csv": Array((header + "3,10,4\n" + good).utf8)])
        XCTAssertEqual(mid.report.files["ratings"]?.dropped, ["wrong field count": 1])
        // A last line without a newline that parses is kept.
        let ok = try load(["ratings.csv": Array((header + good + "3,10,4.0,1000000003").utf8)])
        XCTAssertEqual(ok.dataset.ratingCount, 3)
        XCTAssertEqual(ok.report.files["ratings"]?.droppedRows, 0)
    }

    func testTenMegabyteLine() throws {
        let long = String(repeating: "9", count: 10 << 20)
        let r = try load(["ratings.csv": Array((header + good + long + "\n" + "3,10,5.0,1000000002\n").utf8),
                          "movies.csv": Array(("movieId,title,genres\n10,\"" + long + "\",Drama\n10,Heat (1995),Drama\n").utf8)])
        XCTAssertEqual(r.report.files["ratings"]?.dropped, ["line too long": 1])
        XCTAssertEqual(r.report.files["ratings"]?.examples(.lineTooLong), [4])
        XCTAssertEqual(r.dataset.ratingCount, 3)
        XCTAssertEqual(r.report.files["movies"]?.dropped, ["line too long": 1])
    }

    func testInvalidUTF8() throws {
        let movies = Array("movieId,title,genres\n10,".utf8) + [0x4E, 0xE4, 0x69, 0x76, 0x65] + Array(" (1999),Drama\n".utf8)
        let r = try load(["ratings.csv": Array((header + good).utf8), "movies.csv": movies])
        XCTAssertEqual(r.dataset.titles, ["Näive (1999)"])
        XCTAssertEqual(r.report.files["movies"]?.repaired, ["invalid UTF-8 (decoded as latin-1)": 1])
        // In a numeric field it is just a bad number.
        let bad = try load(["ratings.csv": Array((header + good).utf8) + [0x33, 0x2C, 0x31, 0x30, 0x2C, 0xFF, 0x2C, 0x31, 0x0A]])
        XCTAssertEqual(bad.report.files["ratings"]?.dropped, ["rating not a number": 1])
    }

    /// Ids must be positive and below 2^31 (MovieLens ids are below a million).
    func testIdRange() throws {
        let r = try load(["ratings.csv": Array((header + good + "2147483648,10,4.0,1000000000\n0,10,4.0,1000000000\n2147483647,10,4.0,1000000000\n").utf8)])
        XCTAssertEqual(r.report.files["ratings"]?.dropped, ["user id not a positive integer": 2])
        XCTAssertEqual(r.dataset.userIds, [1, 2, 2_147_483_647])
    }

    func testUnterminatedQuoteAndRaggedRows() throws {
        let r = try load(["ratings.csv": Array((header + good).utf8),
                          "movies.csv": Array("movieId,title,genres\n10,\"Open (1995),Drama\n11,A (1995),Drama,Extra\n12,B (1995)\n10,Heat (1995),Drama\n".utf8)])
        XCTAssertEqual(r.report.files["movies"]?.dropped, ["unterminated quote": 1, "wrong field count": 2])
    }

    /// Random corruption of a valid release never crashes, and every report it produces balances.
    func testFuzzedInputsNeverCrash() throws {
        let base: [String: [UInt8]] = [
            "ratings.dat": Array("1|10|5.0|978300760\n1|20|3.0|978302109\n2|10|4.0|978300761\n2|20|2.0|978300762\n".utf8),
            "users.dat": Array("1|F|25.0|10|48067\n2|M|18.0|3|11111\n".utf8),
            "movies.dat": Array("10|Toy Story (1995)|\"Animation|Comedy\"\n20|Heat (1995)|Action\n".utf8),
        ]
        var rng = SplitMix64(seed: 42)
        var loaded = 0, rejected = 0
        for _ in 0..<200 {
            var files = base
            for name in base.keys.sorted() where rng.next() % 2 == 0 {
                var bytes = files[name] ?? []
                for _ in 0..<(1 + Int(rng.next() % 6)) where !bytes.isEmpty {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    switch rng.next() % 4 {
                    case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: bytes.remove(at: at)
                    case 2: bytes.insert(UInt8(truncatingIfNeeded: rng.next() % 128), at: at)
                    default: bytes = Array(bytes[..<at])
                    }
                }
                files[name] = bytes
            }
            do {
                let r = try load(files)
                XCTAssertTrue(r.report.isBalanced)
                try r.dataset.validate()
                loaded += 1
            } catch is MovieLensError {
                rejected += 1
            }
        }
        XCTAssertEqual(loaded + rejected, 200)
        XCTAssertGreaterThan(loaded, 60)
    }
}
