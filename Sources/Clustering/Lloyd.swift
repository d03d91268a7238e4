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
        var updated = initial
        var scratch = UpdateScratch(k: k, d: d)
        var centres = Centres(k: k, d: d, values: centreValues, backend: backend)
        var previous: [Int32]? = nil
        var history: [Double] = []
        history.reserveCapacity(min(maxIter, 1024))
        var iterations = 0
        var converged = false
        var strict = false
        var assignment = Assignment(labels: [], distances: [])
        for it in 0..<maxIter {
            iterations = it + 1
            assignment = AssignKernel.assign(points, centres: centres, rowNorms: rowNorms, backend: backend, threads: threads)
            history.append(assignment.inertia(weights: weights))
            for i in 0..<updated.count { updated[i] = centreValues[i] }
            updateCentres(points, assignment: assignment, weights: weights, k: k, into: &updated, scratch: &scratch)
            var shift = 0.0
            for i in 0..<updated.count { let dlt = Double(updated[i]) - Double(centreValues[i]); shift += dlt * dlt }
            swap(&centreValues, &updated)
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

    /// Double-precision sums of the M-step, kept across the iterations of a run.
    struct UpdateScratch {
        /// Per cluster and column: Σ wᵢ·xᵢⱼ (`k × d`).
        var acc: [Double]
        /// Per cluster: Σ wᵢ.
        var total: [Double]

        init(k: Int, d: Int) {
            acc = [Double](repeating: 0, count: k * d)
            total = [Double](repeating: 0, count: k)
        }
    }

    /// The M-step into a new array (see `updateCentres(_:assignment:weights:k:into:scratch:)`).
    static func updateCentres(
        _ points: Points, assignment: Assignment, weights: [Float]?, k: Int, old: [Float], threads: Int
    ) -> [Float] {
        var out = old
        var scratch = UpdateScratch(k: k, d: points.d)
        updateCentres(points, assignment: assignment, weights: weights, k: k, into: &out, scratch: &scratch)
        return out
    }

    /// The M-step: weighted means of each cluster's rows, with empty clusters relocated.
    ///
    /// One pass over the rows in row order adds each row into its cluster's double-precision
    /// sum — per cluster and column the same additions in the same order as summing each cluster's
    /// rows separately, so the result does not depend on the thread count. Only when a cluster
    /// ends up empty (its weight is 0) are the farthest rows moved into the empty clusters and the
    /// pass repeated with those labels. The pass runs on the calling thread: it is one scattered
    /// add per stored value, cheaper than a thread hand-off plus a merge of per-thread sums.
    /// - Parameter centres: the old centres (`k × d`) on entry; a cluster of positive weight gets
    ///   its mean, an empty one keeps its old centre (possible only when n < k).
    static func updateCentres(
        _ points: Points, assignment: Assignment, weights: [Float]?, k: Int,
        into centres: inout [Float], scratch: inout UpdateScratch
    ) {
        let n = points.n, d = points.d
        accumulate(points, labels: assignment.labels, weights: weights, scratch: &scratch)

        // Relocation of empty clusters: the farthest rows (ties by row index) leave their cluster.
        let empty = (0..<k).filter { scratch.total[$0] == 0 }
        if !empty.isEmpty {
            var target = assignment.labels
            let far = (0..<n).sorted { a, b in
                let da = assignment.distances[a], db = assignment.distances[b]
                return da != db ? da > db : a < b
            }
            for (e, c) in empty.enumerated() where e < far.count {
                target[far[e]] = Int32(c)
            }
            accumulate(points, labels: target, weights: weights, scratch: &scratch)
        }

        for c in 0..<k where scratch.total[c] > 0 {
            let t = scratch.total[c]
            for j in 0..<d { centres[c * d + j] = Float(scratch.acc[c * d + j] / t) }
        }
    }

    /// `scratch` ← per-cluster sums of the rows (and of their weights) under `labels`, in row order.
    static func accumulate(_ points: Points, labels: [Int32], weights: [Float]?, scratch: inout UpdateScratch) {
        let n = points.n, d = points.d
        for i in 0..<scratch.acc.count { scratch.acc[i] = 0 }
        for i in 0..<scratch.total.count { scratch.total[i] = 0 }
        scratch.acc.withUnsafeMutableBufferPointer { ap in
            scratch.total.withUnsafeMutableBufferPointer { tp in
                labels.withUnsafeBufferPointer { lp in
                    guard let a = ap.baseAddress else { return }
                    switch points {
                    case .dense(let m):
                        m.withUnsafeBufferPointer { xp in
                            guard let x = xp.baseAddress else { return }
                            if let w = weights {
                                for i in 0..<n {
                                    let c = Int(lp[i])
                                    let wi = Double(w[i])
                                    tp[c] += wi
                                    let row = x + i * d, dst = a + c * d
                                    if wi == 1 {
                                        for j in 0..<d { dst[j] += Double(row[j]) }
                                    } else {
                                        for j in 0..<d { dst[j] += wi * Double(row[j]) }
                                    }
                                }
                            } else {
                                // Unit weights: integer counts (n additions of 1.0 are exact, so the
                                // totals are the same) keep the float adds off the per-cluster chain.
                                var count = [Int](repeating: 0, count: tp.count)
                                for i in 0..<n {
                                    let c = Int(lp[i])
                                    count[c] &+= 1
                                    let row = x + i * d, dst = a + c * d
                                    for j in 0..<d { dst[j] += Double(row[j]) }
                                }
                                for c in 0..<tp.count { tp[c] = Double(count[c]) }
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
    }
}
