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

/// The cache reader's single pass (each chunk checksummed piece by piece just before the rows
/// encoded in it are decoded, on several threads, tasks handed out dynamically): identical
/// results for every column encoding and thread count, every damaged chunk caught.
final class CachePassTests: XCTestCase {
    private let scratch = TemporaryDirectories()

    override func tearDown() {
        scratch.removeAll()
        super.tearDown()
    }

    private func tempDir() throws -> URL {
        let url = try scratch.make("movierec-cachepass")
        return url
    }

    /// A generated data set of `rows` ratings. `sortedUsers`: ratings grouped by user (the user
    /// column is run-length encoded) — else users are scattered (packed offsets). `wideTimes`:
    /// timestamps spanning more than 2³² seconds (stored natively) — else within ~20 years (4-byte
    /// offsets). `halfStars`: ratings are half stars (one byte each) — else arbitrary floats
    /// (stored natively). Movies, tags, demographics and links are all present, with non-ASCII text.
    private func dataset(rows: Int, sortedUsers: Bool, wideTimes: Bool, halfStars: Bool, seed: UInt64) -> Dataset {
        var rng = SplitMix64(seed: seed)
        let users = 700, movies = 3000
        let ratingUser: [Int32] = (0..<rows).map { sortedUsers ? Int32($0 * users / rows) : Int32(rng.next() % UInt64(users)) }
        let ratingMovie: [Int32] = (0..<rows).map { _ in Int32(rng.next() % UInt64(movies)) }
        let ratingValue: [Float] = (0..<rows).map { _ in
            halfStars ? Float(rng.next() % 10 + 1) * 0.5 : Float(rng.next() % 1000) / 7 - 3
        }
        let ratingTime: [Int64] = (0..<rows).map { _ in
            wideTimes ? Int64(bitPattern: rng.next() % (1 << 40)) - (1 << 39) : 800_000_000 + Int64(rng.next() % 700_000_000)
        }
        let tagCount = 500
        return Dataset(
            format: .dat,
            userIds: (0..<users).map { Int64($0 * 3 + 1) }, movieIds: (0..<movies).map { Int64($0 * 2 + 5) },
            ratingUser: Column(ratingUser), ratingMovie: Column(ratingMovie), ratingValue: Column(ratingValue), ratingTime: Column(ratingTime),
            titles: (0..<movies).map { $0 % 7 == 0 ? "Amélie \($0) (2001)" : "Movie \($0), The (19\($0 % 90 + 10))" },
            years: (0..<movies).map { Int16(1900 + $0 % 120) }, genres: (0..<movies).map { UInt32($0 % 512) },
            genreNames: (0..<9).map { "Genre \($0)" },
            userGender: (0..<users).map { UInt8($0 % 3) }, userAge: (0..<users).map { Int16($0 % 60) },
            userOccupation: (0..<users).map { Int16($0 % 21) }, userZip: (0..<users).map { "\(10_000 + $0 * 7)" },
            tagUser: (0..<tagCount).map { Int32($0 % users) }, tagMovie: (0..<tagCount).map { Int32($0 * 11 % movies) },
            tagText: (0..<tagCount).map { "tag \($0) 東京" }, tagTime: (0..<tagCount).map { Int64(1_100_000_000 + $0) },
            imdbIds: (0..<movies).map { Int64(100_000 + $0) }, tmdbIds: (0..<movies).map { Int64(-1 + $0 % 5) })
    }

    /// The cache file of `d` (its encoded bytes) written to a temporary file.
    private func cacheFile(of d: Dataset) throws -> (path: String, bytes: Data) {
        let result = LoadResult(dataset: d, report: CleaningReport(format: d.format, directory: "/generated", files: [:]))
        let data = CacheFile.encode(producer: "test", format: d.format, sources: [], sections: try DatasetCodec.sections(of: result))
        let path = try tempDir().appendingPathComponent("c.bin").path
        try data.write(to: URL(fileURLWithPath: path))
        return (path, data)
    }

    private func decode(_ path: String, threads: Int) throws -> LoadResult {
        let file = try CacheFile.open(path: path)
        defer { close(file.fd) }
        let mapped = try CacheFile.map(file)
        return try DatasetCodec.decode(mapped, header: file.header, threads: threads)
    }

    /// Several chunks, every encoding of every rating column (runs and packed users, packed and
    /// native times, one-byte and native ratings): the decoded data set equals the original for
    /// 1, 2 and 3 threads, and the body really spans several chunks and pieces.
    func testRoundTripIsIdenticalForEveryColumnKindAndThreadCount() throws {
        let rows = 1_600_000
        for (k, (sorted, wide, halves)) in [(true, false, true), (false, true, false)].enumerated() {
            let d = dataset(rows: rows, sortedUsers: sorted, wideTimes: wide, halfStars: halves, seed: UInt64(k) + 1)
            let (path, bytes) = try cacheFile(of: d)
            XCTAssertGreaterThan(bytes.count, 2 * CacheFile.chunkSize, "the body must span several chunks")
            for threads in [1, 2, 3] {
                let back = try decode(path, threads: threads)
                XCTAssertEqual(back.dataset, d, "data set \(k), \(threads) threads")
                XCTAssertEqual(back.dataset.ratingValue.map(\.bitPattern), d.ratingValue.map(\.bitPattern))
            }
        }
    }

    /// One flipped bit anywhere in any chunk of the body — in every rating section, at the start,
    /// middle and end of each chunk — is caught, with any thread count, and names the section.
    func testEveryDamagedChunkIsDetected() throws {
        let d = dataset(rows: 1_600_000, sortedUsers: true, wideTimes: false, halfStars: true, seed: 7)
        let (path, good) = try cacheFile(of: d)
        let file = try CacheFile.open(path: path)
        let bodyOffset = file.bodyOffset, header = file.header
        close(file.fd)
        let chunks = CacheFile.chunkRanges(header.bodyLength)
        XCTAssertGreaterThanOrEqual(chunks.count, 3)
        var positions: [Int] = []
        for c in chunks { positions += [c.lowerBound, c.lowerBound + c.count / 2 + 1, c.upperBound - 1] }
        for (_, range) in header.sections where !range.isEmpty { positions += [range.lowerBound, range.upperBound - 1] }
        for (i, p) in positions.enumerated() {
            var bad = good
            bad[bodyOffset + p] ^= 0x04
            try bad.write(to: URL(fileURLWithPath: path))
            let threads = i % 3 + 1
            XCTAssertThrowsError(try decode(path, threads: threads), "body byte \(p), \(threads) threads") { error in
                guard case .checksumMismatch(let where_)? = error as? BinaryFormatError else {
                    // A damaged column header may fail to decode first: still refused.
                    return XCTAssertTrue(error is BinaryFormatError, "body byte \(p): \(error)")
                }
                let section = header.sections.first { $0.value.contains(p) }?.key
                if let section, let c = chunks.firstIndex(where: { $0.contains(p) }),
                   header.sections.filter({ $0.value.overlaps(chunks[c]) }).count == 1 {
                    XCTAssertTrue(where_.contains(section), "body byte \(p) in \(section), reported \(where_)")
                }
            }
        }
        try good.write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try decode(path, threads: 2).dataset, d)
    }

    /// A cache written under an older layout version is never read: it is rebuilt from the data
    /// files, the rebuilt cache is then used, and it equals a fresh parse.
    func testOldVersionCacheIsRebuilt() throws {
        guard let source = TestData.path("ml-latest-small") else { throw XCTSkip(TestData.missingMessage("ml-latest-small")) }
        let dir = try tempDir().appendingPathComponent("small")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for f in try FileManager.default.contentsOfDirectory(atPath: source) where !f.hasPrefix(".") {
            try FileManager.default.copyItem(atPath: source + "/" + f, toPath: dir.appendingPathComponent(f).path)
        }
        let users = try tempDir().appendingPathComponent("user-cache").path
        let first = try DatasetCache.load(directory: dir.path, userCacheDirectory: users)
        guard case .written(let path, _) = first.status else { return XCTFail("expected a written cache, got \(first.status)") }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for old in [UInt32(1), 2, CacheFile.version - 1] {
            withUnsafeBytes(of: old.littleEndian) { for k in 0..<4 { bytes[8 + k] = $0[k] } }
            try bytes.write(to: URL(fileURLWithPath: path))
            let load = try DatasetCache.load(directory: dir.path, userCacheDirectory: users)
            XCTAssertFalse(load.cacheHit, "a version-\(old) cache was read")
            guard case .written(_, .corrupt(let why)) = load.status else { return XCTFail("version \(old): \(load.status)") }
            XCTAssertTrue(why.contains("version \(old)"), why)
            XCTAssertEqual(load.result, first.result)
            let again = try DatasetCache.load(directory: dir.path, userCacheDirectory: users)
            XCTAssertTrue(again.cacheHit, "the rebuilt cache is used")
            XCTAssertEqual(again.result, first.result)
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        }
    }

    /// Hashing a buffer piece by piece (any split into multiples of the block size, then the
    /// tail) gives `ChunkHash.hash` of the whole.
    func testStreamedHashEqualsTheWholeHash() {
        var rng = SplitMix64(seed: 11)
        for n in [0, 1, 127, 128, 129, 1000, 4096, 70_001] {
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            bytes.withUnsafeBytes { raw in
                let whole = ChunkHash.hash(raw)
                for piece in [128, 256, 384, 4096] {
                    var s = ChunkHash.Stream()
                    let blocks = n / 128 * 128
                    var x = 0
                    while x < blocks {
                        let y = min(blocks, x + piece)
                        s.absorb(UnsafeRawBufferPointer(rebasing: raw[x..<y]))
                        x = y
                    }
                    XCTAssertEqual(s.finish(tail: UnsafeRawBufferPointer(rebasing: raw[blocks...])), whole, "\(n) bytes in pieces of \(piece)")
                }
            }
        }
    }

    /// Any row range of a run-length encoded column decodes to the same rows (and bounds) as a
    /// naive expansion — ranges starting inside, at and across run boundaries.
    func testRunsDecodeAnyRowRange() throws {
        let column: [Int32] = (0..<5000).map { Int32(($0 / 37) % 50) - 20 }
        var w = BinaryWriter()
        ColumnCodec.write(ints: column, to: &w)
        try w.data.withUnsafeBytes { raw in
            var r = ColumnReader(raw, section: "runs", maxCount: column.count)
            let plan = try r.planInts(Int32.self, "c")
            guard case .runs = plan.encoding else { return XCTFail("expected runs") }
            var rng = SplitMix64(seed: 3)
            var out = [Int32](repeating: 99, count: column.count)
            for _ in 0..<300 {
                let a = Int(rng.next() % UInt64(column.count)), b = Int(rng.next() % UInt64(column.count + 1))
                let rows = min(a, b)..<max(a, b)
                let bounds = out.withUnsafeMutableBufferPointer { plan.decode(rows, from: raw, into: $0.baseAddress!) }
                XCTAssertEqual(Array(out[rows]), Array(column[rows]), "rows \(rows)")
                XCTAssertEqual(bounds.lo, column[rows].min() ?? .max)
                XCTAssertEqual(bounds.hi, column[rows].max() ?? .min)
            }
        }
    }


    /// The binary cleaning report: a report with repairs, drops and examples in several files
    /// round-trips exactly, encodes to the same bytes every time (sorted keys), and every
    /// truncation or leftover byte is refused.
    func testReportRoundTripsAndRejectsDamage() throws {
        var ratings = FileReport(file: "ratings.csv")
        ratings.read = 10
        ratings.kept = 6
        for line in [3, 9, 12, 40, 41, 50] { ratings.drop(.ratingOutOfRange, line: line) }
        var users = FileReport(file: "users.dat")
        users.read = 4
        users.repair(.genderInvalid, line: 2)
        users.repair(.ageInvalid, line: 2)
        users.repairedRows = 1
        users.kept = 3
        let report = CleaningReport(format: .dat, directory: "/data/ml-1m é", files: ["ratings": ratings, "users": users, "movies": FileReport(file: "movies.dat")])
        let bytes = ReportCodec.encode(report)
        XCTAssertEqual(ReportCodec.encode(report), bytes)
        try bytes.withUnsafeBytes { raw in
            XCTAssertEqual(try ReportCodec.decode(raw), report)
            for cut in 0..<raw.count {
                XCTAssertThrowsError(try ReportCodec.decode(UnsafeRawBufferPointer(rebasing: raw[0..<cut])), "cut at \(cut)")
            }
        }
        XCTAssertThrowsError(try (bytes + Data([0])).withUnsafeBytes { try ReportCodec.decode($0) })
    }
}
