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
        maxIter: Int, tol: Double, backend: Backend, threads: Int, rowNorms: [Float]? = nil, lanes: LaneRows? = nil
    ) -> Outcome {
        let rowNorms = rowNorms ?? points.squaredNorms(backend: backend, threads: threads)
        if case .dense(let m) = points, let lanes {
            return runLanes(m, lanes: lanes, weights: weights, initial: initial, k: k, maxIter: maxIter, tol: tol, backend: backend)
        }
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
            let shift = squaredShift(centreValues, updated)
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

    /// Whether `run` takes the row-lane path for these rows: dense, Swift backend, and little
    /// enough work per iteration (`n·d·k` multiply-adds) that one thread does it all — the fused
    /// pass adds rows to the sums in row order, so it never splits rows across threads.
    static func usesLanes(_ points: Points, k: Int, backend: Backend) -> Bool {
        guard case .dense(let m) = points, backend == .swift else { return false }
        let (perRow, o1) = m.cols.multipliedReportingOverflow(by: k)
        let (work, o2) = m.rows.multipliedReportingOverflow(by: perRow)
        return !o1 && !o2 && work < laneWorkLimit
    }

    /// Multiply-adds per iteration up to which the row-lane path runs (one thread per restart).
    static let laneWorkLimit = 1 << 24

    /// Σ (newᵢ − oldᵢ)² in double precision.
    static func squaredShift(_ old: [Float], _ new: [Float]) -> Double {
        var shift = 0.0
        for i in 0..<new.count { let dlt = Double(new[i]) - Double(old[i]); shift += dlt * dlt }
        return shift
    }

    /// `run` on dense rows through `LaneKernel`: one pass per iteration assigns the rows, checks
    /// strict convergence, sums the inertia and the M-step sums; labels, distances and sums are
    /// reused across iterations. Same iterations, labels, centres and inertia as the generic loop.
    static func runLanes(
        _ m: Matrix<Float>, lanes: LaneRows, weights: [Float]?, initial: [Float], k: Int,
        maxIter: Int, tol: Double, backend: Backend
    ) -> Outcome {
        let n = m.rows, d = m.cols
        var centreValues = initial
        var updated = initial
        var scratch = UpdateScratch(k: k, d: d)
        var packed = LaneCentres(k: k, d: d)
        var count = [Int](repeating: 0, count: k)
        var labels = [Int32](repeating: 0, count: n)
        var distances = [Float](repeating: 0, count: n)
        var history: [Double] = []
        history.reserveCapacity(min(maxIter, 1024))
        var iterations = 0
        var converged = false
        var strict = false
        let points = Points.dense(m)

        // Unit weights and exact sums: after the first pass only the rows that change cluster
        // update the sums (identical to recomputing them; see `LaneRows.exactSums`).
        let incremental = weights == nil && lanes.exactSums
        var sumsMatchLabels = false
        for it in 0..<maxIter {
            iterations = it + 1
            let result = lanePass(m, lanes: lanes, centres: centreValues, weights: weights, backend: backend,
                                  packed: &packed, labels: &labels, distances: &distances, summing: true,
                                  incremental: incremental && sumsMatchLabels, sums: &scratch, count: &count)
            history.append(result.inertia)
            // Relocating an empty cluster redoes the sums under other labels: recompute next time.
            sumsMatchLabels = !scratch.total.contains(0)
            for i in 0..<updated.count { updated[i] = centreValues[i] }
            let assignment = Assignment(labels: labels, distances: distances)
            finishUpdate(points, assignment: assignment, weights: weights, k: k, into: &updated, scratch: &scratch)
            let shift = squaredShift(centreValues, updated)
            swap(&centreValues, &updated)
            if it > 0 && !result.changed { strict = true; converged = true; break }
            if shift <= tol { converged = true; break }
        }
        if !strict {
            _ = lanePass(m, lanes: lanes, centres: centreValues, weights: weights, backend: backend,
                         packed: &packed, labels: &labels, distances: &distances, summing: false, sums: &scratch, count: &count)
        }
        return Outcome(centres: centreValues, assignment: Assignment(labels: labels, distances: distances),
                       iterations: iterations, converged: converged, history: history)
    }

    /// One `LaneKernel` pass with `centres`; with `summing`, the M-step sums of the new labels
    /// into `sums` (zeroed first, unless `incremental`: then `sums` and `count` hold the sums of
    /// the labels before the pass; unit weights count rows in `count`, copied to the totals).
    static func lanePass(
        _ m: Matrix<Float>, lanes: LaneRows, centres: [Float], weights: [Float]?, backend: Backend,
        packed: inout LaneCentres, labels: inout [Int32], distances: inout [Float],
        summing: Bool, incremental: Bool = false, sums: inout UpdateScratch, count: inout [Int]
    ) -> LaneKernel.Pass {
        let k = packed.k
        packed.load(Centres(k: k, d: packed.d, values: centres, backend: backend))
        if summing && !incremental {
            for i in 0..<sums.acc.count { sums.acc[i] = 0 }
            for i in 0..<k { sums.total[i] = 0; count[i] = 0 }
        }
        let result = m.withUnsafeBufferPointer { xp in
            labels.withUnsafeMutableBufferPointer { lp in
                distances.withUnsafeMutableBufferPointer { dp in
                    sums.acc.withUnsafeMutableBufferPointer { ap in
                        sums.total.withUnsafeMutableBufferPointer { tp in
                            count.withUnsafeMutableBufferPointer { cp in
                                (weights ?? []).withUnsafeBufferPointer { wp in
                                    guard let x = xp.baseAddress, let l = lp.baseAddress, let dd = dp.baseAddress else {
                                        return LaneKernel.Pass(changed: false, inertia: 0)
                                    }
                                    return LaneKernel.pass(
                                        lanes, x: x, centres: packed, weights: weights == nil ? nil : wp.baseAddress,
                                        blocks: 0..<lanes.blocks, labels: l, distances: dd,
                                        sums: summing ? ap.baseAddress : nil, totals: summing ? tp.baseAddress : nil,
                                        counts: summing ? cp.baseAddress : nil, incremental: incremental)
                                }
                            }
                        }
                    }
                }
            }
        }
        if summing && weights == nil {
            for c in 0..<k { sums.total[c] = Double(count[c]) }
        }
        return result
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
        accumulate(points, labels: assignment.labels, weights: weights, scratch: &scratch)
        finishUpdate(points, assignment: assignment, weights: weights, k: k, into: &centres, scratch: &scratch)
    }

    /// The M-step after `accumulate` under `assignment.labels`: relocates empty clusters (the
    /// farthest rows, ties by row index, leave their cluster; the sums are redone with those
    /// labels) and writes the means of the clusters of positive weight into `centres`.
    static func finishUpdate(
        _ points: Points, assignment: Assignment, weights: [Float]?, k: Int,
        into centres: inout [Float], scratch: inout UpdateScratch
    ) {
        let n = points.n, d = points.d
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
