import XCTest
@testable import LinearAlgebra

final class MatrixTests: XCTestCase {
    func testConstructionValidatesAndRowAccess() throws {
        XCTAssertThrowsError(try Matrix<Float>(rows: 2, cols: 3, storage: [1, 2, 3])) {
            XCTAssertEqual($0 as? LinearAlgebraError, .storageCount(rows: 2, cols: 3, count: 3))
        }
        XCTAssertThrowsError(try Matrix<Float>(rows: -1, cols: 3, storage: []))
        XCTAssertThrowsError(try Matrix<Float>([[1, 2], [3]]))
        let m = try Matrix<Float>(rows: 2, cols: 3, storage: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(m[1, 2], 6)
        XCTAssertEqual(m.row(1), [4, 5, 6])
        XCTAssertEqual(m.withRow(0) { Array($0) }, [1, 2, 3])
        XCTAssertEqual(m.transposed().storage, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(Matrix<Double>.zeros(rows: 0, cols: 4).storage.count, 0)
    }

    func testBackendParsing() throws {
        XCTAssertEqual(try Backend(parsing: " Swift "), .swift)
        XCTAssertEqual(try Backend(parsing: "blas"), .blas)
        XCTAssertThrowsError(try Backend(parsing: "cuda")) { XCTAssertTrue("\($0)".contains("cuda")) }
    }

    func testBLASThreadsRestoresPreviousCount() {
        let before = BLASThreads.current
        let inside = BLASThreads.with(1) { BLASThreads.current }
        XCTAssertEqual(inside, 1)
        XCTAssertEqual(BLASThreads.current, before)
    }
}
