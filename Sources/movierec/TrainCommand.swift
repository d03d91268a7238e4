import ArgumentParser
import Foundation
import LinearAlgebra
import Logging
import MovieLens
import Recommender
import Runtime

/// `--threads`, `--backend` and `--seed`: the knobs of every training command.
struct TrainingArguments: ParsableArguments {
    @Option(name: .long, help: "Threads (default: MOVIEREC_THREADS or all cores).")
    var threads: Int?

    @Option(name: .long, help: "Kernel backend: blas or swift (default: MOVIEREC_BACKEND or blas).")
    var backend: String?

    @Option(name: .long, help: "Seed of every model (same seed + same threads = same models).")
    var seed: UInt64 = 42

    func validate() throws {
        if let threads, threads < 0 { throw ValidationError("--threads must be positive") }
        if let backend { _ = try Backend(parsing: backend) }
    }

    /// The training options these arguments describe.
    func trainingOptions(source: String) throws -> TrainingOptions {
        var o = TrainingOptions()
        o.seed = seed
        o.threads = threads
        o.backend = try backend.map(Backend.init(parsing:)) ?? .default
        o.source = source
        return o
    }
}

/// `movierec train --data PATH --out DIR`: trains every model on all the ratings and writes a model bundle.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train every model on all the data and write a model bundle directory.",
        discussion: """
        Trains the like-classifier and the rating regressor (boosted trees on leak-free features), \
        the genre and rating user clusters with their cluster × movie affinity, the biased \
        factorisation, TF-IDF similar movies and popularity, and writes them with the statistics \
        needed at serving time into DIR (manifest.json + one checksummed file per component). \
        The write is atomic: a failure leaves the previous bundle in DIR intact.
        """
    )

    @Option(name: .long, help: "MovieLens data directory.")
    var data: String

    @Option(name: .long, help: "Bundle directory to write (replaced atomically).")
    var out: String = "models"

    @OptionGroup var training: TrainingArguments
    @OptionGroup var output: OutputOptions

    @Flag(name: .long, help: "Print the manifest summary as JSON.")
    var json = false

    @Option(name: .long, help: "Users whose validation lists tune the notebook hybrid's weight (0 = all; default 300).")
    var notebookTuningUsers: Int?

    @Option(name: .long, help: "Above this many ratings the classifier and regressor train on a seeded sample of this many (default 2,000,000).")
    var boostRowLimit: Int?

    func validate() throws {
        if let n = notebookTuningUsers, n < 0 { throw ValidationError("--notebook-tuning-users must be ≥ 0") }
        if let n = boostRowLimit, n < 1 { throw ValidationError("--boost-row-limit must be ≥ 1") }
    }

    func run() async throws {
        let terminal = output.start()
        let log = CLILogging.logger()
        let progress = StageResources(terminal, logger: log)
        do {
            let clock = StageClock()
            let loaded = try progress.stage("load") {
                try clock.measure("load") { try MovieLensReader.load(directory: data, threads: training.threads) }
            }
            log.info("loaded \(loaded.dataset.ratingCount) ratings from \(data)")
            let bundle = try clock.measure("train") {
                var options = try training.trainingOptions(source: data)
                if let n = notebookTuningUsers { options.notebookTuningUsers = n }
                if let n = boostRowLimit { options.boostRowLimit = n }
                return try ModelTrainer.train(dataset: loaded.dataset, options: options, progress: progress)
            }
            let manifest = try progress.stage("write bundle") { try clock.measure("write bundle") { try BundleStore.write(bundle, to: out) } }
            (terminal as? TerminalProgress)?.close()
            if json {
                print(TrainSummary.json(manifest, out: out, seconds: clock.stages).rendered())
            } else {
                print(TrainSummary.text(manifest, out: out, seconds: clock.stages), terminator: "")
            }
        } catch {
            (terminal as? TerminalProgress)?.close()
            throw CLIFailure.report(error)
        }
    }
}

/// Text and JSON summaries of a trained bundle.
enum TrainSummary {
    static func text(_ m: BundleManifest, out: String, seconds: [(String, Double)]) -> String {
        var s = "Trained on \(m.dataset.source) (\(m.dataset.users) users, \(m.dataset.movies) movies, \(m.dataset.ratings) ratings; \(m.featureSchema.count) features)\n"
        s += "Bundle: \(out) (\(m.files.count) files, \(format(bytes: m.files.reduce(0) { $0 + $1.bytes })))\n"
        for key in m.metrics.keys.sorted() { s += String(format: "  %-26@ %.4f\n", key, m.metrics[key] ?? .nan) }
        s += "Serves: " + m.models.joined(separator: ", ") + "\n"
        s += "Seconds: " + seconds.map { String(format: "%@ %.2f", $0.0, $0.1) }.joined(separator: ", ")
        let stages = m.trainingSeconds.sorted { $0.value > $1.value }.prefix(6)
        s += " (training: " + stages.map { String(format: "%@ %.2f", $0.key, $0.value) }.joined(separator: ", ") + ")\n"
        return s
    }

    static func json(_ m: BundleManifest, out: String, seconds: [(String, Double)]) -> JSONValue {
        .object([
            ("bundle", .string(out)),
            ("dataset", .object([("source", .string(m.dataset.source)), ("users", .integer(m.dataset.users)),
                                 ("movies", .integer(m.dataset.movies)), ("ratings", .integer(m.dataset.ratings)),
                                 ("crc32c", .string(m.dataset.crc32c))])),
            ("features", .integer(m.featureSchema.count)),
            ("metrics", .object(m.metrics.keys.sorted().map { ($0, .number(m.metrics[$0] ?? .nan)) })),
            ("models", .array(m.models.map { .string($0) })),
            ("files", .array(m.files.map { .object([("name", .string($0.name)), ("bytes", .integer($0.bytes)), ("crc32c", .string($0.crc32c))]) })),
            ("seconds", .object(seconds.map { ($0.0, .number($0.1)) })),
            ("training_seconds", .object(m.trainingSeconds.keys.sorted().map { ($0, .number(m.trainingSeconds[$0] ?? 0)) })),
        ])
    }

    static func format(bytes: Int) -> String {
        bytes >= 1 << 20 ? String(format: "%.1f MB", Double(bytes) / 1_048_576) : String(format: "%.1f kB", Double(bytes) / 1024)
    }
}

/// Wall-clock seconds of the CLI's stages, in order.
final class StageClock: @unchecked Sendable {
    private(set) var stages: [(String, Double)] = []

    func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { stages.append((name, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)) }
        return try body()
    }

    /// Records a stage timed elsewhere (e.g. on another thread).
    func record(_ name: String, seconds: Double) { stages.append((name, seconds)) }

    var total: Double { stages.reduce(0) { $0 + $1.1 } }
}

/// Reports a failure as `movierec: error: <message>` on stderr; the command then exits with status 1.
enum CLIFailure {
    static func report(_ error: Error) -> ExitCode {
        if let code = error as? ExitCode { return code }
        FileHandle.standardError.write(Data("movierec: error: \(error)\n".utf8))
        return ExitCode(1)
    }
}

/// Progress that logs, at `info` (`--verbose`), each outermost stage's wall and CPU seconds and
/// the process's peak resident memory so far — the per-stage numbers of `Benchmarks/scale/curve.py`.
final class StageResources: ProgressReporter, @unchecked Sendable {
    private let inner: any ProgressReporter
    private let logger: Logger
    private let lock = NSLock()
    private var open: [(name: String, wall: UInt64, cpu: Double)] = []

    init(_ inner: any ProgressReporter, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    func begin(_ stage: String, total: Int?) {
        lock.lock()
        open.append((stage, DispatchTime.now().uptimeNanoseconds, Self.usage().cpu))
        lock.unlock()
        inner.begin(stage, total: total)
    }

    func advance(_ units: Int) { inner.advance(units) }

    func end() {
        lock.lock()
        let stage = open.popLast()
        let outermost = open.isEmpty
        lock.unlock()
        if let stage, outermost {
            let now = Self.usage()
            let wall = Double(DispatchTime.now().uptimeNanoseconds - stage.wall) / 1e9
            logger.info("\(String(format: "stage %@: wall %.2f s, cpu %.2f s, peak rss %.0f MB", stage.name, wall, now.cpu - stage.cpu, now.peakMB))")
        }
        inner.end()
    }

    func note(_ message: String) { inner.note(message) }

    /// CPU seconds (user + system) of the process and its peak resident set in MB.
    static func usage() -> (cpu: Double, peakMB: Double) {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        let cpu = Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
        return (cpu, Double(u.ru_maxrss) / 1024)
    }
}
