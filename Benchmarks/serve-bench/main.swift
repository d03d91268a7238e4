// movierec-serve-bench: serving latency of a model bundle.
//
//   movierec-serve-bench [--models DIR] [--loads N] [--users M] [--top K] [--json]
//
// Loads the bundle N times (each load reads and verifies every file and rebuilds the serving
// state) and reports the median; then, per serving model, recommends for the first M users
// (after one warm-up request) and reports the median and 95th percentile per request; and the
// median of one `predict`. Release build, e.g.:
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
            case "--json": json = true
            case "-h", "--help":
                print("usage: movierec-serve-bench [--models DIR] [--loads N] [--users M] [--top K] [--json]")
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

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "n/a"
}

do {
    let o = try Options(Array(CommandLine.arguments.dropFirst()))
    var bundle: ModelBundle? = nil
    var loadTimes: [Double] = []
    for _ in 0..<o.loads { loadTimes.append(try milliseconds { bundle = try BundleStore.read(o.models) }) }
    guard let bundle else { throw BenchError("no bundle loaded") }
    let recommender = BundleRecommender(bundle)
    let ids = Array(bundle.catalog.userIds.prefix(o.users))
    var rows: [(String, Double, Double)] = []
    for model in bundle.servableModels {
        _ = try recommender.recommend(userId: ids[0], model: model, count: o.top)
        var times: [Double] = []
        for id in ids { times.append(try milliseconds { _ = try recommender.recommend(userId: id, model: model, count: o.top) }) }
        rows.append((model.rawValue, quantile(times, 0.5), quantile(times, 0.95)))
    }
    var predictTimes: [Double] = []
    for (i, _) in ids.enumerated() {
        let m = Int32(i * 37 % bundle.catalog.movieCount)
        predictTimes.append(try milliseconds { _ = try bundle.predict(users: [Int32(i)], movies: [m]) })
    }
    let coldTimes = try (0..<o.users).map { _ in try milliseconds { _ = try recommender.recommend(genres: ["Comedy", "Romance"], count: o.top) } }
    let bytes = bundle.manifest.files.reduce(0) { $0 + $1.bytes }
    if o.json {
        var items = ["\"bundle\": \"\(o.models)\"", "\"bytes\": \(bytes)", "\"load_ms_median\": \(quantile(loadTimes, 0.5))",
                     "\"predict_ms_median\": \(quantile(predictTimes, 0.5))", "\"cold_start_ms_median\": \(quantile(coldTimes, 0.5))",
                     "\"loadavg\": \"\(loadAverage())\""]
        for (name, med, p95) in rows { items.append("\"recommend_ms_median.\(name)\": \(med)"); items.append("\"recommend_ms_p95.\(name)\": \(p95)") }
        print("{\n  " + items.joined(separator: ",\n  ") + "\n}")
    } else {
        print("bundle \(o.models): \(bundle.manifest.dataset.users) users, \(bundle.manifest.dataset.movies) movies, \(String(format: "%.1f", Double(bytes) / 1_048_576)) MB; load average \(loadAverage())")
        print(String(format: "load (read + verify + rebuild), median of %d: %.1f ms (min %.1f, max %.1f)", o.loads,
                     quantile(loadTimes, 0.5), loadTimes.min() ?? .nan, loadTimes.max() ?? .nan))
        print("recommend top \(o.top), warm, \(ids.count) users:")
        for (name, med, p95) in rows { print(String(format: "  %-12@ median %7.2f ms   p95 %7.2f ms", name, med, p95)) }
        print(String(format: "  %-12@ median %7.2f ms", "cold start", quantile(coldTimes, 0.5)))
        print(String(format: "predict one pair: median %.3f ms", quantile(predictTimes, 0.5)))
    }
} catch {
    FileHandle.standardError.write(Data("movierec-serve-bench: error: \(error)\n".utf8))
    exit(1)
}
