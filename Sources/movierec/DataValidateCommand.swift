import ArgumentParser
import Runtime
import Foundation
import MovieLens

/// `movierec data validate [PATH] [--format F] [--json]`: read a MovieLens directory and print its
/// cleaning report — per file the rows read, kept, repaired (by reason) and dropped (by reason,
/// with example line numbers) — and the dataset totals.
struct DataValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Read a MovieLens directory and report every row kept, repaired or dropped.",
        discussion: """
        The format (csv, ml100k, ml1m-dat, seed-pipe) is detected from the files present. \
        Exit status 0 when the data is usable; otherwise 1 with `movierec: error: <file>:<line>: <reason>` on stderr.
        """
    )

    @Argument(help: "The data directory (default: data/ml-latest-small).")
    var path: String?

    @Option(name: .long, help: "Read as this format instead of detecting it: \(DataFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: String?

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    @Option(name: .long, help: "Threads for parsing (default: MOVIEREC_THREADS or all cores).")
    var threads: Int?

    func validate() throws {
        if let format, DataFormat(rawValue: format) == nil {
            throw ValidationError("unknown format \"\(format)\"; use one of \(DataFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let threads, threads < 0 { throw ValidationError("--threads must be positive") }
    }

    func run() async throws {
        let outcome = DataValidation.run(path: path, format: format.flatMap(DataFormat.init(rawValue:)), json: json, threads: threads)
        if !outcome.output.isEmpty { print(outcome.output, terminator: "") }
        if !outcome.error.isEmpty { FileHandle.standardError.write(Data(outcome.error.utf8)) }
        if outcome.status != 0 { throw ExitCode(outcome.status) }
    }
}

/// The logic of `data validate`, separate from argument parsing so tests can call it.
enum DataValidation {
    /// What the command prints and returns.
    struct Outcome {
        var output: String
        var error: String
        var status: Int32
    }

    static let defaultPath = "data/ml-latest-small"

    static func run(path: String?, format: DataFormat?, json: Bool, threads: Int?) -> Outcome {
        let dir: String
        if let path {
            dir = path
        } else {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: defaultPath, isDirectory: &isDir), isDir.boolValue else {
                return Outcome(output: "", error: "movierec: error: no data directory given and \(defaultPath) does not exist; "
                    + "run `movierec data fetch ml-latest-small` first, or pass a MovieLens directory\n", status: 1)
            }
            dir = defaultPath
        }
        do {
            let result = try MovieLensReader.load(directory: dir, format: format, threads: threads)
            return Outcome(output: json ? renderJSON(result) : renderTable(result), error: "", status: 0)
        } catch {
            return Outcome(output: "", error: "movierec: error: \(error)\n", status: 1)
        }
    }

    // MARK: table

    static func renderTable(_ r: LoadResult) -> String {
        var out = "MovieLens data in \(r.report.directory) (format \(r.report.format.rawValue))\n\n"
        let header = pad("file", 14) + lpad("read", 12) + lpad("kept", 12) + lpad("repaired", 12) + lpad("dropped", 12) + "  check"
        out += header + "\n" + String(repeating: "-", count: header.count) + "\n"
        for (_, f) in r.report.orderedFiles {
            let ok = f.read == f.kept + f.repairedRows + f.droppedRows
            out += pad(f.file, 14) + lpad(group(f.read), 12) + lpad(group(f.kept), 12) + lpad(group(f.repairedRows), 12)
                + lpad(group(f.droppedRows), 12) + "  " + (ok ? "read = kept + repaired + dropped" : "UNBALANCED") + "\n"
        }
        for (_, f) in r.report.orderedFiles where !f.repaired.isEmpty || !f.dropped.isEmpty {
            out += "\n\(f.file):\n"
            for (reason, n) in f.repaired.sorted(by: order) {
                out += "  repaired " + pad(reason, 40) + lpad(group(n), 9) + "   lines " + lines(f.examples[reason]) + "\n"
            }
            for (reason, n) in f.dropped.sorted(by: order) {
                out += "  dropped  " + pad(reason, 40) + lpad(group(n), 9) + "   lines " + lines(f.examples[reason]) + "\n"
            }
        }
        let d = r.dataset
        out += "\ndataset: \(group(d.userCount)) users, \(group(d.movieCount)) movies, \(group(d.ratingCount)) ratings, "
            + "\(group(d.tagCount)) tags; fingerprint \(String(format: "%08x", d.fingerprint))\n"
        return out
    }

    private static func order(_ a: (key: String, value: Int), _ b: (key: String, value: Int)) -> Bool {
        a.value != b.value ? a.value > b.value : a.key < b.key
    }

    private static func lines(_ list: [Int]?) -> String {
        (list ?? []).map(String.init).joined(separator: ", ")
    }

    static func group(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (k, ch) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    private static func lpad(_ s: String, _ width: Int) -> String {
        s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s
    }

    // MARK: JSON

    /// `{"format": …, "files": {role: {"read", "kept", "repaired": {reason: n}, "dropped": {reason: n}}},
    /// "dataset": {"users", "movies", "ratings", "tags"}, "details": {role: {"file", "repairedRows",
    /// "droppedRows", "examples": {reason: [line, …]}}}}`, keys in that order.
    static func renderJSON(_ r: LoadResult) -> String {
        var files: [String] = [], details: [String] = []
        for (role, f) in r.report.orderedFiles {
            files.append("\(JSONString.quote(role)): {\"read\": \(f.read), \"kept\": \(f.kept), \"repaired\": \(counts(f.repaired)), "
                + "\"dropped\": \(counts(f.dropped))}")
            let examples = f.examples.sorted { $0.key < $1.key }
                .map { "\(JSONString.quote($0.key)): [\($0.value.map(String.init).joined(separator: ", "))]" }.joined(separator: ", ")
            details.append("\(JSONString.quote(role)): {\"file\": \(JSONString.quote(f.file)), \"repairedRows\": \(f.repairedRows), "
                + "\"droppedRows\": \(f.droppedRows), \"examples\": {\(examples)}}")
        }
        let d = r.dataset
        return "{\"format\": \(JSONString.quote(r.report.format.rawValue)), \"files\": {\(files.joined(separator: ", "))}, "
            + "\"dataset\": {\"users\": \(d.userCount), \"movies\": \(d.movieCount), \"ratings\": \(d.ratingCount), \"tags\": \(d.tagCount)}, "
            + "\"details\": {\(details.joined(separator: ", "))}}\n"
    }

    private static func counts(_ dict: [String: Int]) -> String {
        "{" + dict.sorted { $0.key < $1.key }.map { "\(JSONString.quote($0.key)): \($0.value)" }.joined(separator: ", ") + "}"
    }
}
