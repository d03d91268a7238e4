import XCTest
import LinearAlgebra
@testable import Clustering

final class ClusterProfilesTests: XCTestCase {
    func testEqualsNaiveLoop() throws {
        let x = Fixtures.sparse(rows: 70, cols: 23, density: 0.3, seed: 21)
        let labels: [Int32] = (0..<70).map { Int32(($0 * 5 + 3) % 4) }
        for backend in Backend.allCases {
            let p = try ClusterProfiles(x, labels: labels, k: 4, prior: 3.2, shrinkage: 5, backend: backend, threads: 2)
            for c in 0..<4 {
                for j in 0..<23 {
                    var count = 0.0, sum = 0.0
                    for i in 0..<70 where labels[i] == Int32(c) {
                        for q in x.range(ofRow: i) where Int(x.columns[q]) == j { count += 1; sum += Double(x.values[q]) }
                    }
                    XCTAssertEqual(Double(p.counts[c, j]), count)
                    XCTAssertEqual(Double(p.sums[c, j]), sum, accuracy: 1e-4)
                    XCTAssertEqual(Double(p.shrunkMeans[c, j]), (sum + 5 * 3.2) / (count + 5), accuracy: 1e-5)
                }
            }
        }
    }

    func testNoShrinkageGivesPlainMeansAndPriorForEmptyCells() throws {
        // Rows: cluster 0 = rows 0, 1; cluster 1 = row 2. Column 2 is never rated.
        let x = try SparseMatrix(rows: 3, cols: 3, rowIndices: [0, 0, 1, 2], colIndices: [0, 1, 0, 1], values: [4, 2, 5, 1])
        let p = try ClusterProfiles(x, labels: [0, 0, 1], k: 2, prior: 3, shrinkage: 0)
        XCTAssertEqual(p.shrunkMeans.row(0), [4.5, 2, 3])
        XCTAssertEqual(p.shrunkMeans.row(1), [3, 1, 3])
        let cos = try p.clusterCosine()
        // Deviations: (1.5, −1, 0) and (0, −2, 0) → cosine = 2 / (1.8028 · 2) = 0.5547.
        XCTAssertEqual(cos[0, 1], 0.5547, accuracy: 1e-4)
        XCTAssertEqual(cos[1, 0], cos[0, 1])
        XCTAssertEqual(cos[0, 0], 1)
        XCTAssertThrowsError(try ClusterProfiles(x, labels: [0, 2, 1], k: 2, prior: 3, shrinkage: 0))
        XCTAssertThrowsError(try ClusterProfiles(x, labels: [0, 1], k: 2, prior: 3, shrinkage: 0))
        XCTAssertThrowsError(try ClusterProfiles(x, labels: [0, 0, 1], k: 2, prior: 3, shrinkage: -1))
    }
}
