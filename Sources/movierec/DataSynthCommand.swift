import ArgumentParser
import Foundation
import MovieLens
import Runtime

/// `movierec data synth`: a deterministic MovieLens-latest-shaped data set, generated from
/// scratch (`--ratings/--users/--movies`) or grown from a real one (`--expand PATH --factor F`).
struct DataSynthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate a MovieLens-latest-shaped CSV data set (from scratch, or by fractal expansion of a real one).",
        discussion: """
        From scratch: Zipf-like movie popularity, log-normal user activity (every user ≥ 20 \
        ratings), latent factors + genre taste + biases so ratings are learnable, half-star \
        ratings calibrated to ml-latest-small's distribution. With --expand PATH --factor F (or \
        F1xF2): each real user becomes F1 users and each movie F2 movies (shuffled ids); each \
        rating is copied once per user copy into a movie copy drawn from a seeded F1×F2 matrix. \
        The same seed gives byte-identical files for any --threads. DIR is written atomically.
        """
    )

    @Option(name: .long, help: "Number of ratings (from scratch).")
    var ratings: Int?

    @Option(name: .long, help: "Number of users (from scratch).")
    var users: Int?

    @Option(name: .long, help: "Number of movies (from scratch).")
    var movies: Int?

    @Option(name: .long, help: "Approximate number of tag applications (default: ratings / 27).")
    var tags: Int?

    @Flag(name: .long, help: "Also write links.csv (synthetic ids).")
    var links = false

    @Option(name: .long, help: "The seed (equal seeds give identical files).")
    var seed: UInt64 = 42

    @Option(name: .long, help: "The output directory (must not exist unless --force).")
    var out: String

    @Option(name: .long, help: "Grow this real data set (any MovieLens format) instead of generating from scratch.")
    var expand: String?

    @Option(name: .long, help: "Expansion factor: F (users and movies) or F1xF2 (users x movies).")
    var factor: String?

    @Option(name: .long, help: "Threads (default: MOVIEREC_THREADS or all cores); the output does not depend on it.")
    var threads: Int?

    @Flag(name: .long, help: "Replace --out if it exists.")
    var force = false

    @Flag(name: .shortAndLong, help: "No progress output.")
    var quiet = false

    func validate() throws {
        if expand != nil {
            guard factor != nil else { throw ValidationError("--expand needs --factor F (or F1xF2)") }
            guard ratings == nil, users == nil, movies == nil, tags == nil, !links else {
                throw ValidationError("--expand takes its counts from the real data set: drop --ratings/--users/--movies/--tags/--links")
            }
        } else {
            guard factor == nil else { throw ValidationError("--factor needs --expand PATH") }
            guard ratings != nil, users != nil, movies != nil else {
                throw ValidationError("give --ratings, --users and --movies (or --expand PATH --factor F)")
            }
        }
    }

    func run() async throws {
        let progress = TerminalProgress.make(quiet: quiet)
        let start = DispatchTime.now().uptimeNanoseconds
        let summary: SynthSummary
        do {
            if let expand, let factor {
                let (f1, f2) = try ExpandParameters.parseFactor(factor)
                summary = try FractalExpansion.expand(ExpandParameters(source: expand, userFactor: f1, movieFactor: f2, seed: seed),
                                                      into: out, overwrite: force, threads: threads, progress: progress)
            } else {
                let parameters = SynthParameters(ratings: ratings ?? 0, users: users ?? 0, movies: movies ?? 0, seed: seed,
                                                 tags: tags, links: links)
                summary = try DatasetSynthesizer.generate(parameters, into: out, overwrite: force, threads: threads, progress: progress)
            }
        } catch {
            FileHandle.standardError.write(Data("movierec: error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard !quiet else { return }
        let size = summary.fileBytes.values.reduce(0, +)
        print("\(summary.directory): \(Self.grouped(summary.ratings)) ratings, \(Self.grouped(summary.users)) users, "
              + "\(Self.grouped(summary.movies)) movies, \(Self.grouped(summary.tags)) tags; mean rating "
              + String(format: "%.3f", summary.meanRating))
        print(String(format: "%.2f s (%.2f M ratings/s), %.1f MB written, %d threads", seconds,
                     Double(summary.ratings) / seconds / 1e6, Double(size) / 1e6, Threads.resolve(threads)))
    }

    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}
