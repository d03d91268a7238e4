import Runtime

/// The small seed matrix W (userFactor × movieFactor) of the fractal expansion: positive
/// entries, every row summing to 1 and every column to userFactor / movieFactor.
///
/// Entries start as 0.25 + U(0, 1) (seeded) and are balanced by Sinkhorn iterations (rows to 1,
/// columns to F₁/F₂), ending with a row normalisation so rows are exact probability vectors.
/// Row i is the distribution of the column block a rating of user copy i lands in, so each user
/// copy keeps all of its user's ratings and each movie copy receives, in expectation,
/// F₁/F₂ × its movie's ratings.
struct ExpansionSeedMatrix: Sendable {
    let rows: Int
    let columns: Int
    /// Row-major entries.
    private(set) var weights: [Double]
    /// Row-major cumulative sums of each row (last of a row = 1).
    private(set) var cumulative: [Double]

    init(rows: Int, columns: Int, mixer: SeedMixer) {
        self.rows = rows
        self.columns = columns
        var g = mixer.generator(.expandSeed, 0)
        var w = (0..<(rows * columns)).map { _ in 0.25 + g.nextUnit() }
        let columnTarget = Double(rows) / Double(columns)
        for _ in 0..<200 {
            for i in 0..<rows {
                let s = (0..<columns).reduce(0.0) { $0 + w[i * columns + $1] }
                for j in 0..<columns { w[i * columns + j] /= s }
            }
            for j in 0..<columns {
                let s = (0..<rows).reduce(0.0) { $0 + w[$1 * columns + j] }
                for i in 0..<rows { w[i * columns + j] *= columnTarget / s }
            }
        }
        for i in 0..<rows {
            let s = (0..<columns).reduce(0.0) { $0 + w[i * columns + $1] }
            for j in 0..<columns { w[i * columns + j] /= s }
        }
        weights = w
        cumulative = w
        for i in 0..<rows {
            var acc = 0.0
            for j in 0..<columns {
                acc += w[i * columns + j]
                cumulative[i * columns + j] = j == columns - 1 ? 1 : acc
            }
        }
    }

    /// A column block for a rating of user copy `row`.
    @inline(__always)
    func column(row: Int, _ g: inout SplitMix64) -> Int {
        let x = g.nextUnit()
        let base = row * columns
        var j = 0
        while j < columns - 1 && x >= cumulative[base + j] { j += 1 }
        return j
    }

    /// Sum of column `j` (≈ rows / columns).
    func columnSum(_ j: Int) -> Double { (0..<rows).reduce(0.0) { $0 + weights[$1 * columns + j] } }
}
