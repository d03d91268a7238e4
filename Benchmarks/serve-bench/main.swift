// movierec-serve-bench: serving latency of a model bundle.
//
//   movierec-serve-bench [--models DIR] [--loads N] [--users M] [--top K] [--threads T] [--json]
//
// Loads the bundle N times (each load reads and verifies every file and rebuilds the serving
// state) and reports the median; then, per serving model, recommends for the first M users
// (after one warm-up request) and reports the median, 95th and 99th percentile per request
// (one request scores with T threads, default every core; the CPU time of the whole loop is
// reported too); and the median of one `predict`. Release build, e.g.:
//   swift build -c release && .build/release/movierec train --data data/ml-latest-small --out models
//   .build/release/movierec-serve-bench --models models
import Dispatch
import Foundation
import Recommender

struct Options {
    var models = "models"
    var loads = 20
    var users = 50
    var top = 10
    var threads: Int? = nil
    var json = false

    init(_ args: [String]) throws {
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw BenchError("\(args[i - 1]) needs a value") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--models": models = try value()
            case "--loads": loads = try positive(value(), "--loads")
            case "--users": users = try positive(value(), "--users")
            case "--top": top = try positive(value(), "--top")
            case "--threads": threads = try positive(value(), "--threads")
            case "--json": json = true
            case "-h", "--help":
                print("usage: movierec-serve-bench [--models DIR] [--loads N] [--users M] [--top K] [--threads T] [--json]")
                exit(0)
            default: throw BenchError("unknown argument \(args[i])")
            }
            i += 1
        }
    }

    private func positive(_ text: String, _ name: String) throws -> Int {
        guard let n = Int(text), n >= 1 else { throw BenchError("\(name) must be a positive integer (got \(text))") }
        return n
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let t = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6
}

func quantile(_ xs: [Double], _ q: Double) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return .nan }
    return s[min(s.count - 1, Int((q * Double(s.count - 1)).rounded()))]
}

/// User + system CPU seconds of this process so far.
func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "n/a"
}

do {
    let o = try Options(Array(CommandLine.arguments.dropFirst()))
    var bundle: ModelBundle? = nil
    var loadTimes: [Double] = []
    for _ in 0..<o.loads { loadTimes.append(try milliseconds { bundle = try BundleStore.read(o.models) }) }
    guard let bundle else { throw BenchError("no bundle loaded") }
    let recommender = BundleRecommender(bundle, threads: o.threads)
    let ids = Array(bundle.catalog.userIds.prefix(o.users))
    var rows: [(name: String, median: Double, p95: Double, p99: Double, cpu: Double)] = []
    for model in bundle.servableModels {
        _ = try recommender.recommend(userId: ids[0], model: model, count: o.top)
        var times: [Double] = []
        let cpu0 = cpuSeconds()
        for id in ids { times.append(try milliseconds { _ = try recommender.recommend(userId: id, model: model, count: o.top) }) }
        let cpu = (cpuSeconds() - cpu0) * 1000 / Double(ids.count)
        rows.append((model.rawValue, quantile(times, 0.5), quantile(times, 0.95), quantile(times, 0.99), cpu))
    }
    // The pre-`CandidateScorer` classifier scoring, for an A/B in the same run: the feature
    // matrix of the user × every unseen catalogue movie, predicted by the boosted model.
    var referenceTimes: [Double] = []
    let referenceCPU0 = cpuSeconds()
    for id in ids {
        guard let u = bundle.catalog.userIndex(forId: id) else { continue }
        let seen = Set(bundle.catalog.seen(user: u).movies)
        let movies = (0..<bundle.catalog.movieCount).filter { bundle.popularity.ratings[$0] > 0 && !seen.contains(Int32($0)) }.map(Int32.init)
        referenceTimes.append(try milliseconds {
            let x = try bundle.featureMatrix(users: [Int32](repeating: Int32(u), count: movies.count), movies: movies)
            _ = try bundle.classifier.predict(x, threads: 1)
        })
    }
    let referenceCPU = (cpuSeconds() - referenceCPU0) * 1000 / Double(max(1, ids.count))
    var predictTimes: [Double] = []
    for (i, _) in ids.enumerated() {
        let m = Int32(i * 37 % bundle.catalog.movieCount)
        predictTimes.append(try milliseconds { _ = try bundle.predict(users: [Int32(i)], movies: [m]) })
    }
    let coldTimes = try (0..<o.users).map { _ in try milliseconds { _ = try recommender.recommend(genres: ["Comedy", "Romance"], count: o.top) } }
    let bytes = bundle.manifest.files.reduce(0) { $0 + $1.bytes }
    if o.json {
        var items = ["\"bundle\": \"\(o.models)\"", "\"bytes\": \(bytes)", "\"threads\": \(recommender.threads)",
                     "\"load_ms_median\": \(quantile(loadTimes, 0.5))",
                     "\"predict_ms_median\": \(quantile(predictTimes, 0.5))",
                     "\"reference_classifier_scoring_ms_median\": \(quantile(referenceTimes, 0.5))",
                     "\"reference_classifier_scoring_cpu_ms_mean\": \(referenceCPU)", "\"cold_start_ms_median\": \(quantile(coldTimes, 0.5))",
                     "\"loadavg\": \"\(loadAverage())\""]
        for r in rows {
            items.append("\"recommend_ms_median.\(r.name)\": \(r.median)"); items.append("\"recommend_ms_p95.\(r.name)\": \(r.p95)")
            items.append("\"recommend_ms_p99.\(r.name)\": \(r.p99)"); items.append("\"recommend_cpu_ms_mean.\(r.name)\": \(r.cpu)")
        }
        print("{\n  " + items.joined(separator: ",\n  ") + "\n}")
    } else {
        print("bundle \(o.models): \(bundle.manifest.dataset.users) users, \(bundle.manifest.dataset.movies) movies, \(String(format: "%.1f", Double(bytes) / 1_048_576)) MB; load average \(loadAverage())")
        print(String(format: "load (read + verify + rebuild), median of %d: %.1f ms (min %.1f, max %.1f)", o.loads,
                     quantile(loadTimes, 0.5), loadTimes.min() ?? .nan, loadTimes.max() ?? .nan))
        print("recommend top \(o.top), warm, \(ids.count) users, \(recommender.threads) thread(s) per request:")
        for r in rows {
            print(String(format: "  %-15@ median %7.2f ms   p95 %7.2f ms   p99 %7.2f ms   CPU %7.2f ms/request", r.name, r.median, r.p95, r.p99, r.cpu))
        }
        print(String(format: "  %-15@ median %7.2f ms", "cold start", quantile(coldTimes, 0.5)))
        print(String(format: "predict one pair: median %.3f ms", quantile(predictTimes, 0.5)))
        print(String(format: "reference (feature matrix + BoostedModel.predict, 1 thread), classifier over every unseen movie: median %.2f ms, CPU %.2f ms/user",
                     quantile(referenceTimes, 0.5), referenceCPU))
    }
} catch {
    FileHandle.standardError.write(Data("movierec-serve-bench: error: \(error)\n".utf8))
    exit(1)
}
