import XCTest
@testable import LinearAlgebra

final class TopKTests: XCTestCase {
    /// Naive: full products, sorted by (score desc, index asc).
    func naive(_ a: Matrix<Float>, _ b: Matrix<Float>, k: Int, excludeDiagonal: Bool, onlyNonZeroPattern: SparseMatrix? = nil,
               sparseB: SparseMatrix? = nil) -> [[Int32]] {
        let p = Reference.gemm(a, false, b, true)
        return (0..<a.rows).map { i in
            var cand = (0..<b.rows).filter { !(excludeDiagonal && $0 == i) }
            if let sa = onlyNonZeroPattern, let sb = sparseB {
                let mine = Set(sa.columns[sa.range(ofRow: i)])
                cand = cand.filter { !mine.isDisjoint(with: sb.columns[sb.range(ofRow: $0)]) }
            }
            cand.sort { (p[i, $0], -$0) > (p[i, $1], -$1) }
            return cand.prefix(k).map { Int32($0) }
        }
    }

    /// Values on a coarse grid so that exact ties occur and the tie rule is exercised; blocks
    /// smaller than the shapes so several row and column blocks are merged.
    func testDenseTopKEqualsNaiveSortWithTies() throws {
        for (i, s) in [(n: 0, m: 5, d: 3, k: 2), (n: 1, m: 1, d: 1, k: 3), (n: 23, m: 31, d: 4, k: 5), (n: 40, m: 40, d: 6, k: 7), (n: 9, m: 70, d: 2, k: 70)].enumerated() {
            var a = Matrix<Float>.random(rows: s.n, cols: s.d, seed: UInt64(i))
            var b = Matrix<Float>.random(rows: s.m, cols: s.d, seed: UInt64(i) + 1)
            a = try Matrix(rows: a.rows, cols: a.cols, storage: a.storage.map { ($0 * 2).rounded() / 2 })
            b = try Matrix(rows: b.rows, cols: b.cols, storage: b.storage.map { ($0 * 2).rounded() / 2 })
            for exclude in [false, true] {
                let expected = naive(a, b, k: s.k, excludeDiagonal: exclude)
                for backend in Backend.allCases {
                    let r = try topKProducts(a, b, k: s.k, excludeDiagonal: exclude, rowBlock: 8, columnBlock: 16, backend: backend, threads: 2)
                    for row in 0..<s.n {
                        XCTAssertEqual(r.row(row).map(\.index), expected[row], "\(backend) \(s) row \(row) exclude=\(exclude)")
                    }
                }
            }
        }
    }

    func testSparseTopKEqualsNaive() throws {
        let a = randomSparse(rows: 35, cols: 20, density: 0.2, seed: 2)
        let sa = try SparseMatrix(rows: a.rows, cols: a.cols, rowOffsets: a.rowOffsets, columns: a.columns,
                                  values: a.values.map { ($0 * 2).rounded() / 2 + 1 })
        let expected = naive(sa.densified(), sa.densified(), k: 4, excludeDiagonal: true, onlyNonZeroPattern: sa, sparseB: sa)
        let r = try topKProducts(sa, sa, k: 4, excludeDiagonal: true, threads: 2)
        for row in 0..<35 {
            XCTAssertEqual(r.row(row).map(\.index), expected[row], "row \(row)")
            XCTAssertEqual(Int(r.counts[row]), expected[row].count)
        }
        XCTAssertThrowsError(try topKProducts(sa, sa, k: 0))
    }

    /// All-positive values take the scan path (no touched list): same answer as the naive sort,
    /// including exact ties (values on a half-step grid) broken by the lower index, with and
    /// without the diagonal, and with more requested neighbours than candidates.
    func testSparseTopKPositivePathEqualsNaive() throws {
        let a = randomSparse(rows: 40, cols: 15, density: 0.2, seed: 3)
        let b = randomSparse(rows: 33, cols: 15, density: 0.25, seed: 4)
        let pa = try SparseMatrix(rows: a.rows, cols: a.cols, rowOffsets: a.rowOffsets, columns: a.columns,
                                  values: a.values.map { (abs($0) * 2).rounded() / 2 + 0.5 })
        let pb = try SparseMatrix(rows: b.rows, cols: b.cols, rowOffsets: b.rowOffsets, columns: b.columns,
                                  values: b.values.map { (abs($0) * 2).rounded() / 2 + 0.5 })
        for (x, y, diag) in [(pa, pa, true), (pa, pb, false)] {
            for k in [3, 50] {
                let expected = naive(x.densified(), y.densified(), k: k, excludeDiagonal: diag, onlyNonZeroPattern: x, sparseB: y)
                let r = try topKProducts(x, y, k: k, excludeDiagonal: diag, threads: 2)
                for row in 0..<x.rows {
                    XCTAssertEqual(r.row(row).map(\.index), expected[row], "row \(row) k \(k)")
                }
            }
        }
    }
}
