/// SplitMix64: a small, fast, seeded pseudo-random generator (Steele, Lea & Flood 2014), the one
/// generator behind every seeded algorithm of MovieRec (row/column sampling, k-means++, folds,
/// factorisation initialisation). The same seed gives the same sequence on every platform; never
/// use `SystemRandomNumberGenerator` inside algorithms.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    @usableFromInline var state: UInt64

    /// Creates a generator from `seed`; equal seeds give equal streams.
    @inlinable public init(seed: UInt64) { state = seed }

    /// Advances the stream by `count` draws in O(1): afterwards `next()` returns what it would
    /// have returned after `count` calls. (The state moves by a constant per draw, so a stream
    /// can be cut into blocks drawn in parallel, each from its own skipped copy.)
    @inlinable public mutating func skip(_ count: Int) {
        state &+= UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
    }

    /// The next 64 random bits.
    @inlinable public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    @inlinable public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniform Float in [0, 1) with 24 random bits.
    @inlinable public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// A uniform integer in `0..<bound` (bound > 0) by Lemire's multiply-shift (bias below 2⁻⁶⁴·bound).
    @inlinable public mutating func nextBelow(_ bound: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(max(bound, 1))).high)
    }
}
