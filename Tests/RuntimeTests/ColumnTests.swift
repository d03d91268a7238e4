import Foundation
import Runtime
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `Column` against a plain array reference, owned and mapped, and its copy-on-write.
final class ColumnTests: XCTestCase {
    private let scratch = TemporaryDirectories()

    override func tearDown() {
        scratch.removeAll()
        super.tearDown()
    }

    /// `values` written raw to a fresh file after `lead` bytes of padding; its path.
    private func file<T>(_ values: [T], lead: Int = 0) throws -> String {
        let dir = try scratch.make("movierec-column")
        var data = Data(repeating: 0xAB, count: lead)
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        let path = dir.appendingPathComponent("col.bin").path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    private func map(_ path: String) throws -> FileMapping {
        let fd = open(path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var st = stat()
        XCTAssertEqual(fstat(fd, &st), 0)
        return try FileMapping(fd: fd, length: Int(st.st_size), path: path)
    }

    /// Every read operation of `column` agrees with `reference`.
    private func assertSame<T: Equatable & Hashable>(_ column: Column<T>, _ reference: [T], _ what: String,
                                                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(column.count, reference.count, what, file: file, line: line)
        XCTAssertEqual(column.isEmpty, reference.isEmpty, what, file: file, line: line)
        XCTAssertEqual(column.indices, reference.indices, what, file: file, line: line)
        for i in reference.indices where column[i] != reference[i] {
            return XCTFail("\(what): [\(i)] is \(column[i]), expected \(reference[i])", file: file, line: line)
        }
        XCTAssertEqual(Array(column), reference, "\(what): iteration", file: file, line: line)
        XCTAssertEqual(column.array, reference, "\(what): array", file: file, line: line)
        XCTAssertEqual(column.withUnsafeBufferPointer { Array($0) }, reference, what, file: file, line: line)
        XCTAssertEqual(column.first, reference.first, what, file: file, line: line)
        XCTAssertEqual(column.last, reference.last, what, file: file, line: line)
        XCTAssertEqual(column.reversed(), Array(reference.reversed()), what, file: file, line: line)
        let n = reference.count
        for (a, b) in [(0, n), (0, 0), (n / 3, n / 2), (n / 2, n), (max(0, n - 1), n)] {
            XCTAssertEqual(Array(column[a..<b]), Array(reference[a..<b]), "\(what): slice \(a)..<\(b)", file: file, line: line)
        }
        XCTAssertEqual(column, Column(reference), what, file: file, line: line)
        XCTAssertEqual(column.hashValue, Column(reference).hashValue, what, file: file, line: line)
        XCTAssertEqual(column.description, reference.description, what, file: file, line: line)
    }

    func testOwnedColumnBehavesLikeItsArray() {
        var rng = SplitMix64(seed: 3)
        for n in [0, 1, 7, 1000] {
            let a = (0..<n).map { _ in Int32(truncatingIfNeeded: rng.next()) }
            let c = Column(a)
            XCTAssertFalse(c.isMapped)
            assertSame(c, a, "owned \(n)")
        }
        let literal: Column<Int64> = [5, -1, 9]
        assertSame(literal, [5, -1, 9], "literal")
        XCTAssertNotEqual(literal, [5, -1, 8])
        XCTAssertNotEqual(literal, [5, -1])
        XCTAssertEqual(Column(repeating: Float(2.5), count: 4), [2.5, 2.5, 2.5, 2.5])
        // Element-wise equality, as for arrays: NaN is not equal to itself.
        XCTAssertNotEqual(Column([Float.nan]), Column([Float.nan]))
        XCTAssertEqual(Column<Float>([0.0]), Column<Float>([-0.0]))
    }

    func testMappedColumnReadsTheFileInPlace() throws {
        var rng = SplitMix64(seed: 5)
        let a = (0..<5000).map { _ in Int64(bitPattern: rng.next()) }
        let path = try file(a, lead: 64)
        let mapping = try map(path)
        guard let c = Column<Int64>(mapping: mapping, byteOffset: 64, count: a.count) else { return XCTFail("not mapped") }
        XCTAssertTrue(c.isMapped)
        assertSame(c, a, "mapped")
        c.withUnsafeBufferPointer { XCTAssertEqual(UnsafeRawPointer($0.baseAddress), mapping.bytes.baseAddress.map { $0 + 64 }, "a view, not a copy") }
        // A sub-range, and a float view of the same bytes' neighbours.
        guard let part = Column<Int64>(mapping: mapping, byteOffset: 64 + 8 * 100, count: 50) else { return XCTFail("part") }
        assertSame(part, Array(a[100..<150]), "mapped part")
        // Outside the mapping, misaligned, negative: refused.
        XCTAssertNil(Column<Int64>(mapping: mapping, byteOffset: 64, count: a.count + 1))
        XCTAssertNil(Column<Int64>(mapping: mapping, byteOffset: 60, count: 10))
        XCTAssertNil(Column<Int64>(mapping: mapping, byteOffset: -8, count: 1))
        XCTAssertNil(Column<Int64>(mapping: mapping, byteOffset: 0, count: -1))
        XCTAssertNil(Column<Int64>(mapping: mapping, byteOffset: 0, count: Int.max / 4))
        XCTAssertEqual(Column<Int64>(mapping: mapping, byteOffset: mapping.bytes.count, count: 0)?.count, 0)
    }

    func testWritingAMappedColumnCopiesItAndNeverTouchesTheFileOrOtherCopies() throws {
        let a: [Float] = (0..<3000).map { Float($0) * 0.5 }
        let path = try file(a)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let mapping = try map(path)
        guard let original = Column<Float>(mapping: mapping, byteOffset: 0, count: a.count) else { return XCTFail("not mapped") }
        var copy = original
        copy[7] = -1
        XCTAssertFalse(copy.isMapped, "written: owned")
        XCTAssertTrue(original.isMapped)
        XCTAssertEqual(copy[7], -1)
        XCTAssertEqual(original[7], 3.5)
        var expected = a
        expected[7] = -1
        XCTAssertEqual(Array(copy), expected)
        XCTAssertEqual(Array(original), a)

        var other = original
        other.withUnsafeMutableBufferPointer { buf in for i in buf.indices { buf[i] += 1 } }
        XCTAssertFalse(other.isMapped)
        XCTAssertEqual(Array(other), a.map { $0 + 1 })
        var sorted = original
        sorted.sort(by: >)
        XCTAssertEqual(Array(sorted), a.sorted(by: >))
        XCTAssertEqual(Array(original), a, "the other copies are unchanged")
        XCTAssertTrue(original.isMapped)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before, "the file is unchanged")
        XCTAssertEqual(Array(UnsafeRawBufferPointer(rebasing: mapping.bytes[0..<before.count])), Array(before), "the mapping too")
    }

    func testMappedColumnOutlivesItsFileDeletedOrReplaced() throws {
        let a: [Int32] = (0..<4096).map { Int32($0 * 3 - 7) }
        let path = try file(a)
        var column: Column<Int32>?
        do {
            let mapping = try map(path)
            column = Column<Int32>(mapping: mapping, byteOffset: 0, count: a.count)
        }
        // Replaced by an atomic rename, then deleted: the view still reads the old bytes.
        try AtomicFile.write(Data(repeating: 0x11, count: 100), to: path)
        XCTAssertEqual(column.map { Array($0) }, a)
        try FileManager.default.removeItem(atPath: path)
        XCTAssertEqual(column.map { Array($0) }, a)
        XCTAssertEqual(column?.isMapped, true)
    }
}
