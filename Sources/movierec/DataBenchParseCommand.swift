import ArgumentParser
import Foundation
import MovieLens
import Runtime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `movierec data bench-parse DIR`: times loading a release (parse and, with `--cache`, the binary
/// cache), or with `--ratings-only` parsing and cleaning only its ratings file (the work
/// `pandas.read_csv` is compared with). Used by `Benchmarks/peers/parse_vs_pandas.py`.
struct DataBenchParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-parse",
        abstract: "Time parsing a MovieLens directory (median of --repeat runs); --cache also times the binary cache.",
        discussion: """
        Default: `MovieLensReader.load` of the whole directory (ratings, movies, tags, links, users, cleaning, \
        dense ids). --ratings-only: `MovieLensReader.loadRatings`, the ratings file alone (every row validated, \
        dense ids, duplicate pairs removed) — the same input and output as `pandas.read_csv` of that file.
        """
    )

    @Argument(help: "A MovieLens release directory.")
    var directory: String

    @Option(name: .customLong("repeat"), help: "Timed runs of each kind (the median is reported).")
    var runs: Int = 3

    @Option(name: .long, help: "Threads (default: MOVIEREC_THREADS or all cores).")
    var threads: Int?

    @Flag(name: .long, help: "Also time the binary cache: delete it, load once (parse + write), then cached loads.")
    var cache = false

    @Flag(name: .customLong("ratings-only"), help: "Time parsing and cleaning only the ratings file (not with --cache).")
    var ratingsOnly = false

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard (1...100).contains(runs) else { throw ValidationError("--repeat must be 1…100") }
        guard !(ratingsOnly && cache) else { throw ValidationError("--cache times whole-directory loads; it cannot be combined with --ratings-only") }
    }

    func run() async throws {
        let threadCount = Threads.resolve(threads)
        var out: [String: Any] = ["directory": directory, "threads": threadCount, "loadavg_before": Self.loadAverage(),
                                  "work": ratingsOnly ? "ratings" : "directory"]

        var parseRuns: [Double] = [], parseCPU: [Double] = []
        var parsed: LoadResult?
        for _ in 0..<runs {
            parsed = nil  // free the previous result before timing the next
            let (r, seconds, cpu) = try Self.timeWithCPU {
                ratingsOnly ? try MovieLensReader.loadRatings(directory: directory, threads: threadCount)
                    : try MovieLensReader.load(directory: directory, threads: threadCount)
            }
            parseRuns.append(seconds)
            parseCPU.append(cpu)
            parsed = r
        }
        guard let parsed else { return }
        let rows = parsed.dataset.ratingCount
        let parseMedian = Self.median(parseRuns)
        out["rows"] = rows
        out["parse_runs"] = parseRuns
        out["parse_seconds"] = parseMedian
        out["parse_cpu_seconds"] = Self.median(parseCPU)
        out["rows_per_second"] = Double(rows) / parseMedian

        if cache {
            DatasetCache.remove(directory: directory)
            let (first, firstSeconds) = try Self.time { try DatasetCache.load(directory: directory, threads: threadCount) }
            var cachedRuns: [Double] = [], cachedCPU: [Double] = []
            var identical = true
            var path = ""
            for _ in 0..<runs {
                let (load, seconds, cpu) = try Self.timeWithCPU { try DatasetCache.load(directory: directory, threads: threadCount) }
                cachedCPU.append(cpu)
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
            out["cached_cpu_seconds"] = Self.median(cachedCPU)
            out["cache_speedup"] = parseMedian / cachedMedian
            out["cache_identical"] = identical
        }
        out["loadavg_after"] = Self.loadAverage()

        if json {
            let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(directory): \(rows) ratings, \(threadCount) threads, \(ratingsOnly ? "ratings file only" : "whole directory")")
            print(String(format: "parse: median %.3f s of %d (%.2f M rows/s), %.3f CPU-s", parseMedian, runs, Double(rows) / parseMedian / 1e6,
                         Self.median(parseCPU)))
            if cache, let cached = out["cached_seconds"] as? Double, let first = out["parse_and_write_seconds"] as? Double {
                print(String(format: "first load (parse + cache write): %.3f s", first))
                print(String(format: "cached load: median %.3f s (%.1f× faster than parsing), %.3f CPU-s, identical: %@",
                             cached, parseMedian / cached, out["cached_cpu_seconds"] as? Double ?? .nan,
                             (out["cache_identical"] as? Bool ?? false) ? "yes" : "NO"))
                print("cache: \(out["cache_path"] ?? "") (\(out["cache_bytes"] ?? 0) bytes)")
            }
            print("load average before: \(out["loadavg_before"] ?? ""); after: \(out["loadavg_after"] ?? "")")
        }
    }

    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let (value, wall, _) = try timeWithCPU(body)
        return (value, wall)
    }

    /// Wall-clock and process CPU seconds (user + system, all threads) of `body`.
    static func timeWithCPU<T>(_ body: () throws -> T) rethrows -> (T, Double, Double) {
        let cpu0 = cpuSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try body()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (value, wall, cpuSeconds() - cpu0)
    }

    static func cpuSeconds() -> Double {
        var r = rusage()
        #if os(Linux)
        _ = getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &r)
        #else
        _ = getrusage(RUSAGE_SELF, &r)
        #endif
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(r.ru_utime) + s(r.ru_stime)
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
