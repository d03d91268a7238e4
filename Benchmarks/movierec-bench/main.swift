// movierec-bench: times every LinearAlgebra kernel on both backends at MovieLens shapes.
// See Options.usage; run in release: `swift run -c release movierec-bench`.
import Foundation
import LinearAlgebra
import Runtime

struct Result {
    let kernel: String
    let shape: String
    let backend: Backend
    let threads: Int
    let seconds: Double
    /// Median CPU time of this process per run (all threads). On a loaded machine with
    /// `--threads 1`, `work / cpuSeconds` is the rate the kernel would reach on an idle core.
    let cpuSeconds: Double
    let rate: Double
    let unit: BenchCase.Unit
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

func runBench(_ options: Options) throws -> ([Result], MachineLoad) {
    let before = MachineLoad.sample()
    var results: [Result] = []
    let clock = ContinuousClock()
    for c in try CaseCatalogue(options: options).cases() {
        for backend in options.backends {
            if !c.large { try c.run(backend, options.threads) }   // warm-up
            var times: [Double] = [], cpu: [Double] = []
            for _ in 0..<(c.large ? 1 : options.repeats) {
                let c0 = MachineLoad.ownCPUSeconds()
                let t0 = clock.now
                try c.run(backend, options.threads)
                times.append(seconds(clock.now - t0))
                cpu.append(MachineLoad.ownCPUSeconds() - c0)
            }
            let s = median(times)
            results.append(Result(kernel: c.kernel, shape: c.shape, backend: backend, threads: options.threads,
                                  seconds: s, cpuSeconds: median(cpu), rate: c.work / s / 1e9, unit: c.unit))
            if !options.json {
                FileHandle.standardError.write(Data("  \(c.kernel) \(c.shape) \(backend): \(String(format: "%.4f", s)) s\n".utf8))
            }
        }
    }
    return (results, MachineLoad(before: before, after: MachineLoad.sample()))
}

func printJSON(_ results: [Result], _ load: MachineLoad) {
    let rows = results.map { r in
        "{\"kernel\": \(JSONString.quote(r.kernel)), \"shape\": \(JSONString.quote(r.shape)), \"backend\": \"\(r.backend)\", "
            + "\"threads\": \(r.threads), \"seconds\": \(r.seconds), \"cpu_seconds\": \(r.cpuSeconds), \"\(r.unit.rawValue)\": \(r.rate)}"
    }
    let share = load.othersShare.map { "\($0)" } ?? "null"
    print("{\"results\": [\n  " + rows.joined(separator: ",\n  ") + "\n], \"machine\": {\"loadavg_before\": \(JSONString.quote(load.before.loadavg)), "
          + "\"loadavg_after\": \(JSONString.quote(load.after.loadavg)), \"others_cpu_share\": \(share)}}")
}

func printTable(_ results: [Result], _ load: MachineLoad, threads: Int) {
    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
    print("movierec-bench, threads = \(threads)")
    print(pad("kernel", 15) + pad("shape", 46) + lpad("blas s", 10) + lpad("blas rate", 16) + lpad("swift s", 10) + lpad("swift rate", 16) + lpad("blas:swift", 11) + lpad("cpu-time", 10))
    var seen: [String] = []
    for r in results where !seen.contains(r.kernel + "|" + r.shape) {
        seen.append(r.kernel + "|" + r.shape)
        let b = results.first { $0.kernel == r.kernel && $0.shape == r.shape && $0.backend == .blas }
        let s = results.first { $0.kernel == r.kernel && $0.shape == r.shape && $0.backend == .swift }
        func cell(_ x: Result?) -> (String, String) {
            guard let x else { return ("-", "-") }
            return (String(format: "%.4f", x.seconds), String(format: "%.2f %@", x.rate, x.unit == .gflops ? "GFLOP/s" : "GB/s"))
        }
        let (bs, br) = cell(b), (ss, sr) = cell(s)
        var ratio = "-", cpuRatio = "-"
        if let b, let s {
            ratio = String(format: "%.2f", b.rate / s.rate)
            cpuRatio = String(format: "%.2f", s.cpuSeconds / b.cpuSeconds)
        }
        print(pad(r.kernel, 15) + pad(r.shape, 46) + lpad(bs, 10) + lpad(br, 16) + lpad(ss, 10) + lpad(sr, 16) + lpad(ratio, 11) + lpad(cpuRatio, 10))
    }
    print("blas:swift = BLAS rate / Swift rate by wall time (above 1: OpenBLAS faster); cpu-time = the same ratio by process")
    print("CPU time (Swift CPU s / BLAS CPU s), the fairer comparison when other processes load the machine.")
    print(load.summary)
}

do {
    let options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
    let (results, load) = try runBench(options)
    if options.json { printJSON(results, load) } else { printTable(results, load, threads: options.threads) }
} catch let e as Options.UsageError {
    FileHandle.standardError.write(Data("movierec-bench: \(e.description)\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("movierec-bench: error: \(error)\n".utf8))
    exit(1)
}
