/// SplitMix64: a small, fast, seeded pseudo-random generator (Steele, Lea & Flood 2014).
/// The same seed gives the same sequence on every platform, which is what tests, benchmarks and
/// seeded algorithms need; never use `SystemRandomNumberGenerator` inside algorithms.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }
}

extension Matrix {
    /// A matrix of uniform values in `range`, reproducible from `seed`.
    public static func random(rows: Int, cols: Int, in range: ClosedRange<Element> = -1...1, seed: UInt64) -> Matrix {
        var g = SplitMix64(seed: seed)
        let n = max(0, rows) * max(0, cols)
        var s = [Element](repeating: 0, count: n)
        let lo = range.lowerBound, width = range.upperBound - range.lowerBound
        for i in 0..<n { s[i] = lo + width * Element(g.next() >> 11) * Element(0x1p-53) }
        return Matrix(uncheckedRows: max(0, rows), cols: max(0, cols), storage: s)
    }
}
