import ArgumentParser
import Foundation
import Logging
import Runtime

/// Output options shared by the commands that train or serve: progress bars and log verbosity.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "No progress bars (they are drawn on stderr only when it is a terminal).")
    var quiet = false

    @Flag(name: .long, help: "Log what happens (same as --log-level info).")
    var verbose = false

    @Option(name: .customLong("log-level"), help: "Log level on stderr: trace, debug, info, notice, warning, error, critical (default: warning).")
    var logLevel: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel.lowercased()) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical (got \(logLevel))")
        }
    }

    /// The level these options ask for.
    var level: Logger.Level {
        if let logLevel, let l = Logger.Level(rawValue: logLevel.lowercased()) { return l }
        return verbose ? .info : .warning
    }

    /// Bootstraps logging (once per process) and returns the progress reporter to use.
    func start() -> any ProgressReporter {
        CLILogging.configure(level)
        return TerminalProgress.make(quiet: quiet)
    }
}

/// The CLI's one logging bootstrap: swift-log to stderr, at the level the command line asked for.
///
/// `LoggingSystem.bootstrap` may run only once per process, and tests run several commands in
/// one process, so the bootstrap happens on first use and the level lives in a lock-protected box
/// that later commands update (loggers created after `configure` pick the new level up).
enum CLILogging {
    private final class LevelBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Logger.Level = .warning
        var level: Logger.Level {
            get { lock.lock(); defer { lock.unlock() }; return value }
            set { lock.lock(); value = newValue; lock.unlock() }
        }
    }

    private static let box = LevelBox()
    private static let bootstrapped: Bool = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = CLILogging.box.level
            return handler
        }
        return true
    }()

    /// Sets the level of loggers created from now on, bootstrapping on first call.
    static func configure(_ level: Logger.Level) {
        box.level = level
        _ = bootstrapped
    }

    /// A logger for the CLI.
    static func logger(_ label: String = "movierec") -> Logger { Logger(label: label) }
}

/// Progress that also logs each stage's duration at `debug` (so `--log-level debug` shows stage
/// times when stderr is not a terminal).
struct LoggingProgress: ProgressReporter {
    let inner: any ProgressReporter
    let logger: Logger
    private let clock = StageClock()

    init(_ inner: any ProgressReporter, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    func begin(_ stage: String, total: Int?) {
        clock.start(stage)
        inner.begin(stage, total: total)
    }
    func advance(_ units: Int) { inner.advance(units) }
    func end() {
        if let (stage, seconds) = clock.stop() {
            logger.debug("stage \(stage): \(String(format: "%.3f", seconds)) s")
        }
        inner.end()
    }
    func note(_ message: String) {
        logger.debug("\(message)")
        inner.note(message)
    }

    private final class StageClock: @unchecked Sendable {
        private let lock = NSLock()
        private var current: (String, UInt64)?
        func start(_ stage: String) {
            lock.lock(); current = (stage, DispatchTime.now().uptimeNanoseconds); lock.unlock()
        }
        func stop() -> (String, Double)? {
            lock.lock(); defer { lock.unlock() }
            guard let (s, t) = current else { return nil }
            current = nil
            return (s, Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
        }
    }
}
