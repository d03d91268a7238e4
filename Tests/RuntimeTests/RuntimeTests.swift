import XCTest
import Foundation
@testable import Runtime
import TestSupport

final class SplitMix64Tests: XCTestCase {
    /// `skip(k)` lands where `k` draws do, for 0, 1 and larger k.
    func testSkipEqualsDrawing() {
        for k in [0, 1, 2, 1_000, 65_537] {
            var drawn = SplitMix64(seed: 123), skipped = drawn
            for _ in 0..<k { _ = drawn.next() }
            skipped.skip(k)
            XCTAssertEqual((0..<4).map { _ in skipped.next() }, (0..<4).map { _ in drawn.next() }, "k = \(k)")
        }
    }
}

final class DynamicTasksTests: XCTestCase {
    /// Every task runs exactly once, whatever the thread count.
    func testDynamicTasksRunEachTaskOnce() {
        for threads in [1, 2, 3, 8] {
            for count in [0, 1, 2, 7, 100] {
                var runs = [Int](repeating: 0, count: count)
                runs.withUnsafeMutableBufferPointer { slots in
                    let s = UnsafeSendable(slots)
                    DynamicTasks.run(count, threads: threads) { s.value[$0] += 1 }
                }
                XCTAssertEqual(runs, [Int](repeating: 1, count: count), "\(count) tasks, \(threads) threads")
            }
        }
    }
}

final class ChecksumTests: XCTestCase {
    /// CRC-32C check value from the standard ("123456789" → 0xE3069283), and agreement of the
    /// sliced fast path with a bitwise reference on lengths around the 8-byte step.
    func testKnownValueAndReference() {
        let bytes = Array("123456789".utf8)
        XCTAssertEqual(CRC32C.checksum(bytes), 0xE306_9283)
        func reference(_ b: [UInt8]) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for x in b {
                c ^= UInt32(x)
                for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            }
            return c ^ 0xFFFF_FFFF
        }
        var rng = SystemRandomNumberGenerator()
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 100] {
            let data = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            XCTAssertEqual(CRC32C.checksum(data), reference(data), "length \(n)")
        }
    }
}

final class ParallelTests: XCTestCase {
    func testSplitRangeCoversEverythingOnce() {
        for count in [0, 1, 5, 100, 101] {
            for parts in [1, 2, 3, 8, 200] {
                let ranges = splitRange(count, parts: parts)
                XCTAssertEqual(ranges.first?.lowerBound ?? 0, 0)
                XCTAssertEqual(ranges.map(\.count).reduce(0, +), count)
                for (a, b) in zip(ranges, ranges.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
                XCTAssertLessThanOrEqual((ranges.map(\.count).max() ?? 0) - (ranges.map(\.count).min() ?? 0), 1)
            }
        }
    }

    func testParallelForVisitsEachChunkOnce() {
        for threads in [1, 2, 4] {
            var hits = [Int](repeating: 0, count: 37)
            hits.withUnsafeMutableBufferPointer { buf in
                let p = UnsafeSendable(buf.baseAddress!)
                parallelFor(chunks: 37, threads: threads) { c in p.value[c] += 1 }
            }
            XCTAssertEqual(hits, [Int](repeating: 1, count: 37), "threads \(threads)")
        }
    }
}

final class BinaryCodingTests: XCTestCase {
    func testRoundTripAndTruncation() throws {
        var w = BinaryWriter()
        w.write(UInt32(7)); w.write(Float(1.5)); w.write("héllo"); w.write(array: [1.0, -2.0] as [Double]); w.write(strings: ["a", "bc"])
        var r = BinaryReader(w.data)
        XCTAssertEqual(try r.read(UInt32.self), 7)
        XCTAssertEqual(try r.readFloat(), 1.5)
        XCTAssertEqual(try r.readString(), "héllo")
        XCTAssertEqual(try r.readArray(Double.self), [1.0, -2.0])
        XCTAssertEqual(try r.readStrings(), ["a", "bc"])
        XCTAssertEqual(r.remaining, 0)
        // Every strict prefix fails cleanly instead of trapping.
        for cut in 0..<w.data.count {
            var t = BinaryReader(w.data.prefix(cut))
            XCTAssertThrowsError(try { _ = try t.read(UInt32.self); _ = try t.readFloat(); _ = try t.readString()
                _ = try t.readArray(Double.self); _ = try t.readStrings() }(), "prefix \(cut)")
        }
    }

    func testAtomicWriteReplacesWholeFile() throws {
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sub/x.txt").path
        try AtomicFile.write("first", to: path)
        try AtomicFile.write("second", to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "second")
        // No temporary files left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("sub").path), ["x.txt"])
    }
}

final class JSONStringTests: XCTestCase {
    /// Escapes match JSON's grammar: quotes, backslashes and control characters escaped, the rest
    /// (non-ASCII included) kept; Foundation's parser reads every literal back to the input.
    func testQuoteRoundTripsThroughJSONSerialization() throws {
        XCTAssertEqual(JSONString.quote("a\"b\\c\n\u{01}é"), "\"a\\\"b\\\\c\\n\\u0001é\"")
        for s in ["", "plain", "tab\tcr\rnl\n", "\u{00}\u{1f}", "Amélie (2001)", "emoji 🎬", "\\\"\\"] {
            let data = Data("[\(JSONString.quote(s))]".utf8)
            let parsed = try JSONSerialization.jsonObject(with: data) as? [String]
            XCTAssertEqual(parsed, [s], "literal for \(s.debugDescription)")
        }
    }
}
