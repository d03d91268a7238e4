import LinearAlgebra
import Runtime

/// Command-line options of `movierec-bench`.
struct Options {
    var filter: [String] = []
    var threads = Threads.defaultCount
    var repeats = 3
    var json = false
    var backends = Backend.allCases
    var includeLarge = true

    static let usage = """
    usage: movierec-bench [--filter NAME]... [--threads N] [--repeat N] [--backend blas|swift] [--no-large] [--json]

      --filter NAME   run only kernels whose name contains NAME (repeatable; e.g. sgemm, spmm, topk)
      --threads N     thread budget for our loops and OpenBLAS (default: MOVIEREC_THREADS or all cores)
      --repeat N      timed runs per case after one warm-up; the median is reported (default 3)
      --backend B     run one backend only (default: both, to print the BLAS : Swift ratio)
      --no-large      skip the ml-25m-sized cases
      --json          print {"results": [...]} instead of the table
    """

    struct UsageError: Error, CustomStringConvertible { let description: String }

    static func parse(_ args: [String]) throws -> Options {
        var o = Options()
        var i = 0
        func value(_ name: String) throws -> String {
            i += 1
            guard i < args.count else { throw UsageError(description: "\(name) needs a value") }
            return args[i]
        }
        func positive(_ name: String) throws -> Int {
            let v = try value(name)
            guard let n = Int(v), n > 0 else { throw UsageError(description: "\(name) must be a positive integer, got \"\(v)\"") }
            return n
        }
        while i < args.count {
            switch args[i] {
            case "--filter": o.filter.append(try value("--filter"))
            case "--threads": o.threads = min(try positive("--threads"), 1024)
            case "--repeat": o.repeats = min(try positive("--repeat"), 1000)
            case "--backend": o.backends = [try Backend(parsing: try value("--backend"))]
            case "--no-large": o.includeLarge = false
            case "--json": o.json = true
            case "-h", "--help": throw UsageError(description: usage)
            default: throw UsageError(description: "unknown argument \"\(args[i])\"\n\(usage)")
            }
            i += 1
        }
        return o
    }

    func selects(_ kernel: String) -> Bool {
        filter.isEmpty || filter.contains { kernel.contains($0) }
    }
}
