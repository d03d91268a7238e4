import XCTest
import Runtime
import TestSupport
@testable import MovieLens

/// The pieces added to make loading faster agree with the plain code they replace.
final class LoadSpeedTests: XCTestCase {
    /// The SIMD newline count against a byte loop, on random bytes, at every alignment and on
    /// ranges long enough for the per-lane counters to be flushed (255 blocks of 32 bytes).
    func testCountNewlinesAgainstAByteLoop() {
        var rng = SplitMix64(seed: 21)
        let bytes = (0..<20_000).map { _ in rng.next() % 4 == 0 ? UInt8(10) : UInt8(truncatingIfNeeded: rng.next() | 1) }
        // Every lane saturated: all newlines (a lane would wrap at 256 without the flush).
        let all = [UInt8](repeating: 10, count: 17_000)
        bytes.withUnsafeBufferPointer { b in
            for _ in 0..<300 {
                let lo = Int(rng.next() % UInt64(b.count)), hi = lo + Int(rng.next() % UInt64(b.count - lo + 1))
                let naive = b[lo..<hi].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
                XCTAssertEqual(Lines.countNewlines(b, in: lo..<hi), naive, "\(lo)..<\(hi)")
            }
            XCTAssertEqual(Lines.countNewlines(b, in: 0..<b.count), b.reduce(0) { $0 + ($1 == 10 ? 1 : 0) })
        }
        all.withUnsafeBufferPointer { b in
            XCTAssertEqual(Lines.countNewlines(b, in: 0..<b.count), all.count)
            XCTAssertEqual(Lines.countNewlines(b, in: 3..<(b.count - 5)), all.count - 8)
        }
    }

    /// The 8-bytes-at-a-time byte search, control-byte check and field split against byte loops,
    /// on random text (delimiters, newlines, tabs, DEL, high bytes) at every offset.
    func testSWARByteSearchesAgainstByteLoops() {
        var rng = SplitMix64(seed: 26)
        let alphabet: [UInt8] = [44, 10, 9, 127, 0, 31, 32, 58, 128, 255, 0x2C ^ 0x80, 65, 66, 48, 57]
        let bytes = (0..<6000).map { _ in rng.next() % 3 == 0 ? alphabet[Int(rng.next() % UInt64(alphabet.count))] : UInt8(97 + rng.next() % 20) }
        bytes.withUnsafeBufferPointer { b in
            for _ in 0..<3000 {
                let lo = Int(rng.next() % UInt64(b.count)), hi = min(b.count, lo + Int(rng.next() % 80))
                for target in [UInt8(10), 44, 58, 0, 255] {
                    let naive = (lo..<hi).first { b[$0] == target } ?? hi
                    XCTAssertEqual(SWARBytes.firstIndex(of: target, in: b, from: lo, to: hi), naive, "\(target) in \(lo)..<\(hi)")
                }
                let control = (lo..<hi).contains { (b[$0] < 32 && b[$0] != 9) || b[$0] == 127 }
                XCTAssertEqual(Lines.hasControlBytes(b, lo, hi), control, "\(lo)..<\(hi)")
            }
        }
        // Field splitting with one- and two-byte delimiters against String.split.
        for _ in 0..<2000 {
            let pieces = ["a", "bb", "", "12345678901", ":", "::", ",", "x:y", "é"]
            let text = (0..<Int(rng.next() % 8 + 1)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            for (delimiter, separator) in [(Delimiter.byte(44), ","), (.doubleColon, "::")] {
                var splitter = FieldSplitter(delimiter: delimiter, quotes: false)
                let utf8 = Array(text.utf8)
                utf8.withUnsafeBufferPointer { b in
                    _ = splitter.split(b, Line(start: 0, end: b.count, number: 1, terminated: true), limit: 64)
                    let got = splitter.fields.map { String(decoding: UnsafeBufferPointer(rebasing: b[$0.start..<$0.end]), as: UTF8.self) }
                    XCTAssertEqual(got, text.components(separatedBy: separator), "\(text) split on \(separator)")
                }
            }
        }
    }

    /// `IdSet` against `Set<Int64>`: bitmap ids, ids beyond it, negatives, repeated inserts.
    func testIdSetAgainstSet() {
        var rng = SplitMix64(seed: 22)
        var ids = IdSet(), reference = Set<Int64>()
        let pools: [ClosedRange<Int64>] = [0...200, 0...300_000, (IdSet.bitmapLimit - 70)...(IdSet.bitmapLimit + 70),
                                           -50...(-1), Int64.max - 10...Int64.max]
        for _ in 0..<5000 {
            let pool = pools[Int(rng.next() % UInt64(pools.count))]
            let id = pool.lowerBound &+ Int64(truncatingIfNeeded: rng.next() % UInt64(pool.upperBound &- pool.lowerBound &+ 1))
            if rng.next() % 2 == 0 {
                ids.insert(id)
                reference.insert(id)
            }
            XCTAssertEqual(ids.contains(id), reference.contains(id), "\(id)")
        }
        for probe in [-1, 0, 1, 63, 64, IdSet.bitmapLimit - 1, IdSet.bitmapLimit, Int64.max, Int64.min] as [Int64] {
            XCTAssertEqual(ids.contains(probe), reference.contains(probe), "\(probe)")
        }
        XCTAssertEqual(IdSet([5, 7, 1 << 40]).contains(1 << 40), true)
        XCTAssertEqual(IdSet([5, 7, 1 << 40]).contains(6), false)
    }

    /// The parallel order check of `DuplicateRatings` against a serial reference, with blocks
    /// small enough that users span blocks, on sorted, almost sorted and shuffled inputs with
    /// dropped rows (negative user or movie) anywhere.
    func testSortedByUserAgainstASerialCheck() {
        var rng = SplitMix64(seed: 23)
        func reference(_ user: [Int32], _ movie: [Int32], users: Int) -> (Bool, [Int]) {
            var last = [Int](repeating: 0, count: users)
            var previous: Int32 = -1
            for i in user.indices where user[i] >= 0 && movie[i] >= 0 {
                if user[i] < previous { return (false, last) }
                previous = user[i]
                last[Int(user[i])] = i + 1
            }
            return (true, last)
        }
        var sortedSeen = 0, unsortedSeen = 0
        for round in 0..<60 {
            let users = Int(rng.next() % 50) + 1, n = Int(rng.next() % 3000) + 1
            var user = (0..<n).map { _ in Int32(rng.next() % UInt64(users)) }.sorted()
            var movie = (0..<n).map { _ in Int32(rng.next() % 9) }
            for i in 0..<n where rng.next() % 7 == 0 {
                if rng.next() % 2 == 0 { user[i] = -1 } else { movie[i] = -1; user[i] = Int32(rng.next() % UInt64(users)) }
            }
            if round % 3 == 1, n > 1 { user.swapAt(Int(rng.next() % UInt64(n)), Int(rng.next() % UInt64(n))) }
            if round % 3 == 2 { user.shuffle(using: &rng) }
            let (expectedSorted, expectedLast) = reference(user, movie, users: users)
            if expectedSorted { sortedSeen += 1 } else { unsortedSeen += 1 }
            for (threads, blockRows) in [(1, 1 << 16), (2, 17), (3, 1), (4, 250)] {
                var last = [Int](repeating: 0, count: users)
                let sorted = DuplicateRatings.sortedByUser(user: user, movie: movie, threads: threads, last: &last, blockRows: blockRows)
                XCTAssertEqual(sorted, expectedSorted, "round \(round) threads \(threads)")
                if expectedSorted { XCTAssertEqual(last, expectedLast, "round \(round) threads \(threads)") }
            }
        }
        XCTAssertGreaterThan(sortedSeen, 10)
        XCTAssertGreaterThan(unsortedSeen, 10)
    }

    /// `IdIndex.sortedUnique` on several threads (blocks of 2^17 rows) against a sort, for ids in
    /// a small range (bitmaps per block) and in a wide one (sorted path).
    func testSortedUniqueOnThreadsAgainstASort() {
        var rng = SplitMix64(seed: 24)
        for range in [Int64(5)...Int64(40_000), Int64(-3)...Int64(3), Int64(1)...Int64(1 << 40)] {
            let a = (0..<600_000).map { _ in Int32(truncatingIfNeeded: range.lowerBound + Int64(rng.next() % UInt64(range.count))) }
            let b: [Int32] = [Int32(truncatingIfNeeded: range.upperBound), 7]
            let expected = Array(Set((a + b).map { Int64($0) })).sorted()
            for threads in [1, 2, 3] {
                XCTAssertEqual(IdIndex.sortedUnique([a, b], threads: threads), expected, "\(range) threads \(threads)")
            }
        }
    }

    /// The range check of `Dataset.validate` on several threads against a plain scan: the
    /// smallest negative index, else the largest index beyond the count, else nil.
    func testOutOfRangeOnThreadsAgainstAScan() {
        var rng = SplitMix64(seed: 25)
        let count = 1000
        var a = (0..<1_100_000).map { _ in Int32(rng.next() % UInt64(count)) }
        func naive(_ a: [Int32]) -> Int32? {
            if let lo = a.min(), lo < 0 { return lo }
            if let hi = a.max(), Int(hi) >= count { return hi }
            return nil
        }
        for step in 0..<4 {
            if step == 1 { a[Int(rng.next() % UInt64(a.count))] = Int32(count) + 5 }
            if step == 2 { a[a.count - 1] = Int32(count) + 9 }
            if step == 3 { a[3] = -2; a[900_000] = -7 }
            for threads in [1, 2, 3] {
                XCTAssertEqual(Dataset.outOfRange(a, count, threads: threads), naive(a), "step \(step) threads \(threads)")
            }
        }
        XCTAssertEqual(Dataset.outOfRange(a, count, threads: 2), -7)
    }

    /// `loadRatings` keeps exactly the ratings of a full load when every rated movie is known
    /// (ml-latest-small), with the same report for the ratings file.
    func testLoadRatingsMatchesTheFullLoadOnMLLatestSmall() throws {
        guard let dir = TestData.path("ml-latest-small") else { throw XCTSkip(TestData.missingMessage("ml-latest-small")) }
        let full = try MovieLensReader.load(directory: dir, threads: 2)
        let only = try MovieLensReader.loadRatings(directory: dir, threads: 2)
        let d = full.dataset, r = only.dataset
        XCTAssertEqual(r.ratingCount, 100_836)
        XCTAssertEqual(r.ratingCount, d.ratingCount)
        XCTAssertEqual(r.userCount, 610)
        XCTAssertEqual(only.report.files.keys.sorted(), ["ratings"])
        XCTAssertEqual(only.report.files["ratings"], full.report.files["ratings"])
        XCTAssertNoThrow(try r.validate())
        for k in 0..<r.ratingCount {
            guard r.userIds[Int(r.ratingUser[k])] == d.userIds[Int(d.ratingUser[k])],
                  r.movieIds[Int(r.ratingMovie[k])] == d.movieIds[Int(d.ratingMovie[k])],
                  r.ratingValue[k] == d.ratingValue[k], r.ratingTime[k] == d.ratingTime[k] else {
                return XCTFail("row \(k) differs")
            }
        }
        // Movies are the rated ones only, without titles.
        XCTAssertEqual(r.movieCount, Set(d.ratingMovie).count)
        XCTAssertTrue(r.titles.allSatisfy(\.isEmpty))
    }

    /// On the dirty seed set the row-level rules give the same counts and examples as a full
    /// load; only the cross-file rules (unknown ids) are absent, and so are their drops.
    func testLoadRatingsAppliesTheRowRulesOnTheDirtySeed() throws {
        guard let dir = TestData.path("seed-ml1m-dirty") else { throw XCTSkip(TestData.missingMessage("seed-ml1m-dirty")) }
        let full = try XCTUnwrap(MovieLensReader.load(directory: dir).report.files["ratings"])
        let only = try XCTUnwrap(MovieLensReader.loadRatings(directory: dir).report.files["ratings"])
        XCTAssertEqual(only.read, full.read)
        XCTAssertTrue(only.isBalanced)
        let crossFile: Set<String> = [CleaningReason.unknownUser.rawValue, CleaningReason.unknownMovie.rawValue,
                                      CleaningReason.duplicatePair.rawValue]
        XCTAssertGreaterThan(full.dropped.count, 3)
        for (reason, count) in full.dropped where !crossFile.contains(reason) {
            XCTAssertEqual(only.dropped[reason], count, reason)
            XCTAssertEqual(only.examples[reason], full.examples[reason], reason)
        }
        XCTAssertNil(only.dropped[CleaningReason.unknownUser.rawValue])
        XCTAssertNil(only.dropped[CleaningReason.unknownMovie.rawValue])
        XCTAssertGreaterThan(only.dropped(.duplicatePair), 0)
    }
}
