import ArgumentParser
import Foundation
import MovieLens

/// `movierec data fetch NAME`: download, verify and unpack a GroupLens release into data/NAME.
struct DataFetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download a MovieLens release from GroupLens into data/NAME.",
        discussion: """
        Downloads NAME.zip from GroupLens, checks it against the published NAME.zip.md5, and \
        unpacks it into DIR/NAME (ml-10m unpacks from ml-10M100K/). An interrupted download is \
        resumed by the next run; DIR/NAME is never left half-written. \
        Valid names: \(MovieLensRelease.names.joined(separator: ", ")).
        """
    )

    @Argument(help: "The release: \(MovieLensRelease.names.joined(separator: ", ")).")
    var name: String

    @Option(name: .long, help: "The directory that receives NAME/.")
    var dir: String = "data"

    @Option(name: .long, help: "Download from this URL instead of GroupLens (NAME.zip and NAME.zip.md5 under it).")
    var baseURL: String = MovieLensRelease.defaultBaseURL

    @Flag(name: .long, help: "Download and replace DIR/NAME even when it exists.")
    var force = false

    @Flag(name: .shortAndLong, help: "No progress bar.")
    var quiet = false

    @Option(name: .long, help: "Seconds without data before the download is abandoned.")
    var timeout: Double = 60

    func validate() throws {
        guard MovieLensRelease.names.contains(name) else {
            throw ValidationError(FetchError.unknownRelease(name: name, valid: MovieLensRelease.names).description)
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        let release = try MovieLensRelease.named(name)
        let fetcher = DatasetFetcher(
            dataDirectory: dir, baseURL: baseURL, force: force,
            downloader: HTTPDownloader(idleTimeout: timeout)
        )
        let bar = (!quiet && isatty(STDERR_FILENO) == 1) ? ProgressBar(label: release.archiveName) : nil
        let outcome: DatasetFetcher.Outcome
        do {
            outcome = try await fetcher.fetch(release) { event in bar?.show(event) }
        } catch {
            bar?.finish()
            throw error
        }
        bar?.finish()
        if outcome.alreadyPresent {
            print("\(outcome.directory) already exists; use --force to download it again")
        } else {
            let resumed = outcome.resumedFrom > 0 ? ", resumed from \(ProgressBar.bytes(outcome.resumedFrom))" : ""
            print("\(release.name): \(ProgressBar.bytes(outcome.archiveBytes)) downloaded\(resumed), md5 \(outcome.md5) verified, "
                + "\(outcome.files) files unpacked into \(outcome.directory)")
        }
    }
}

/// A one-line progress bar on stderr, redrawn at most ten times a second.
private final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private let label: String
    private var lastDraw = Date.distantPast
    private var lastLine = ""
    private var drawn = false

    init(label: String) { self.label = label }

    func show(_ event: DatasetFetcher.Event) {
        let line: String
        var force = false
        switch event {
        case .downloading(let received, let total):
            if let total, total > 0 {
                let fraction = min(1, Double(received) / Double(total))
                line = "\(label) \(ProgressBar.bar(fraction)) \(ProgressBar.bytes(received)) / \(ProgressBar.bytes(total))"
                force = received == total
            } else {
                line = "\(label) \(ProgressBar.bytes(received))"
            }
        case .verifying:
            line = "\(label) verifying MD5…"
            force = true
        case .unpacking(let done, let total):
            line = "\(label) unpacking \(ProgressBar.bar(total == 0 ? 1 : Double(done) / Double(total))) \(done)/\(total) files"
            force = done == total
        }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1, line != lastLine else { return }
        lastDraw = now
        lastLine = line
        drawn = true
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }

    static func bar(_ fraction: Double, width: Int = 30) -> String {
        let filled = max(0, min(width, Int(fraction * Double(width))))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + String(format: "%3d%%", Int(fraction * 100))
    }

    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KB", "MB", "GB"]
        var v = Double(n)
        var u = 0
        while v >= 1000, u < units.count - 1 { v /= 1000; u += 1 }
        return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
    }
}
