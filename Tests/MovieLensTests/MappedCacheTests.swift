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

/// Cache layout 5: a cached load's rating columns are views of the mapped cache file, verified
/// in place (checksums and the rating checks of `Dataset.validate` in one pass), copied on write,
/// and readable for as long as the dataset lives, whatever happens to the file.
final class MappedCacheTests: XCTestCase {
    private let scratch = TemporaryDirectories()

    override func tearDown() {
        scratch.removeAll()
        super.tearDown()
    }

    private func tempDir() throws -> URL {
        let url = try scratch.make("movierec-mapped")
        return url
    }

    /// A writable copy of ml-latest-small; its path.
    private func smallCopy() throws -> String {
        guard let source = TestData.path("ml-latest-small") else { throw XCTSkip(TestData.missingMessage("ml-latest-small")) }
        let dest = try tempDir().appendingPathComponent("small")
        try FileManager.default.createDirectory(at: dest, withIntermediateDirectories: true)
        for f in try FileManager.default.contentsOfDirectory(atPath: source) where !f.hasPrefix(".") {
            try FileManager.default.copyItem(atPath: source + "/" + f, toPath: dest.appendingPathComponent(f).path)
        }
        return dest.path
    }

    private static let ratingSections = ["ratings.user", "ratings.movie", "ratings.value", "ratings.time"]

    private func assertMapped(_ d: Dataset, _ expected: Bool, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(d.ratingUser.isMapped, expected, "\(what): ratingUser", file: file, line: line)
        XCTAssertEqual(d.ratingMovie.isMapped, expected, "\(what): ratingMovie", file: file, line: line)
        XCTAssertEqual(d.ratingValue.isMapped, expected, "\(what): ratingValue", file: file, line: line)
        XCTAssertEqual(d.ratingTime.isMapped, expected, "\(what): ratingTime", file: file, line: line)
    }

    func testCachedLoadMapsTheRatingColumnsAndEqualsTheParse() throws {
        let dir = try smallCopy()
        let parsed = try MovieLensReader.load(directory: dir)
        assertMapped(parsed.dataset, false, "parsed")
        let first = try DatasetCache.load(directory: dir, userCacheDirectory: try tempDir().path)
        guard case .written(let path, _) = first.status else { return XCTFail("\(first.status)") }
        for threads in [1, 2, 3] {
            let hit = try DatasetCache.load(directory: dir, threads: threads, userCacheDirectory: try tempDir().path)
            XCTAssertTrue(hit.cacheHit)
            XCTAssertEqual(hit.result, parsed, "\(threads) threads")
            XCTAssertEqual(hit.result.dataset.fingerprint, parsed.dataset.fingerprint)
            assertMapped(hit.result.dataset, true, "cached, \(threads) threads")
        }
        // The raw rating sections start at page-aligned file offsets and hold the values as stored.
        let file = try CacheFile.open(path: path)
        defer { close(file.fd) }
        for name in Self.ratingSections {
            guard let r = file.header.sections[name] else { return XCTFail("no section \(name)") }
            XCTAssertEqual((file.bodyOffset + r.lowerBound) % CacheFile.pageAlignment, 0, name)
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let at = file.bodyOffset + (file.header.sections["ratings.time"]?.lowerBound ?? 0)
        let n = parsed.dataset.ratingCount
        let times = bytes[at..<(at + 8 * n)].withUnsafeBytes { raw in (0..<n).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) } }
        XCTAssertEqual(times, Array(parsed.dataset.ratingTime))
    }

    /// One flipped byte inside any rating column is caught by the chunk checksums: the cache is
    /// reported corrupt and rebuilt from the data files, never used.
    func testAFlippedByteInARatingColumnIsDetectedAndTheCacheRebuilt() throws {
        let dir = try smallCopy()
        let users = try tempDir().path
        let parsed = try MovieLensReader.load(directory: dir)
        guard case .written(let path, _) = try DatasetCache.load(directory: dir, userCacheDirectory: users).status else { return XCTFail("not written") }
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        let file = try CacheFile.open(path: path)
        let header = file.header, bodyOffset = file.bodyOffset
        close(file.fd)
        for name in Self.ratingSections {
            guard let r = header.sections[name] else { return XCTFail("no section \(name)") }
            for p in [r.lowerBound, r.lowerBound + r.count / 2 + 3, r.upperBound - 1] {
                var bad = good
                bad[bodyOffset + p] ^= 0x10
                try bad.write(to: URL(fileURLWithPath: path), options: .atomic)
                let load = try DatasetCache.load(directory: dir, userCacheDirectory: users)
                XCTAssertFalse(load.cacheHit, "\(name) byte \(p)")
                guard case .written(_, .corrupt(let why)) = load.status else { return XCTFail("\(name) byte \(p): \(load.status)") }
                XCTAssertTrue(why.contains("checksum"), "\(name) byte \(p): \(why)")
                XCTAssertEqual(load.result, parsed)
                XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), good, "rebuilt identically")
            }
        }
    }

    /// Checksums that match are not enough: a cache whose rating column holds an index past the
    /// users, or a non-finite rating value, is rejected by the checks made in the hashing pass.
    func testAHandMadeCacheWithCorrectChecksumsButBadRatingsIsRejected() throws {
        let dir = try tempDir()
        let rows = 5000
        func dataset(_ user: (Int) -> Int32, _ value: (Int) -> Float) -> Dataset {
            Dataset(format: .latestCSV, userIds: (1...40).map { Int64($0) }, movieIds: (1...90).map { Int64($0 * 3) },
                    ratingUser: Column((0..<rows).map(user)), ratingMovie: Column((0..<rows).map { Int32($0 % 90) }),
                    ratingValue: Column((0..<rows).map(value)), ratingTime: Column((0..<rows).map { Int64($0) }),
                    titles: [String](repeating: "t", count: 90), years: [Int16](repeating: 2000, count: 90),
                    genres: [UInt32](repeating: 0, count: 90), genreNames: [])
        }
        let cases: [(String, Dataset, String?)] = [
            ("good", dataset({ Int32($0 % 40) }, { Float($0 % 10 + 1) / 2 }), nil),
            ("user index 40 of 40", dataset({ $0 == 4321 ? 40 : Int32($0 % 40) }, { _ in 3 }), "rating user index 40 out of range"),
            ("user index -5", dataset({ $0 == 17 ? -5 : Int32($0 % 40) }, { _ in 3 }), "rating user index -5 out of range"),
            ("NaN value", dataset({ Int32($0 % 40) }, { $0 == 2500 ? .nan : 3 }), "not finite"),
            ("infinite value", dataset({ Int32($0 % 40) }, { $0 == rows - 1 ? -.infinity : 3 }), "not finite"),
        ]
        for (k, (name, d, error)) in cases.enumerated() {
            let result = LoadResult(dataset: d, report: CleaningReport(format: .latestCSV, directory: dir.path, files: [:]))
            let data = CacheFile.encode(producer: "test", format: .latestCSV, sources: [], sections: try DatasetCodec.sections(of: result), threads: 2)
            let path = dir.appendingPathComponent("c\(k).bin").path
            try data.write(to: URL(fileURLWithPath: path))
            let file = try CacheFile.open(path: path)
            defer { close(file.fd) }
            for threads in [1, 2] {
                let decoded = Result { try DatasetCodec.decode(try CacheFile.map(file), header: file.header, threads: threads) }
                if let error {
                    XCTAssertThrowsError(try decoded.get(), "\(name), \(threads) threads") {
                        XCTAssertTrue("\($0)".contains(error), "\(name): \($0)")
                    }
                } else {
                    XCTAssertEqual(try decoded.get().dataset, d, "\(threads) threads")
                    XCTAssertEqual(try decoded.get().dataset.ratingUser.isMapped, true)
                }
            }
        }
    }

    /// A cached dataset stays readable and unchanged after its cache file is replaced (atomic
    /// rename, as the cache writer does) and after it is deleted; writing a copy of it changes
    /// neither the dataset nor the file.
    func testAMappedDatasetOutlivesItsCacheFileAndCopiesOnWrite() throws {
        let dir = try smallCopy()
        let users = try tempDir().path
        let parsed = try MovieLensReader.load(directory: dir)
        guard case .written(let path, _) = try DatasetCache.load(directory: dir, userCacheDirectory: users).status else { return XCTFail("not written") }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let hit = try DatasetCache.load(directory: dir, userCacheDirectory: users)
        XCTAssertTrue(hit.cacheHit)
        let cached = hit.result.dataset
        assertMapped(cached, true, "cached")

        var edited = cached
        edited.ratingValue[10] = 0.5
        edited.ratingUser[0] = 1
        XCTAssertEqual(edited.ratingValue[10], 0.5)
        XCTAssertFalse(edited.ratingValue.isMapped)
        XCTAssertTrue(edited.ratingMovie.isMapped, "untouched columns stay mapped")
        XCTAssertEqual(cached, parsed.dataset, "the original is unchanged")
        assertMapped(cached, true, "after the copy was written")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), bytes, "the file is unchanged")

        try AtomicFile.write(Data(repeating: 0x5A, count: bytes.count), to: path)
        XCTAssertEqual(cached, parsed.dataset, "after the file was replaced")
        XCTAssertEqual(cached.fingerprint, parsed.dataset.fingerprint)
        try FileManager.default.removeItem(atPath: path)
        XCTAssertEqual(cached, parsed.dataset, "after the file was deleted")
        let again = try DatasetCache.load(directory: dir, userCacheDirectory: users)
        XCTAssertFalse(again.cacheHit)
        XCTAssertEqual(again.result, parsed)
    }
}
