import Dispatch
import Foundation
import Runtime

/// Draws a `ProgressReporter`'s stages as one-line progress bars on a terminal (stderr).
///
/// A stage shows its name, a bar (when the total is known), percent, done/total, rate, ETA and
/// elapsed time, e.g.
/// `classifier  [##########----------]  50%  150/300  41.2/s  ETA 0:04  0:04`.
/// - The line is redrawn at most 10 times a second (by `advance` or by a 100 ms ticker, so a stage
///   that reports no units still shows its elapsed time).
/// - Nothing is drawn during a stage's first `quietPeriod` seconds (0.5 s), so a stage that ends
///   sooner leaves nothing; a stage that was drawn leaves one summary line
///   (`✓ classifier  300 in 7.3 s (41.2/s)`).
/// - `note` prints a message line above the bar.
///
/// Thread-safe: `advance` may be called from the workers of a parallel loop; all state is behind
/// one lock, and the drawing happens under it so lines never interleave.
final class TerminalProgress: ProgressReporter, @unchecked Sendable {
    /// Where the text goes (stderr in the CLI; a buffer in tests).
    typealias Sink = @Sendable (String) -> Void
    /// Seconds since an arbitrary origin.
    typealias Clock = @Sendable () -> Double

    private let lock = NSLock()
    private let sink: Sink
    private let clock: Clock
    private let width: Int
    private let quietPeriod: Double
    private let minInterval = 0.1
    private var ticker: DispatchSourceTimer?

    private var stage: String?
    private var total: Int?
    private var done = 0
    private var started = 0.0
    private var lastDraw = -Double.infinity
    private var drawn = false

    /// A renderer writing to `sink`. `ticking` starts a 100 ms redraw timer per stage (off in tests).
    init(sink: @escaping Sink, clock: @escaping Clock = TerminalProgress.monotonicSeconds, width: Int = 80,
         quietPeriod: Double = 0.5, ticking: Bool = true) {
        self.sink = sink
        self.clock = clock
        self.width = max(40, width)
        self.quietPeriod = quietPeriod
        if ticking {
            let t = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
            t.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100))
            ticker = t
            t.setEventHandler { [weak self] in self?.tick() }
            t.resume()
        }
    }

    deinit { ticker?.cancel() }

    /// The reporter the CLI uses: bars on stderr when it is a terminal and `quiet` is off,
    /// otherwise `SilentProgress`.
    static func make(quiet: Bool) -> any ProgressReporter {
        guard !quiet, isatty(2) != 0 else { return SilentProgress() }
        return TerminalProgress(sink: { FileHandle.standardError.write(Data($0.utf8)) }, width: terminalWidth())
    }

    func begin(_ stage: String, total: Int?) {
        lock.lock(); defer { lock.unlock() }
        finishLocked()
        self.stage = stage
        self.total = total.map { max(0, $0) }
        done = 0
        started = clock()
        lastDraw = -Double.infinity
        drawn = false
    }

    func advance(_ units: Int) {
        lock.lock(); defer { lock.unlock() }
        guard stage != nil else { return }
        done += units
        drawIfDueLocked()
    }

    func end() {
        lock.lock(); defer { lock.unlock() }
        finishLocked()
    }

    func note(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        if drawn { sink("\r\u{1B}[K") }
        sink(message + "\n")
        if drawn { sink(lineLocked(now: clock())) }
    }

    /// Ends the ticker (call when the command is done).
    func close() {
        lock.lock(); defer { lock.unlock() }
        finishLocked()
        ticker?.cancel()
        ticker = nil
    }

    private func tick() {
        lock.lock(); defer { lock.unlock() }
        guard stage != nil else { return }
        drawIfDueLocked()
    }

    private func drawIfDueLocked() {
        let now = clock()
        guard now - started >= quietPeriod, now - lastDraw >= minInterval else { return }
        lastDraw = now
        drawn = true
        sink(lineLocked(now: now))
    }

    private func finishLocked() {
        guard let name = stage else { return }
        if drawn {
            let elapsed = clock() - started
            var summary = "\r\u{1B}[K✓ \(name)  "
            if done > 0 {
                summary += "\(Self.count(done)) in \(Self.seconds(elapsed)) (\(Self.rate(Double(done) / max(elapsed, 1e-9))))"
            } else {
                summary += Self.seconds(elapsed)
            }
            sink(summary + "\n")
        }
        stage = nil
        drawn = false
    }

    /// The current line, starting with a carriage return and an erase-line code.
    private func lineLocked(now: Double) -> String {
        "\r\u{1B}[K" + Self.render(stage: stage ?? "", done: done, total: total, elapsed: now - started, width: width)
    }

    /// One progress line (no control codes), at most `width` characters.
    static func render(stage: String, done: Int, total: Int?, elapsed: Double, width: Int) -> String {
        let rateValue = elapsed > 0 ? Double(done) / elapsed : 0
        var tail = ""
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            tail += String(format: " %3d%%  %@/%@", Int(fraction * 100), count(done), count(total))
            if done > 0 { tail += "  " + rate(rateValue) }
            if done > 0, done < total, rateValue > 0 { tail += "  ETA " + clockText(Double(total - done) / rateValue) }
        } else if done > 0 {
            tail += "  \(count(done))  " + rate(rateValue)
        }
        tail += "  " + clockText(elapsed)
        var name = stage
        let maxName = max(8, width / 3)
        if name.count > maxName { name = String(name.prefix(maxName - 1)) + "…" }
        var line = name
        if let total, total > 0 {
            let barWidth = width - name.count - tail.count - 4
            if barWidth >= 10 {
                let fraction = min(1, Double(done) / Double(total))
                let filled = Int((fraction * Double(barWidth)).rounded(.down))
                line += "  [" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "]"
            }
        }
        line += tail
        return line.count > width ? String(line.prefix(width)) : line
    }

    static func count(_ n: Int) -> String {
        if n >= 10_000_000 { return String(format: "%.1fM", Double(n) / 1e6) }
        if n >= 100_000 { return String(format: "%.0fk", Double(n) / 1e3) }
        return String(n)
    }

    static func rate(_ r: Double) -> String {
        if r >= 1e6 { return String(format: "%.1fM/s", r / 1e6) }
        if r >= 1e3 { return String(format: "%.1fk/s", r / 1e3) }
        return String(format: "%.1f/s", r)
    }

    static func seconds(_ s: Double) -> String { s < 60 ? String(format: "%.1f s", s) : clockText(s) }

    /// m:ss (or h:mm:ss).
    static func clockText(_ s: Double) -> String {
        let t = Int(max(0, s).rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }

    @Sendable static func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Columns of the terminal on stderr (80 when unknown).
    static func terminalWidth() -> Int {
        var ws = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col >= 40 { return Int(ws.ws_col) - 1 }
        return 79
    }
}
