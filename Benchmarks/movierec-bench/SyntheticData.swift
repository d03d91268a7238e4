import Runtime
import LinearAlgebra

/// Random matrices with MovieLens shapes (reproducible from a seed).
struct MovieLensShape {
    let name: String
    let users: Int
    let movies: Int
    let ratings: Int

    static let latestSmall = MovieLensShape(name: "ml-latest-small", users: 610, movies: 9742, ratings: 100_836)
    static let ml1m = MovieLensShape(name: "ml-1m", users: 6040, movies: 3706, ratings: 1_000_209)
    static let ml25m = MovieLensShape(name: "ml-25m", users: 162_541, movies: 62_423, ratings: 25_000_095)

    /// A users × movies CSR "rating" matrix with about `ratings` entries: row lengths vary
    /// (0.2×–1.8× the mean), and columns are drawn with a popularity skew (column ≈ movies·u²)
    /// like real catalogues; values are half-stars in 0.5…5.
    func ratingMatrix(seed: UInt64) throws -> SparseMatrix {
        var g = SplitMix64(seed: seed)
        let mean = Double(ratings) / Double(users)
        var offsets: [Int64] = [0]
        offsets.reserveCapacity(users + 1)
        var columns: [Int32] = []
        columns.reserveCapacity(ratings + ratings / 8)
        var row: [Int32] = []
        for _ in 0..<users {
            let want = max(1, min(movies, Int(mean * (0.2 + 1.6 * Double(g.nextUnitFloat())))))
            row.removeAll(keepingCapacity: true)
            for _ in 0..<want {
                let u = Double(g.nextUnitFloat())
                row.append(Int32(min(movies - 1, Int(Double(movies) * u * u))))
            }
            row.sort()
            var last: Int32 = -1
            for c in row where c != last { columns.append(c); last = c }
            offsets.append(Int64(columns.count))
        }
        var values = [Float](repeating: 0, count: columns.count)
        for i in 0..<values.count { values[i] = Float(1 + g.next() % 10) * 0.5 }
        return try SparseMatrix(rows: users, cols: movies, rowOffsets: offsets, columns: columns, values: values)
    }
}
