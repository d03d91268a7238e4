import Runtime

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
