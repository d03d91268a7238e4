import XCTest
import Runtime
import TestSupport
@testable import MovieLens

/// The parallel ratings parse: many small chunks give exactly what one chunk gives — rows,
/// line numbers, counts and examples — whatever the thread count.
final class ChunkedParseTests: XCTestCase {
    private func compare(_ path: String, layout: ReleaseLayout, header: Bool) throws {
        let bytes = try FileBytes.read(path)
        try bytes.withUnsafeBufferPointer { b in
            let start = try MovieLensReader.dataStart(b, path: path, header: header ? "userId,movieId,rating,timestamp" : nil)
            let (one, oneReport) = RatingsParser.parse(b, from: start.offset, firstLine: start.line, layout: layout, threads: 1)
            XCTAssertGreaterThan(one.count, 1000)
            for (threads, chunk) in [(2, 4096), (3, 10_000), (4, 777), (7, 65_536)] {
                let (many, manyReport) = RatingsParser.parse(b, from: start.offset, firstLine: start.line, layout: layout,
                                                             threads: threads, chunkBytes: chunk)
                XCTAssertEqual(many.user, one.user, "threads \(threads) chunk \(chunk)")
                XCTAssertEqual(many.movie, one.movie)
                XCTAssertEqual(many.value, one.value)
                XCTAssertEqual(many.time, one.time)
                XCTAssertEqual(many.firstLine, one.firstLine)
                XCTAssertEqual(many.droppedLines, one.droppedLines)
                XCTAssertEqual(manyReport, oneReport)
            }
        }
        // The same file memory-mapped and populated chunk by chunk by the parsing threads
        // (`prefault`, as `MovieLensReader` does for large files): identical rows and report.
        let mapped = try MappedFile(path, mapAtLeast: 1)
        XCTAssertTrue(mapped.isMapped)
        let (one, oneReport) = try bytes.withUnsafeBufferPointer { b in
            let start = try MovieLensReader.dataStart(b, path: path, header: header ? "userId,movieId,rating,timestamp" : nil)
            return RatingsParser.parse(b, from: start.offset, firstLine: start.line, layout: layout, threads: 1)
        }
        try mapped.withBytes { b in
            let start = try MovieLensReader.dataStart(b, path: path, header: header ? "userId,movieId,rating,timestamp" : nil)
            for (threads, chunk) in [(1, 4 << 20), (2, 5000), (3, 65_536)] {
                let (many, manyReport) = RatingsParser.parse(b, from: start.offset, firstLine: start.line, layout: layout,
                                                             threads: threads, chunkBytes: chunk, prefault: true)
                XCTAssertEqual(many.user, one.user, "mapped, threads \(threads) chunk \(chunk)")
                XCTAssertEqual(many.movie, one.movie)
                XCTAssertEqual(many.value, one.value)
                XCTAssertEqual(many.time, one.time)
                XCTAssertEqual(many.droppedLines, one.droppedLines)
                XCTAssertEqual(manyReport, oneReport)
            }
        }
    }

    func testSeedRatingsInManyChunks() throws {
        guard let dir = TestData.path("seed-ml1m-dirty") else { throw XCTSkip(TestData.missingMessage("seed-ml1m-dirty")) }
        try compare(dir + "/ratings.dat", layout: ReleaseLayout.layout(for: .seedPipe, directory: dir), header: false)
    }

    func testLatestSmallRatingsInManyChunks() throws {
        guard let dir = TestData.path("ml-latest-small") else { throw XCTSkip(TestData.missingMessage("ml-latest-small")) }
        try compare(dir + "/ratings.csv", layout: ReleaseLayout.layout(for: .latestCSV, directory: dir), header: true)
    }

    /// `line(ofRow:)` against a naive walk: lines 2… of a file where some lines were dropped.
    func testLineOfRowMatchesANaiveWalk() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<200 {
            let lines = Int(rng.next() % 40) + 1
            var kept: [Int] = [], dropped: [Int] = []
            for l in 2..<(2 + lines) { if rng.next() % 3 == 0 { dropped.append(l) } else { kept.append(l) } }
            let raw = RawRatings(firstLine: 2, droppedLines: dropped)
            for (k, l) in kept.enumerated() { XCTAssertEqual(raw.line(ofRow: k), l, "dropped \(dropped)") }
        }
    }

    /// Line numbers of kept rows are their real line numbers (checked against a naive split).
    func testLineNumbersAreReal() throws {
        guard let dir = TestData.path("seed-ml1m-dirty") else { throw XCTSkip(TestData.missingMessage("seed-ml1m-dirty")) }
        let path = dir + "/ratings.dat"
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let bytes = try FileBytes.read(path)
        let (rows, _) = bytes.withUnsafeBufferPointer {
            RatingsParser.parse($0, from: 0, firstLine: 1, layout: ReleaseLayout.layout(for: .seedPipe, directory: dir),
                                threads: 3, chunkBytes: 5000)
        }
        XCTAssertFalse(rows.droppedLines.isEmpty)
        for k in stride(from: 0, to: rows.count, by: 97) {
            let fields = lines[rows.line(ofRow: k) - 1].split(separator: "|")
            XCTAssertEqual(Int32(fields[0]), rows.user[k])
            XCTAssertEqual(Int32(fields[1]), rows.movie[k])
            XCTAssertEqual(Int64(fields[3]), rows.time[k])
        }
    }
}
