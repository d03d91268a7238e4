import Foundation
import Runtime

/// How many ratings each user gets: `minimum` each, plus a share of the rest proportional to a
/// log-normal weight `exp(σ·z)`, capped at the number of movies; integer shares by cumulative
/// rounding so the counts add up to the requested total exactly.
///
/// With σ = 1.3 and ml-latest-small's sizes (610 users, 100,836 ratings) the counts have
/// minimum 20, median ≈ 80 and a long right tail (ml-latest-small: 20, 70.5, max 2,698).
enum ActivityAllocation {
    static let sigma = 1.3

    /// Counts for `users` users adding up to `total`, each in `minimum…cap`.
    /// Requires `minimum × users ≤ total ≤ cap × users` (checked by `SynthParameters.validate`).
    static func counts(users: Int, total: Int, minimum: Int, cap: Int, mixer: SeedMixer) -> [Int32] {
        var weight = [Double](repeating: 0, count: users)
        for u in 0..<users {
            var g = mixer.generator(.activity, u)
            weight[u] = (sigma * g.nextGaussian()).clampedExp()
        }
        var counts = [Int32](repeating: Int32(clamping: minimum), count: users)
        var open = [Bool](repeating: true, count: users)  // not yet at the cap
        var remaining = total - minimum * users
        let room = cap - minimum
        // Water-filling: hand out `remaining` by weight among users below the cap; users whose
        // share would pass the cap are fixed at it and the rest is handed out again.
        while remaining > 0 {
            var sum = 0.0
            for u in 0..<users where open[u] { sum += weight[u] }
            guard sum > 0 else { break }
            var capped = false
            for u in 0..<users where open[u] {
                let have = Int(counts[u]) - minimum
                if Double(have) + Double(remaining) * weight[u] / sum >= Double(room) {
                    remaining -= room - have
                    counts[u] = Int32(clamping: cap)
                    open[u] = false
                    capped = true
                }
            }
            if capped { continue }
            // No one passes the cap: cumulative rounding of the shares.
            var cumulative = 0.0, given = 0
            let share = Double(remaining)
            for u in 0..<users where open[u] {
                cumulative += share * weight[u] / sum
                let upTo = min(remaining, Int(cumulative.rounded(.down)))
                let extra = min(upTo - given, room - (Int(counts[u]) - minimum))
                counts[u] += Int32(clamping: max(0, extra))
                given += max(0, extra)
            }
            remaining -= given
            // Rounding leftovers (fewer than the number of users): one each, in user order.
            if remaining > 0 {
                for u in 0..<users where remaining > 0 && Int(counts[u]) < cap {
                    counts[u] += 1
                    remaining -= 1
                }
            }
        }
        return counts
    }
}

private extension Double {
    /// `exp(self)` limited to a range where sums cannot overflow.
    func clampedExp() -> Double { exp(Swift.min(Swift.max(self, -30), 30)) }
}
