import XCTest
@testable import LinearAlgebra

final class SparseMatrixTests: XCTestCase {
    /// COO with duplicates and out-of-order input: summed (default), last-wins, or rejected.
    func testBuildFromCOOWithDuplicates() throws {
        let r: [Int32] = [2, 0, 2, 0, 2], c: [Int32] = [1, 3, 0, 3, 1], v: [Float] = [1, 2, 3, 4, 5]
        let s = try SparseMatrix(rows: 4, cols: 4, rowIndices: r, colIndices: c, values: v)
        XCTAssertEqual(s.rowOffsets, [0, 1, 1, 3, 3])
        XCTAssertEqual(s.columns, [3, 0, 1])
        XCTAssertEqual(s.values, [6, 3, 6])
        let last = try SparseMatrix(rows: 4, cols: 4, rowIndices: r, colIndices: c, values: v, duplicates: .keepLast)
        XCTAssertEqual(last.values, [4, 3, 5])
        XCTAssertThrowsError(try SparseMatrix(rows: 4, cols: 4, rowIndices: r, colIndices: c, values: v, duplicates: .reject)) {
            XCTAssertEqual($0 as? LinearAlgebraError, .duplicateEntry(row: 0, col: 3))
        }
        let dense = s.densified()
        XCTAssertEqual(dense[0, 3], 6); XCTAssertEqual(dense[2, 1], 6); XCTAssertEqual(dense[2, 0], 3); XCTAssertEqual(dense[1, 1], 0)
    }

    func testBadCOOInputIsAClearError() {
        XCTAssertThrowsError(try SparseMatrix(rows: 2, cols: 2, rowIndices: [0, 2], colIndices: [0, 0], values: [1, 1])) {
            XCTAssertEqual("\($0)", "SparseMatrix(coo:): entry 1 at (row 2, column 0) is outside the 2x2 matrix")
        }
        XCTAssertThrowsError(try SparseMatrix(rows: 2, cols: 2, rowIndices: [0], colIndices: [-1], values: [1]))
        XCTAssertThrowsError(try SparseMatrix(rows: 2, cols: 2, rowIndices: [0], colIndices: [0], values: [.nan]))
        XCTAssertThrowsError(try SparseMatrix(rows: 2, cols: 2, rowIndices: [0, 1], colIndices: [0], values: [1]))
        XCTAssertThrowsError(try SparseMatrix(rows: 2, cols: 2, rowOffsets: [0, 2, 1], columns: [0], values: [1]))
        XCTAssertThrowsError(try SparseMatrix(rows: 1, cols: 3, rowOffsets: [0, 2], columns: [1, 1], values: [1, 1]))
    }

    func testTransposeTwiceIsIdentityAndMatchesDense() throws {
        for (i, shape) in [(0, 0), (1, 5), (17, 3), (40, 61)].enumerated() {
            let s = randomSparse(rows: shape.0, cols: shape.1, density: 0.2, seed: UInt64(i))
            let t = s.transposed()
            XCTAssertEqual(t.densified(), s.densified().transposed())
            XCTAssertEqual(t.transposed(), s)
        }
    }

    func testCentredRowsAndNorms() throws {
        let s = try SparseMatrix(rows: 3, cols: 4, rowIndices: [0, 0, 0, 2], colIndices: [0, 1, 3, 2], values: [1, 2, 6, 5])
        let (centred, means) = s.centeredRows()
        XCTAssertEqual(means, [3, 0, 5])
        XCTAssertEqual(centred.values, [-2, -1, 3, 0])
        XCTAssertEqual(centred.columns, s.columns)
        for backend in Backend.allCases {
            XCTAssertEqual(s.rowNormsSquared(backend: backend), [41, 0, 25])
            let u = s.normalizedRows(backend: backend)
            XCTAssertEqual(u.rowNormsSquared(backend: backend)[0], 1, accuracy: 1e-6)
            XCTAssertEqual(u.values[3], 1)
        }
    }
}
