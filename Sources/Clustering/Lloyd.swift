import LinearAlgebra
import Runtime

/// Lloyd's algorithm from given initial centres (scikit-learn's "lloyd" semantics).
///
/// Each iteration assigns every row to its nearest centre (E-step, inertia recorded) and moves
/// each centre to the weighted mean of its rows (M-step). A cluster left empty is relocated to
/// the row farthest from its current centre (the next farthest for the next empty cluster, ties
/// by row index), and that row's weight leaves its old cluster. Iteration stops when the labels
/// did not change (strict convergence), when the total squared centre shift is ≤ `tol`, or after
/// `maxIter` iterations; unless strictly converged, a final E-step labels the rows with the
/// final centres.
enum Lloyd {
    struct Outcome: Sendable {
        var centres: [Float]
        var assignment: Assignment
        var iterations: Int
        var converged: Bool
        var history: [Double]
    }

    static func run(
        _ points: Points, weights: [Float]?, initial: [Float], k: Int,
        maxIter: Int, tol: Double, backend: Backend, threads: Int
    ) -> Outcome {
        let d = points.d
        var centreValues = initial
        var centres = Centres(k: k, d: d, values: centreValues, backend: backend)
        var previous: [Int32]? = nil
        var history: [Double] = []
        var iterations = 0
        var converged = false
        var strict = false
        var assignment = Assignment(labels: [], distances: [])
        for it in 0..<maxIter {
            iterations = it + 1
            assignment = AssignKernel.assign(points, centres: centres, backend: backend, threads: threads)
            history.append(assignment.inertia(weights: weights))
            let updated = updateCentres(points, assignment: assignment, weights: weights, k: k, old: centreValues, threads: threads)
            var shift = 0.0
            for i in 0..<updated.count { let dlt = Double(updated[i]) - Double(centreValues[i]); shift += dlt * dlt }
            centreValues = updated
            centres = Centres(k: k, d: d, values: centreValues, backend: backend)
            if let p = previous, p == assignment.labels { strict = true; converged = true; break }
            previous = assignment.labels
            if shift <= tol { converged = true; break }
        }
        if !strict {
            assignment = AssignKernel.assign(points, centres: centres, backend: backend, threads: threads)
        }
        return Outcome(centres: centreValues, assignment: assignment, iterations: iterations, converged: converged, history: history)
    }

    /// The M-step: weighted means of each cluster's rows, with empty clusters relocated.
    ///
    /// Rows are bucketed by label (counting sort, row order kept) and each cluster's sum is
    /// accumulated in double precision in row order, clusters in parallel — so the result does
    /// not depend on the thread count.
    static func updateCentres(
        _ points: Points, assignment: Assignment, weights: [Float]?, k: Int, old: [Float], threads: Int
    ) -> [Float] {
        let n = points.n, d = points.d
        let labels = assignment.labels
        var mass = [Double](repeating: 0, count: k)
        for i in 0..<n { mass[Int(labels[i])] += weights.map { Double($0[i]) } ?? 1 }

        // Relocation plan for empty clusters: (cluster, row) pairs; the row leaves its cluster.
        var moved: [Int: Int] = [:]  // row -> new cluster
        let empty = (0..<k).filter { mass[$0] == 0 }
        if !empty.isEmpty {
            let far = (0..<n).sorted { a, b in
                let da = assignment.distances[a], db = assignment.distances[b]
                return da != db ? da > db : a < b
            }
            for (e, c) in empty.enumerated() where e < far.count {
                let row = far[e]
                let w = weights.map { Double($0[row]) } ?? 1
                mass[Int(labels[row])] -= w
                mass[c] += w
                moved[row] = c
            }
        }

        // Bucket rows by final cluster.
        var start = [Int](repeating: 0, count: k + 1)
        func clusterOf(_ i: Int) -> Int { moved[i] ?? Int(labels[i]) }
        for i in 0..<n { start[clusterOf(i) + 1] += 1 }
        for c in 0..<k { start[c + 1] += start[c] }
        var fill = start
        var order = [Int](repeating: 0, count: n)
        for i in 0..<n { let c = clusterOf(i); order[fill[c]] = i; fill[c] += 1 }

        var out = old
        out.withUnsafeMutableBufferPointer { ob in
            let o = UnsafeSendable(ob)
            parallelFor(chunks: k, threads: threads) { c in
                let members = start[c]..<start[c + 1]
                guard !members.isEmpty else { return }  // keeps the old centre (only when n < k)
                var acc = [Double](repeating: 0, count: d)
                var total = 0.0
                for slot in members {
                    let i = order[slot]
                    let w = weights.map { Double($0[i]) } ?? 1
                    total += w
                    points.forEachValue(ofRow: i) { j, v in acc[j] += w * Double(v) }
                }
                guard total > 0 else { return }
                for j in 0..<d { o.value[c * d + j] = Float(acc[j] / total) }
            }
        }
        return out
    }
}
