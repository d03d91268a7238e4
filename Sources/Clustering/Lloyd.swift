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
        maxIter: Int, tol: Double, backend: Backend, threads: Int, rowNorms: [Float]? = nil
    ) -> Outcome {
        let rowNorms = rowNorms ?? points.squaredNorms(backend: backend, threads: threads)
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
            assignment = AssignKernel.assign(points, centres: centres, rowNorms: rowNorms, backend: backend, threads: threads)
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
            assignment = AssignKernel.assign(points, centres: centres, rowNorms: rowNorms, backend: backend, threads: threads)
        }
        return Outcome(centres: centreValues, assignment: assignment, iterations: iterations, converged: converged, history: history)
    }

    /// The M-step: weighted means of each cluster's rows, with empty clusters relocated.
    ///
    /// One pass over the rows in row order adds each row into its (final) cluster's double-precision
    /// sum — per cluster and column the same additions in the same order as summing each cluster's
    /// rows separately, so the result does not depend on the thread count. The pass runs on the
    /// calling thread: it is one scattered add per stored value, cheaper than a thread hand-off
    /// plus a merge of per-thread sums.
    static func updateCentres(
        _ points: Points, assignment: Assignment, weights: [Float]?, k: Int, old: [Float], threads: Int
    ) -> [Float] {
        let n = points.n, d = points.d
        var target = assignment.labels
        var mass = [Double](repeating: 0, count: k)
        if let w = weights {
            for i in 0..<n { mass[Int(target[i])] += Double(w[i]) }
        } else {
            for i in 0..<n { mass[Int(target[i])] += 1 }
        }

        // Relocation of empty clusters: the farthest rows (ties by row index) leave their cluster.
        let empty = (0..<k).filter { mass[$0] == 0 }
        if !empty.isEmpty {
            let far = (0..<n).sorted { a, b in
                let da = assignment.distances[a], db = assignment.distances[b]
                return da != db ? da > db : a < b
            }
            for (e, c) in empty.enumerated() where e < far.count {
                target[far[e]] = Int32(c)
            }
        }

        var acc = [Double](repeating: 0, count: k * d)
        var total = [Double](repeating: 0, count: k)
        acc.withUnsafeMutableBufferPointer { ap in
            total.withUnsafeMutableBufferPointer { tp in
                target.withUnsafeBufferPointer { lp in
                    guard let a = ap.baseAddress else { return }
                    switch points {
                    case .dense(let m):
                        m.withUnsafeBufferPointer { xp in
                            guard let x = xp.baseAddress else { return }
                            for i in 0..<n {
                                let c = Int(lp[i])
                                let wi = weights.map { Double($0[i]) } ?? 1
                                tp[c] += wi
                                let row = x + i * d, dst = a + c * d
                                if wi == 1 {
                                    for j in 0..<d { dst[j] += Double(row[j]) }
                                } else {
                                    for j in 0..<d { dst[j] += wi * Double(row[j]) }
                                }
                            }
                        }
                    case .sparse(let s):
                        s.rowOffsets.withUnsafeBufferPointer { op in
                            s.columns.withUnsafeBufferPointer { cp in
                                s.values.withUnsafeBufferPointer { vp in
                                    for i in 0..<n {
                                        let c = Int(lp[i])
                                        let wi = weights.map { Double($0[i]) } ?? 1
                                        tp[c] += wi
                                        let dst = a + c * d
                                        let r = Int(op[i])..<Int(op[i + 1])
                                        if wi == 1 {
                                            for p in r { dst[Int(cp[p])] += Double(vp[p]) }
                                        } else {
                                            for p in r { dst[Int(cp[p])] += wi * Double(vp[p]) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        var out = old
        for c in 0..<k where total[c] > 0 {  // an empty cluster keeps its old centre (only when n < k)
            let t = total[c]
            for j in 0..<d { out[c * d + j] = Float(acc[c * d + j] / t) }
        }
        return out
    }
}
