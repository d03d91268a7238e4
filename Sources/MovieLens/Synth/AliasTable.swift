import Runtime

/// Walker's alias method (Vose's construction): O(1) draws from a fixed discrete distribution
/// with one 64-bit random word per draw.
struct AliasTable: Sendable {
    /// Acceptance threshold of each slot, scaled to 2³².
    private(set) var threshold: [UInt32]
    /// Where a rejected draw of each slot goes.
    private(set) var alias: [Int32]

    var count: Int { alias.count }

    /// A table for `weights` (positive, finite).
    init(weights: [Double]) {
        let n = weights.count
        let total = weights.reduce(0, +)
        var scaled = weights.map { $0 * Double(n) / total }
        threshold = [UInt32](repeating: UInt32.max, count: n)
        alias = (0..<n).map { Int32($0) }
        var small: [Int] = [], large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast() {
            guard let l = large.last else { break }
            threshold[s] = UInt32(clamping: Int64((scaled[s] * 4_294_967_296).rounded(.down)))
            alias[s] = Int32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 {
                large.removeLast()
                small.append(l)
            }
        }
        // Whatever is left (rounding) keeps its own slot with probability 1.
        packed = (0..<n).map { UInt64(threshold[$0]) << 32 | UInt64(UInt32(bitPattern: alias[$0])) }
    }

    /// Threshold (high 32 bits) and alias (low 32 bits) of each slot, one load per draw.
    private(set) var packed: [UInt64] = []

    /// One draw: the high bits pick the slot, the low 32 bits the coin.
    @inline(__always)
    func draw(_ g: inout SplitMix64) -> Int {
        let x = g.next()
        let slot = Int(truncatingIfNeeded: x.multipliedFullWidth(by: UInt64(alias.count)).high)
        let coin = UInt32(truncatingIfNeeded: x)
        let entry = packed.withUnsafeBufferPointer { $0[slot] }
        return coin < UInt32(truncatingIfNeeded: entry >> 32) ? slot : Int(UInt32(truncatingIfNeeded: entry))
    }
}
