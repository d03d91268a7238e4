import Foundation

/// A linear axis with "nice" round ticks (1, 2, 2.5 or 5 × 10ⁿ apart) whose range covers the data.
public struct AxisScale: Sendable, Equatable {
    /// Lower end of the axis (≤ every value it was built from).
    public let lower: Double
    /// Upper end of the axis (≥ every value it was built from).
    public let upper: Double
    /// Distance between ticks.
    public let step: Double

    /// An axis covering the finite `values` (non-finite ones are ignored), with about `ticks`
    /// ticks. `includeZero` extends it to 0 (bars grow from zero). No finite value gives [0, 1].
    public init(covering values: [Double], includeZero: Bool = false, ticks: Int = 5) {
        let finite = values.filter { $0.isFinite }
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
        if finite.isEmpty { lo = 0; hi = 1 }
        if lo == hi {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= lo == 0 && includeZero ? 0 : pad
            hi += pad
        }
        self.init(lower: lo, upper: hi, ticks: ticks)
    }

    /// An axis from `lower` to `upper` rounded outward to the nice step (`lower < upper`, finite).
    public init(lower: Double, upper: Double, ticks: Int = 5) {
        let span = upper - lower
        let step = AxisScale.niceStep(span / Double(max(ticks - 1, 1)))
        var lo = (lower / step).rounded(.down) * step
        var hi = (upper / step).rounded(.up) * step
        // Guard against floating-point rounding pushing a bound inside the data.
        if lo > lower { lo -= step }
        if hi < upper { hi += step }
        self.lower = lo
        self.upper = hi
        self.step = step
    }

    /// An axis with exactly the given bounds and step (e.g. [0, 1] for rates).
    public init(fixedLower: Double, upper: Double, step: Double) {
        self.lower = fixedLower
        self.upper = upper
        self.step = step
    }

    /// The tick values from `lower` to `upper`.
    public var ticks: [Double] {
        guard step > 0, step.isFinite, upper > lower else { return [lower] }
        let count = Int(((upper - lower) / step).rounded()) + 1
        return (0..<min(count, 101)).map { i -> Double in
            let v = lower + Double(i) * step
            return abs(v) < step * 1e-9 ? 0 : v  // no "-0.0" from rounding
        }
    }

    /// Where `value` falls on [0, 1] along the axis (clamped).
    public func fraction(_ value: Double) -> Double {
        guard upper > lower, value.isFinite else { return 0 }
        return min(max((value - lower) / (upper - lower), 0), 1)
    }

    /// A tick label with just enough decimals for the step.
    public func label(_ value: Double) -> String {
        // Enough decimals to write every multiple of the step exactly (2.5 needs one, 0.25 two).
        let exponent = Int(log10(step).rounded(.down))
        let decimals = min(max(0, -exponent + (AxisScale.isHalfStep(step) ? 1 : 0)), 6)
        if decimals == 0 {
            return abs(value) >= 10_000 ? AxisScale.grouped(value) : String(format: "%.0f", value)
        }
        return String(format: "%.\(decimals)f", value)
    }

    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let f = raw / magnitude
        let nice: Double = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10
        return nice * magnitude
    }

    private static func isHalfStep(_ step: Double) -> Bool {
        let magnitude = pow(10, (log10(step)).rounded(.down))
        return abs(step / magnitude - 2.5) < 1e-9
    }

    private static func grouped(_ value: Double) -> String {
        let i = Int(value.rounded())
        let digits = String(abs(i))
        var out = ""
        for (k, c) in digits.reversed().enumerated() {
            if k > 0 && k % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (i < 0 ? "-" : "") + String(out.reversed())
    }
}
