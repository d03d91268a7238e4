/// Receives the progress of long-running work so that a front end can draw it.
///
/// Library code (features, training, evaluation) reports stages and units of work through this
/// protocol and knows nothing of terminals; the `movierec` CLI renders it as progress bars with an
/// ETA on stderr, and tests pass `SilentProgress()`. Implementations must be thread-safe:
/// `advance` may be called from the workers of a parallel loop.
public protocol ProgressReporter: Sendable {
    /// A stage named `stage` begins, made of `total` units of work (`nil` when unknown).
    func begin(_ stage: String, total: Int?)
    /// `units` more units of the current stage are done.
    func advance(_ units: Int)
    /// The current stage ends.
    func end()
    /// A one-line message worth showing (e.g. a fold's metrics); not a bar.
    func note(_ message: String)
}

extension ProgressReporter {
    /// Runs `body` as one stage of `total` units, ending the stage even when `body` throws.
    public func stage<T>(_ name: String, total: Int? = nil, _ body: () throws -> T) rethrows -> T {
        begin(name, total: total)
        defer { end() }
        return try body()
    }
}

/// A reporter that shows nothing.
public struct SilentProgress: ProgressReporter {
    public init() {}
    public func begin(_ stage: String, total: Int?) {}
    public func advance(_ units: Int) {}
    public func end() {}
    public func note(_ message: String) {}
}
