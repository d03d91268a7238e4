import Foundation
import XCTest
@testable import MovieLens
import Runtime
import TestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class CacheTests: XCTestCase {
    // MARK: fixtures

    private let scratch = TemporaryDirectories()

    override func tearDown() {
        scratch.removeAll()
        super.tearDown()
    }

    private func tempDir() throws -> URL {
        let url = try scratch.make("movierec-cache")
        return url
    }

    /// A small ml-latest style release with a few defects (so the report is not trivial):
    /// 3,000 ratings (~75 KB, larger than 64 KiB so edge hashing has a middle), movies, tags, links.
    private func makeRelease(in parent: URL, name: String = "tiny") throws -> String {
        let dir = parent.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var ratings = "userId,movieId,rating,timestamp\n"
        var i = 0
        for u in 1...60 {
            for k in 0..<50 {
                let movie = (u * 7 + k * 13) % 120 + 1
                ratings += "\(u),\(movie),\(Double((u + k) % 10 + 1) / 2),\(1_100_000_000 + i * 17)\n"
                i += 1
            }
        }
        ratings += "61,5,7.5,1100000000\n"          // rating out of range → dropped
        ratings += "62,abc,4.0,1100000000\n"        // bad movie id → dropped
        var movies = "movieId,title,genres\n"
        for m in 1...120 { movies += "\(m),\"Movie \(m), The (\(1950 + m % 60))\",\(m % 3 == 0 ? "Comedy|Drama" : "Action")\n" }
        movies += "121,Untitled,(no genres listed)\n"
        var tags = "userId,movieId,tag,timestamp\n"
        for t in 0..<40 { tags += "\(t % 60 + 1),\(t % 120 + 1),tag \(t) é,\(1_200_000_000 + t)\n" }
        var links = "movieId,imdbId,tmdbId\n"
        for m in 1...121 { links += "\(m),\(100_000 + m),\(m % 10 == 0 ? "" : String(500 + m))\n" }
        for (file, text) in [("ratings.csv", ratings), ("movies.csv", movies), ("tags.csv", tags), ("links.csv", links)] {
            try Data(text.utf8).write(to: dir.appendingPathComponent(file))
        }
        return dir.path
    }

    /// A copy of a shared data set in a writable temporary directory.
    private func copyOf(_ name: String) throws -> String {
        guard let source = TestData.path(name) else { throw XCTSkip(TestData.missingMessage(name)) }
        let dest = try tempDir().appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dest, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: source) where !file.hasPrefix(".") {
            let data = try Data(contentsOf: URL(fileURLWithPath: source).appendingPathComponent(file))
            try data.write(to: dest.appendingPathComponent(file))
        }
        return dest.path
    }

    private func userCache() throws -> String { try tempDir().appendingPathComponent("user-cache").path }

    private func assertWritten(_ load: DatasetCache.Load, miss expected: String, file: StaticString = #filePath, line: UInt = #line) {
        guard case .written(_, let miss) = load.status else {
            return XCTFail("expected a rebuilt cache, got \(load.status)", file: file, line: line)
        }
        switch (miss, expected) {
        case (.absent, "absent"), (.stale, "stale"), (.corrupt, "corrupt"): break
        default: XCTFail("expected a \(expected) miss, got \(miss)", file: file, line: line)
        }
    }

    // MARK: round trip

    func testCachedLoadEqualsParsedLoadOnMLLatestSmall() throws {
        let dir = try copyOf("ml-latest-small")
        let parsed = try MovieLensReader.load(directory: dir)
        let first = try DatasetCache.load(directory: dir, userCacheDirectory: try userCache())
        assertWritten(first, miss: "absent")
        XCTAssertEqual(first.status, .written(path: dir + "/.movierec-cache-v1.bin", miss: .absent))
        XCTAssertEqual(first.result, parsed)
        let second = try DatasetCache.load(directory: dir, userCacheDirectory: try userCache())
        XCTAssertEqual(second.status, .hit(path: dir + "/.movierec-cache-v1.bin"))
        XCTAssertEqual(second.result, parsed, "a cached load must give the identical LoadResult")
        XCTAssertEqual(second.result.dataset.fingerprint, parsed.dataset.fingerprint)
        XCTAssertEqual(second.result.dataset.ratingCount, 100_836)
        // Another spelling of the directory hits the same cache and reports that spelling, as a parse would.
        let slash = try DatasetCache.load(directory: dir + "/", userCacheDirectory: try userCache())
        XCTAssertTrue(slash.cacheHit)
        XCTAssertEqual(slash.result, try MovieLensReader.load(directory: dir + "/"))
        // The rating columns are stored raw (20 bytes a row, mapped in place on load, layout 5),
        // so the cache is no longer smaller than ratings.csv; the rest stays compact: smaller
        // than the other CSVs it replaces, plus page alignment.
        func size(_ name: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: dir + "/" + name)[.size] as? NSNumber)?.intValue ?? -1
        }
        let cacheSize = try size(".movierec-cache-v1.bin")
        let rawRatings = 20 * parsed.dataset.ratingCount
        let others = try size("movies.csv") + size("tags.csv") + size("links.csv")
        XCTAssertGreaterThan(cacheSize, rawRatings)
        XCTAssertLessThan(cacheSize, rawRatings + others + 8 * CacheFile.pageAlignment)
    }

    func testCachedLoadEqualsParsedLoadOnDirtySeedWithDemographicsAndReport() throws {
        let dir = try copyOf("seed-ml1m-dirty")
        let parsed = try MovieLensReader.load(directory: dir)
        XCTAssertTrue(parsed.dataset.hasDemographics)
        XCTAssertFalse(parsed.report.files.values.allSatisfy { $0.dropped.isEmpty }, "the dirty seed should have drops")
        _ = try DatasetCache.load(directory: dir, userCacheDirectory: try userCache())
        let cached = try DatasetCache.load(directory: dir, userCacheDirectory: try userCache())
        XCTAssertTrue(cached.cacheHit)
        XCTAssertEqual(cached.result.report, parsed.report)
        XCTAssertEqual(cached.result, parsed)
    }

    func testUseCacheFalseParsesAndWritesNothing() throws {
        let dir = try makeRelease(in: try tempDir())
        let load = try DatasetCache.load(directory: dir, useCache: false, userCacheDirectory: try userCache())
        XCTAssertEqual(load.status, .disabled)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/.movierec-cache-v1.bin"))
        XCTAssertEqual(load.result, try MovieLensReader.load(directory: dir))
    }

    // MARK: column codec

    func testColumnCodecRoundTripsEveryWidthAndEdgeValue() throws {
        var w = BinaryWriter()
        let i64: [[Int64]] = [[], [42], [-5, -5, -5], [0, 255], [0, 256], [-1, 65_535], [1, 70_000, -3], [0, 5_000_000_000],
                              [Int64.min, Int64.max], [Int64.min, 0], [964_982_703, 1_537_799_250],
                              (0..<1000).map { Int64($0 / 100) }, (0..<640).map { $0 % 80 < 79 ? 5 : Int64($0) },
                              [Int64](repeating: -7, count: 500) + [Int64.max]]
        let i16: [Int16] = [Int16.min, -1, 0, 1, Int16.max]
        let u32: [UInt32] = [0, UInt32.max, 7]
        let u8: [UInt8] = [0, 1, 2, 255]
        let floats: [[Float]] = [[0.5, 5, 3.5, 0], [1.25, 4], [-0.0, 1], [Float.nan], [127.5, 128], []]
        let strings: [[String]] = [[], [""], ["", "a", ""], ["Amélie (2001)", "東京物語", "x\u{0}y", String(repeating: "z", count: 300)]]
        for a in i64 { ColumnCodec.write(ints: a, to: &w) }
        ColumnCodec.write(ints: i16, to: &w)
        ColumnCodec.write(ints: u32, to: &w)
        ColumnCodec.write(ints: u8, to: &w)
        for a in floats { ColumnCodec.write(floats: a, to: &w) }
        for a in strings { ColumnCodec.write(strings: a, to: &w) }
        let data = w.data
        try data.withUnsafeBytes { raw in
            var r = ColumnReader(raw, section: "test")
            for a in i64 { XCTAssertEqual(try r.ints(Int64.self, "i64"), a) }
            XCTAssertEqual(try r.ints(Int16.self, "i16"), i16)
            XCTAssertEqual(try r.ints(UInt32.self, "u32"), u32)
            XCTAssertEqual(try r.ints(UInt8.self, "u8"), u8)
            for a in floats {
                XCTAssertEqual(try r.floats("f").map(\.bitPattern), a.map(\.bitPattern), "floats \(a) must round-trip bit for bit")
            }
            for a in strings { XCTAssertEqual(try r.strings("s"), a) }
            XCTAssertEqual(r.remaining, 0)
        }
        // Narrowing actually happens: 1,000 timestamps within a day take ~4 bytes each, not 8.
        var t = BinaryWriter()
        ColumnCodec.write(ints: (0..<1000).map { Int64(1_500_000_000 + $0 * 80) }, to: &t)
        XCTAssertLessThan(t.data.count, 1000 * 4 + 32)
        // Long runs (ratings sorted by user) are run-length encoded: ~10 runs cost far less than 1,000 values.
        var runs = BinaryWriter()
        ColumnCodec.write(ints: (0..<1000).map { Int32($0 / 100) }, to: &runs)
        XCTAssertLessThan(runs.data.count, 200)
        var f = BinaryWriter()
        ColumnCodec.write(floats: [Float](repeating: 3.5, count: 1000), to: &f)
        XCTAssertLessThan(f.data.count, 1000 + 16)
    }

    func testColumnReaderRejectsEveryTruncationWithoutTrapping() throws {
        var w = BinaryWriter()
        ColumnCodec.write(ints: [Int64](0..<300).map { $0 * 1000 }, to: &w)
        ColumnCodec.write(ints: [Int32](0..<300).map { $0 / 50 }, to: &w)
        ColumnCodec.write(strings: ["alpha", "beta", "gamma"], to: &w)
        ColumnCodec.write(floats: [1, 2.5, 0.1], to: &w)
        let full = w.data
        for cut in 0..<full.count {
            let prefix = full.prefix(cut)
            prefix.withUnsafeBytes { raw in
                var r = ColumnReader(raw, section: "cut")
                do {
                    _ = try r.ints(Int64.self, "a")
                    _ = try r.ints(Int32.self, "runs")
                    _ = try r.strings("b")
                    _ = try r.floats("c")
                    XCTFail("a buffer cut at \(cut) of \(full.count) bytes must not decode")
                } catch {}
            }
        }
    }

    func testIntsWithBoundsGivesTheColumnAndItsNaiveMinAndMaxForEveryEncoding() throws {
        // Long enough for the parallel decode (ColumnReader.parallelMinimum rows), in every
        // encoding: runs, offsets of 1, 2 and 4 bytes, the native layout; and an empty column.
        let n = ColumnReader.parallelMinimum * 3 + 17
        let runs: [Int32] = (0..<n).map { (i: Int) -> Int32 in Int32(i / 1000) - 3 }                  // runs (sorted users)
        let bytes: [Int32] = (0..<n).map { (i: Int) -> Int32 in Int32((i &* 7919) % 200) + 5 }         // 1-byte offsets
        let shorts: [Int32] = (0..<n).map { (i: Int) -> Int32 in Int32((i &* 7919) % 60_000) - 1 }     // 2-byte offsets
        let words: [Int32] = (0..<n).map { (i: Int) -> Int32 in Int32((i &* 104_729) % 3_000_000) * 500 }  // 4-byte offsets
        let native: [Int32] = (0..<n).map { (i: Int) -> Int32 in
            i % 2 == 0 ? Int32.min + Int32(i % 9) : Int32.max - Int32(i % 5)
        }
        let columns: [[Int32]] = [runs, bytes, shorts, words, native, []]
        var w = BinaryWriter()
        for c in columns { ColumnCodec.write(ints: c, to: &w) }
        for threads in [1, 2, 3] {
            try w.data.withUnsafeBytes { raw in
                var r = ColumnReader(raw, section: "bounds", threads: threads)
                for (k, c) in columns.enumerated() {
                    let (values, bounds) = try r.intsWithBounds(Int32.self, "c\(k)")
                    XCTAssertEqual(values, c, "column \(k), \(threads) threads")
                    let naive = c.isEmpty ? (Int64.max, Int64.min) : (Int64(c.min() ?? 0), Int64(c.max() ?? 0))
                    XCTAssertEqual(bounds.0, naive.0, "column \(k) minimum, \(threads) threads")
                    XCTAssertEqual(bounds.1, naive.1, "column \(k) maximum, \(threads) threads")
                }
                XCTAssertEqual(r.remaining, 0)
            }
        }
    }

    func testCacheWithAnOutOfRangeRatingIndexIsRejected() throws {
        // The cache reader checks the rating index columns with the bounds it notes while
        // checksumming them (validate() does not scan them again): a file whose user or movie
        // column points past the users/movies must be refused, whatever the checksums say.
        let dir = try tempDir()
        let rows = 3000
        func dataset(user: (Int) -> Int32, movie: (Int) -> Int32) -> Dataset {
            Dataset(format: .latestCSV, userIds: (1...30).map { Int64($0) }, movieIds: (1...100).map { Int64($0 * 10) },
                    ratingUser: Column((0..<rows).map(user)), ratingMovie: Column((0..<rows).map(movie)),
                    ratingValue: Column(repeating: 4, count: rows), ratingTime: Column((0..<rows).map { Int64(1_000_000_000 + $0) }),
                    titles: [String](repeating: "t", count: 100), years: [Int16](repeating: 1999, count: 100),
                    genres: [UInt32](repeating: 0, count: 100), genreNames: [])
        }
        let good = dataset(user: { Int32($0 / 100) }, movie: { Int32($0 % 100) })
        let cases: [(String, Dataset)] = [
            ("good", good),
            ("user index = user count (runs)", dataset(user: { $0 == rows - 1 ? 30 : Int32($0 / 100) }, movie: { Int32($0 % 100) })),
            ("negative user index (runs)", dataset(user: { $0 == 0 ? -1 : Int32($0 / 100) }, movie: { Int32($0 % 100) })),
            ("movie index = movie count (packed)", dataset(user: { Int32($0 / 100) }, movie: { $0 == 1234 ? 100 : Int32($0 % 100) })),
            ("negative movie index (packed)", dataset(user: { Int32($0 / 100) }, movie: { $0 == 77 ? -1 : Int32($0 % 100) })),
        ]
        for (name, d) in cases {
            let result = LoadResult(dataset: d, report: CleaningReport(format: .latestCSV, directory: dir.path, files: [:]))
            let data = CacheFile.encode(producer: "test", format: .latestCSV, sources: [],
                                        sections: try DatasetCodec.sections(of: result))
            let path = dir.appendingPathComponent("c.bin").path
            try data.write(to: URL(fileURLWithPath: path))
            let file = try CacheFile.open(path: path)
            defer { close(file.fd) }
            for threads in [1, 2] {
                let mapped = try CacheFile.map(file)
                let decoded = Result { try DatasetCodec.decode(mapped, header: file.header, threads: threads) }
                if name == "good" {
                    XCTAssertEqual(try decoded.get().dataset, d, "\(threads) threads")
                } else {
                    XCTAssertThrowsError(try decoded.get(), "\(name), \(threads) threads") { error in
                        XCTAssertTrue("\(error)".contains("out of range"), "\(name): \(error)")
                    }
                }
            }
        }
    }

    // MARK: staleness

    func testChangedSourceMakesTheCacheStale() throws {
        let dir = try makeRelease(in: try tempDir())
        let ratings = dir + "/ratings.csv"
        let users = try userCache()
        assertWritten(try DatasetCache.load(directory: dir, userCacheDirectory: users), miss: "absent")
        XCTAssertTrue(try DatasetCache.load(directory: dir, userCacheDirectory: users).cacheHit)

        // 1. Appending rows changes the size: rebuilt, and the new rows are there.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: ratings))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("60,119,5.0,1200000000\n".utf8))
        try handle.close()
        let appended = try DatasetCache.load(directory: dir, userCacheDirectory: users)
        assertWritten(appended, miss: "stale")
        XCTAssertEqual(appended.result, try MovieLensReader.load(directory: dir))
        XCTAssertTrue(try DatasetCache.load(directory: dir, userCacheDirectory: users).cacheHit)

        // 2. Touching (new mtime, same bytes) is enough to distrust the cache.
        try setModificationTime(ratings, seconds: 1_000_000_000)
        assertWritten(try DatasetCache.load(directory: dir, userCacheDirectory: users), miss: "stale")

        // 3. Same size, same mtime, different bytes near the start: caught by the edge checksum.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: ratings))
        guard let firstNewline = bytes.firstIndex(of: 10) else { return XCTFail("no header line") }
        // "1,8,…" → "2,8,…" in the first data row keeps the length.
        XCTAssertEqual(bytes[firstNewline + 1], UInt8(ascii: "1"))
        bytes[firstNewline + 1] = UInt8(ascii: "2")
        try bytes.write(to: URL(fileURLWithPath: ratings))
        try setModificationTime(ratings, seconds: 1_000_000_000)
        let edited = try DatasetCache.load(directory: dir, userCacheDirectory: users)
        assertWritten(edited, miss: "stale")
        XCTAssertEqual(edited.result, try MovieLensReader.load(directory: dir))

        // 4. Removing a file (tags.csv) changes what the reader sees.
        try FileManager.default.removeItem(atPath: dir + "/tags.csv")
        let noTags = try DatasetCache.load(directory: dir, userCacheDirectory: users)
        assertWritten(noTags, miss: "stale")
        XCTAssertEqual(noTags.result.dataset.tagCount, 0)
        XCTAssertEqual(noTags.result, try MovieLensReader.load(directory: dir))
    }

    private func setModificationTime(_ path: String, seconds: Int) throws {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        guard utimensat(AT_FDCWD, path, &times, 0) == 0 else { throw FileError.cannotWrite(path: path, reason: "utimensat failed") }
    }

    // MARK: corruption

    func testCorruptedOrTruncatedCacheIsRebuiltNeverTrusted() throws {
        let dir = try makeRelease(in: try tempDir())
        let users = try userCache()
        let cachePath = dir + "/.movierec-cache-v1.bin"
        let parsed = try MovieLensReader.load(directory: dir)
        _ = try DatasetCache.load(directory: dir, userCacheDirectory: users)
        let good = try Data(contentsOf: URL(fileURLWithPath: cachePath))
        XCTAssertGreaterThan(good.count, 1000)

        // Flip one bit at positions spread over the whole file (prefix, header, every section).
        var positions = Array(stride(from: 0, to: good.count, by: max(1, good.count / 40)))
        positions += [0, 8, 12, 20, good.count / 2, good.count - 1]
        var damaged: [Data] = positions.map { p in var d = good; d[p] ^= 0x10; return d }
        // Truncations, an empty file, garbage of the same size.
        damaged += [good.prefix(good.count / 2), good.prefix(10), Data(), good.prefix(good.count - 1)]
        damaged.append(Data((0..<good.count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }))
        // Trailing junk.
        damaged.append(good + Data([1, 2, 3]))

        for (i, bad) in damaged.enumerated() {
            try bad.write(to: URL(fileURLWithPath: cachePath))
            let load = try DatasetCache.load(directory: dir, userCacheDirectory: users)
            XCTAssertFalse(load.cacheHit, "damaged cache #\(i) was trusted")
            assertWritten(load, miss: "corrupt")
            XCTAssertEqual(load.result, parsed, "damaged cache #\(i)")
            // …and the rebuilt cache is good again.
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: cachePath)), good, "cache #\(i) was not rebuilt identically")
        }
        XCTAssertTrue(try DatasetCache.load(directory: dir, userCacheDirectory: users).cacheHit)
    }

    // MARK: read-only directories

    func testReadOnlyDirectoryFallsBackToTheUserCache() throws {
        let dir = try makeRelease(in: try tempDir())
        let users = try userCache()
        XCTAssertEqual(chmod(dir, 0o555), 0)
        let parsed = try MovieLensReader.load(directory: dir)
        let first = try DatasetCache.load(directory: dir, userCacheDirectory: users)
        guard case .written(let path, _) = first.status else { return XCTFail("\(first.status)") }
        XCTAssertTrue(path.hasPrefix(users + "/"), path)
        XCTAssertTrue(URL(fileURLWithPath: path).lastPathComponent.hasPrefix("tiny-"), path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/.movierec-cache-v1.bin"), "a read-only directory must not be written")
        let second = try DatasetCache.load(directory: dir, userCacheDirectory: users)
        XCTAssertEqual(second.status, .hit(path: path))
        XCTAssertEqual(second.result, parsed)
        // Two read-only directories with the same name get different cache files.
        let other = try makeRelease(in: try tempDir())
        XCTAssertNotEqual(DatasetCache.cachePaths(directory: other, userCacheDirectory: users)[1], path)
    }

    func testNowhereToWriteStillLoads() throws {
        let dir = try makeRelease(in: try tempDir())
        XCTAssertEqual(chmod(dir, 0o555), 0)
        // The per-user cache "directory" is below a regular file: it cannot be created.
        let blocker = try tempDir().appendingPathComponent("a-file")
        try Data("x".utf8).write(to: blocker)
        let load = try DatasetCache.load(directory: dir, userCacheDirectory: blocker.path + "/cache")
        guard case .unwritable(let miss, let reason) = load.status else { return XCTFail("\(load.status)") }
        XCTAssertEqual(miss, .absent)
        XCTAssertTrue(reason.contains("read-only"), reason)
        XCTAssertEqual(load.result, try MovieLensReader.load(directory: dir))
    }

    func testUnwritablePrimaryPathFallsBack() throws {
        // A directory squatting on the cache's file name: the atomic rename onto it fails.
        let dir = try makeRelease(in: try tempDir())
        try FileManager.default.createDirectory(atPath: dir + "/.movierec-cache-v1.bin/x", withIntermediateDirectories: true)
        let users = try userCache()
        let first = try DatasetCache.load(directory: dir, userCacheDirectory: users)
        guard case .written(let path, _) = first.status else { return XCTFail("\(first.status)") }
        XCTAssertTrue(path.hasPrefix(users + "/"), path)
        let second = try DatasetCache.load(directory: dir, userCacheDirectory: users)
        XCTAssertEqual(second.status, .hit(path: path))
        XCTAssertEqual(second.result, first.result)
    }
}
