import LinearAlgebra
import Runtime
import Foundation

/// Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with the greedy variant scikit-learn
/// uses): the first centre is a row drawn with probability proportional to its weight; each
/// further centre is the best of `2 + ⌊ln k⌋` candidates drawn with probability proportional to
/// wᵢ·D(xᵢ)², "best" meaning the candidate that most lowers the potential Σ wᵢ·D(xᵢ)².
enum KMeansPlusPlus {
    /// Returns `k × d` initial centres (row-major).
    static func seed(
        _ points: Points, rowNorms: [Float], weights: [Float]?, k: Int,
        rng: inout SplitMix64, backend: Backend, threads: Int, lanes: LaneRows? = nil
    ) -> [Float] {
        let n = points.n, d = points.d
        let trials = 2 + Int(Foundation.log(Double(max(k, 1))))
        let w: (Int) -> Double = { i in weights.map { Double($0[i]) } ?? 1 }

        var centres = [Float]()
        centres.reserveCapacity(k * d)

        // First centre: weighted draw.
        let total = (0..<n).reduce(0.0) { $0 + w($1) }
        let first = searchSorted(cumulative: prefixSums(n, w), value: rng.nextUnit() * total)
        centres.append(contentsOf: points.denseRow(first))
        var closest = distances(points, rowNorms: rowNorms, candidates: [first], backend: backend, threads: threads, lanes: lanes).map(Double.init)
        var potential = (0..<n).reduce(0.0) { $0 + w($1) * closest[$1] }

        for _ in 1..<max(k, 1) {
            let cumulative = prefixSums(n) { w($0) * closest[$0] }
            var candidates: [Int] = []
            for _ in 0..<trials {
                let r = rng.nextUnit() * potential
                candidates.append(min(searchSorted(cumulative: cumulative, value: r), n - 1))
            }
            let dist = distances(points, rowNorms: rowNorms, candidates: candidates, backend: backend, threads: threads, lanes: lanes)
            let t = candidates.count
            var bestT = 0
            var bestPot = Double.infinity
            for c in 0..<t {
                var pot = 0.0
                for i in 0..<n { pot += w(i) * min(closest[i], Double(dist[i * t + c])) }
                if pot < bestPot { bestPot = pot; bestT = c }
            }
            for i in 0..<n { closest[i] = min(closest[i], Double(dist[i * t + bestT])) }
            potential = bestPot
            centres.append(contentsOf: points.denseRow(candidates[bestT]))
        }
        return centres
    }

    /// Squared distances of every row to each candidate row: row-major `n × candidates.count`,
    /// from one GEMM / sparse × dense product of the rows with the candidates, or with `lanes`
    /// (the same dense rows, Swift backend) from `LaneKernel.dots` — the same values without
    /// GEMM's packing of every row.
    static func distances(
        _ points: Points, rowNorms: [Float], candidates: [Int], backend: Backend, threads: Int, lanes: LaneRows? = nil
    ) -> [Float] {
        let d = points.d, t = candidates.count, n = points.n
        // CSR rows on the Swift backend: the candidates are padded with zero rows to a multiple
        // of 8 so that the sparse × dense product runs in SIMD8 register tiles (narrower
        // products fall back to one scalar pass over the row per column).
        let width = points.isSparse && backend == .swift ? (t + 7) / 8 * 8 : t
        var cv = [Float]()
        cv.reserveCapacity(width * d)
        for c in candidates { cv.append(contentsOf: points.denseRow(c)) }
        cv.append(contentsOf: repeatElement(0, count: (width - t) * d))
        let cs = Centres(k: width, d: d, values: cv, backend: backend)
        let dots = lanes.map { LaneKernel.dots($0, centres: cv, count: width) }
            ?? AssignKernel.dots(points, with: cs.matrix, backend: backend, threads: threads).storage
        var out = [Float](repeating: 0, count: n * t)
        for i in 0..<n {
            for c in 0..<t { out[i * t + c] = max(0, rowNorms[i] - 2 * dots[i * width + c] + cs.norms[c]) }
        }
        // A candidate's distance to itself is exactly 0 (the expansion may leave rounding).
        for (c, i) in candidates.enumerated() { out[i * t + c] = 0 }
        return out
    }

    /// Inclusive prefix sums of `f(0..<n)` in double precision.
    static func prefixSums(_ n: Int, _ f: (Int) -> Double) -> [Double] {
        var out = [Double](repeating: 0, count: n)
        var s = 0.0
        for i in 0..<n { s += f(i); out[i] = s }
        return out
    }

    /// First index `i` with `cumulative[i] >= value` (numpy `searchsorted(side="left")`),
    /// or `cumulative.count` when none.
    static func searchSorted(cumulative: [Double], value: Double) -> Int {
        var lo = 0, hi = cumulative.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
