import ArgumentParser
import Foundation
import MovieLens
import Runtime

/// `movierec data bench-parse DIR`: times loading a release (parse and, with `--cache`, the binary
/// cache). Used by `Benchmarks/peers/parse_vs_pandas.py`.
struct DataBenchParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-parse",
        abstract: "Time parsing a MovieLens directory (median of --repeat runs); --cache also times the binary cache."
    )

    @Argument(help: "A MovieLens release directory.")
    var directory: String

    @Option(name: .customLong("repeat"), help: "Timed runs of each kind (the median is reported).")
    var runs: Int = 3

    @Option(name: .long, help: "Threads (default: MOVIEREC_THREADS or all cores).")
    var threads: Int?

    @Flag(name: .long, help: "Also time the binary cache: delete it, load once (parse + write), then cached loads.")
    var cache = false

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard (1...100).contains(runs) else { throw ValidationError("--repeat must be 1…100") }
    }

    func run() async throws {
        let threadCount = Threads.resolve(threads)
        var out: [String: Any] = ["directory": directory, "threads": threadCount, "loadavg_before": Self.loadAverage()]

        var parseRuns: [Double] = []
        var parsed: LoadResult?
        for _ in 0..<runs {
            let (r, seconds) = try Self.time { try MovieLensReader.load(directory: directory, threads: threadCount) }
            parseRuns.append(seconds)
            parsed = r
        }
        guard let parsed else { return }
        let rows = parsed.dataset.ratingCount
        let parseMedian = Self.median(parseRuns)
        out["rows"] = rows
        out["parse_runs"] = parseRuns
        out["parse_seconds"] = parseMedian
        out["rows_per_second"] = Double(rows) / parseMedian

        if cache {
            DatasetCache.remove(directory: directory)
            let (first, firstSeconds) = try Self.time { try DatasetCache.load(directory: directory, threads: threadCount) }
            var cachedRuns: [Double] = []
            var identical = true
            var path = ""
            for _ in 0..<runs {
                let (load, seconds) = try Self.time { try DatasetCache.load(directory: directory, threads: threadCount) }
                guard case .hit(let p) = load.status else {
                    throw ValidationError("the cache was not used after being written: \(load.status) (first load: \(first.status))")
                }
                path = p
                identical = identical && load.result == parsed
                cachedRuns.append(seconds)
            }
            let cachedMedian = Self.median(cachedRuns)
            out["cache_status_first"] = first.status.description
            out["cache_path"] = path
            out["cache_bytes"] = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)??.int64Value ?? -1
            out["parse_and_write_seconds"] = firstSeconds
            out["cached_runs"] = cachedRuns
            out["cached_seconds"] = cachedMedian
            out["cache_speedup"] = parseMedian / cachedMedian
            out["cache_identical"] = identical
        }
        out["loadavg_after"] = Self.loadAverage()

        if json {
            let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(directory): \(rows) ratings, \(threadCount) threads")
            print(String(format: "parse: median %.3f s of %d (%.2f M rows/s)", parseMedian, runs, Double(rows) / parseMedian / 1e6))
            if cache, let cached = out["cached_seconds"] as? Double, let first = out["parse_and_write_seconds"] as? Double {
                print(String(format: "first load (parse + cache write): %.3f s", first))
                print(String(format: "cached load: median %.3f s (%.1f× faster than parsing), identical: %@",
                             cached, parseMedian / cached, (out["cache_identical"] as? Bool ?? false) ? "yes" : "NO"))
                print("cache: \(out["cache_path"] ?? "") (\(out["cache_bytes"] ?? 0) bytes)")
            }
            print("load average before: \(out["loadavg_before"] ?? ""); after: \(out["loadavg_after"] ?? "")")
        }
    }

    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try body()
        return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "n/a").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
