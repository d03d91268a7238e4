@testable import Factorization
import LinearAlgebra
import Runtime
import XCTest

/// Small reference implementations and data generators for the factorisation tests.
enum Fixtures {
    /// Solves the dense system `a·x = b` (n × n, row-major, Double) by Gaussian elimination with
    /// partial pivoting.
    static func denseSolve(_ a: [Double], _ b: [Double], n: Int) -> [Double] {
        var m = a, r = b
        for col in 0..<n {
            var pivot = col
            for i in (col + 1)..<max(col + 1, n) where abs(m[i * n + col]) > abs(m[pivot * n + col]) { pivot = i }
            if pivot != col {
                for j in 0..<n { m.swapAt(col * n + j, pivot * n + j) }
                r.swapAt(col, pivot)
            }
            for i in (col + 1)..<max(col + 1, n) {
                let f = m[i * n + col] / m[col * n + col]
                for j in col..<n { m[i * n + j] -= f * m[col * n + j] }
                r[i] -= f * r[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = r[i]
            for j in (i + 1)..<max(i + 1, n) { s -= m[i * n + j] * x[j] }
            x[i] = s / m[i * n + i]
        }
        return x
    }

    /// The naive implicit objective over the dense preference/confidence matrices.
    static func naiveLoss(_ r: SparseMatrix, _ model: ALSModel) -> Double {
        let dense = r.densified()
        let p = model.parameters
        let k = model.factors
        var total = 0.0
        for u in 0..<r.rows {
            for i in 0..<r.cols {
                let strength = p.preference.strength(dense[u, i])
                let stored = r.columns[r.range(ofRow: u)].contains(Int32(i))
                let pref: Double = stored && strength > 0 ? 1 : 0
                let c: Double = stored && strength > 0 ? 1 + Double(p.alpha) * Double(strength) : 1
                var s = 0.0
                for f in 0..<k { s += Double(model.userFactors[u, f]) * Double(model.itemFactors[i, f]) }
                total += c * (pref - s) * (pref - s)
            }
        }
        var norms = 0.0
        for v in model.userFactors.storage { norms += Double(v) * Double(v) }
        for v in model.itemFactors.storage { norms += Double(v) * Double(v) }
        return total + Double(p.regularization) * norms
    }

    /// A random sparse users × items matrix with about `density` of entries set to values 1…5.
    static func randomMatrix(users: Int, items: Int, density: Double, seed: UInt64) throws -> SparseMatrix {
        var g = SplitMix64(seed: seed)
        var rows: [Int] = [], cols: [Int] = [], vals: [Float] = []
        for u in 0..<users {
            for i in 0..<items where g.nextUnit() < density {
                rows.append(u); cols.append(i); vals.append(Float(1 + g.nextBelow(5)))
            }
        }
        return try SparseMatrix(rows: users, cols: items, rowIndices: rows, colIndices: cols, values: vals)
    }

    /// A planted rank-`rank` preference structure: user u likes item i with probability rising
    /// with ⟨a_u, b_i⟩. Returns the train matrix and each user's held-out liked items.
    static func planted(users: Int, items: Int, rank: Int, seed: UInt64)
        throws -> (train: SparseMatrix, heldOut: [[Int32]], all: [Set<Int32>]) {
        var g = SplitMix64(seed: seed)
        // Each user and item belongs to one of `rank` groups, plus noise; users like mostly their group.
        let userGroup = (0..<users).map { _ in g.nextBelow(rank) }
        let itemGroup = (0..<items).map { _ in g.nextBelow(rank) }
        var rows: [Int] = [], cols: [Int] = [], vals: [Float] = []
        var heldOut = [[Int32]](repeating: [], count: users)
        var all = [Set<Int32>](repeating: [], count: users)
        for u in 0..<users {
            for i in 0..<items {
                let p = userGroup[u] == itemGroup[i] ? 0.6 : 0.002
                guard g.nextUnit() < p else { continue }
                all[u].insert(Int32(i))
                if g.nextUnit() < 0.2 {
                    heldOut[u].append(Int32(i))
                } else {
                    rows.append(u); cols.append(i); vals.append(1)
                }
            }
        }
        let train = try SparseMatrix(rows: users, cols: items, rowIndices: rows, colIndices: cols, values: vals)
        return (train, heldOut, all)
    }

    static func parameters(factors: Int = 4, iterations: Int = 10, solver: ALSSolver = .cholesky,
                           backend: Backend = .blas, threads: Int = 1) -> ImplicitALSParameters {
        var p = ImplicitALSParameters()
        p.factors = factors
        p.iterations = iterations
        p.solver = solver
        p.backend = backend
        p.threads = threads
        p.regularization = 0.1
        p.alpha = 2
        p.preference = .value
        return p
    }
}
