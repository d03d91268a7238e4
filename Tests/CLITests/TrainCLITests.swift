import Foundation
import Recommender
import TestSupport
import XCTest
@testable import movierec

/// A tiny synthetic MovieLens directory shared by the CLI tests of train / recommend / predict /
/// similar / pipeline (written once per process).
enum CLIFixture {
    static let dataDirectory: Result<String, any Error> = Result {
        let dir = try TestData.temporaryDirectory("movierec-cli-data")
        try SyntheticMovieLens(users: 40, movies: 80, ratingsPerUser: 20, seed: 5).write(to: dir.path)
        return dir.path
    }

    /// A bundle trained from `dataDirectory` by `movierec train` (the command type).
    static let bundleDirectory: Result<String, any Error> = Result {
        let root = try TestData.temporaryDirectory("movierec-cli-models")
        let out = root.appendingPathComponent("models").path
        let semaphore = DispatchSemaphore(value: 0)
        let box = ErrorBox()
        let command = try TrainCommand.parse(["--data", try dataDirectory.get(), "--out", out, "--threads", "2", "--seed", "3", "--quiet"])
        Task {
            do { try await command.run() } catch { box.error = error }
            semaphore.signal()
        }
        semaphore.wait()
        if let e = box.error { throw e }
        return out
    }

    final class ErrorBox: @unchecked Sendable { var error: (any Error)? }

    /// The `movierec` executable beside the test bundle, if the build put it there.
    static func binary() -> URL? {
        let bundle = Bundle(for: TrainCLITests.self).bundleURL
        return [bundle.appendingPathComponent("movierec"), bundle.deletingLastPathComponent().appendingPathComponent("movierec")]
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs the binary; (status, stdout, stderr).
    static func run(_ binary: URL, _ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

final class TrainCLITests: XCTestCase {
    func testTrainWritesALoadableBundle() throws {
        let dir = try CLIFixture.bundleDirectory.get()
        let bundle = try BundleStore.read(dir)
        XCTAssertEqual(bundle.manifest.dataset.users, 40)
        XCTAssertEqual(bundle.manifest.dataset.movies, 80)
        XCTAssertEqual(bundle.manifest.parameters["seed"], "3")
        XCTAssertEqual(bundle.manifest.parameters["threads"], "2")
        XCTAssertEqual(bundle.manifest.dataset.source, try CLIFixture.dataDirectory.get())
    }

    func testTrainingArgumentsAreValidated() throws {
        XCTAssertThrowsError(try TrainCommand.parse(["--data", "x", "--backend", "cuda"]))
        XCTAssertThrowsError(try TrainCommand.parse(["--data", "x", "--threads", "-2"]))
        XCTAssertThrowsError(try TrainCommand.parse(["--data", "x", "--log-level", "loud"]))
        let c = try TrainCommand.parse(["--data", "x", "--backend", "swift", "--seed", "9", "--verbose"])
        XCTAssertEqual(try c.training.trainingOptions(source: "x").backend.rawValue, "swift")
        XCTAssertEqual(c.training.seed, 9)
        XCTAssertEqual(c.output.level, .info)
    }

    /// train → recommend → predict → similar through the real binary.
    func testBinaryEndToEnd() throws {
        guard let binary = CLIFixture.binary() else { throw XCTSkip("movierec binary not built next to the tests") }
        let data = try CLIFixture.dataDirectory.get()
        let root = try TestData.temporaryDirectory("movierec-cli-e2e")
        defer { try? FileManager.default.removeItem(at: root) }
        let models = root.appendingPathComponent("models").path
        let (status, out, err) = try CLIFixture.run(binary, ["train", "--data", data, "--out", models, "--threads", "2", "--json"])
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(err.isEmpty, "stderr is not a terminal: no progress expected, got \(err)")
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        XCTAssertEqual((summary["dataset"] as? [String: Any])?["ratings"] as? Int, try BundleStore.read(models).manifest.dataset.ratings)

        let (rs, rout, rerr) = try CLIFixture.run(binary, ["recommend", "--models", models, "--user", "2", "--top", "4", "--json"])
        XCTAssertEqual(rs, 0, rerr)
        let rec = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(rout.utf8)) as? [String: Any])
        XCTAssertEqual((rec["recommendations"] as? [Any])?.count, 4)

        let (us, _, uerr) = try CLIFixture.run(binary, ["recommend", "--models", models, "--user", "99999"])
        XCTAssertEqual(us, 1)
        XCTAssertTrue(uerr.hasPrefix("movierec: error: user 99999 is not in the model bundle"), uerr)

        let (ps, pout, perr) = try CLIFixture.run(binary, ["predict", "--models", models, "--user", "2", "--movie", "3", "--json"])
        XCTAssertEqual(ps, 0, perr)
        let pred = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(pout.utf8)) as? [String: Any])
        let p = try XCTUnwrap(pred["like_probability"] as? Double)
        XCTAssertTrue(p > 0 && p < 1)

        let (ss, sout, serr) = try CLIFixture.run(binary, ["similar", "--models", models, "--movie", "1", "--top", "3"])
        XCTAssertEqual(ss, 0, serr)
        XCTAssertTrue(sout.hasPrefix("Movies similar to "), sout)

        let (bs, _, berr) = try CLIFixture.run(binary, ["recommend", "--models", root.path, "--user", "2"])
        XCTAssertEqual(bs, 1)
        XCTAssertTrue(berr.contains("is not a MovieRec model bundle"), berr)
    }
}
