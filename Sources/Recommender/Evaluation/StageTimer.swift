import Foundation

/// Accumulates wall-clock seconds per named stage, remembering the order stages first ran.
public struct StageTimer: Sendable {
    /// Stage names in first-use order.
    public private(set) var order: [String] = []
    /// Seconds per stage.
    public private(set) var seconds: [String: Double] = [:]

    public init() {}

    /// Runs `body`, adding its wall-clock time to `stage`.
    public mutating func measure<T>(_ stage: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { add(stage, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        return try body()
    }

    /// Adds `value` seconds to `stage`.
    public mutating func add(_ stage: String, _ value: Double) {
        if seconds[stage] == nil { order.append(stage) }
        seconds[stage, default: 0] += value
    }
}
