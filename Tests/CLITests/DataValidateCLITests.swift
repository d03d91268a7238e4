import Foundation
import XCTest
import TestSupport
@testable import movierec

/// `movierec data validate`: the command's logic called directly, and the built binary run as a
/// process when it sits next to the test bundle.
final class DataValidateCLITests: XCTestCase {
    private func write(_ files: [String: String]) throws -> URL {
        let dir = try TestData.temporaryDirectory("movierec-validate")
        for (name, text) in files { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        return dir
    }

    private func jsonObject(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testJSONOnFixture() throws {
        let dir = try write([
            "ratings.csv": "userId,movieId,rating,timestamp\n1,10,4.0,1000000000\n1,10,3.0,1000000005\n2,10,9,1000000000\n2,11,4.5,1000000000\n",
            "movies.csv": "movieId,title,genres\n10,Heat (1995),Action\n11,No Year,\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = DataValidation.run(path: dir.path, format: nil, json: true, threads: 1)
        XCTAssertEqual(out.status, 0)
        XCTAssertEqual(out.error, "")
        let json = try jsonObject(out.output)
        XCTAssertEqual(json["format"] as? String, "csv")
        let files = try XCTUnwrap(json["files"] as? [String: Any])
        let ratings = try XCTUnwrap(files["ratings"] as? [String: Any])
        XCTAssertEqual(ratings["read"] as? Int, 4)
        XCTAssertEqual(ratings["kept"] as? Int, 2)
        XCTAssertEqual(ratings["repaired"] as? [String: Int], [:])
        XCTAssertEqual(ratings["dropped"] as? [String: Int], ["duplicate (user, movie)": 1, "rating out of range": 1])
        let movies = try XCTUnwrap(files["movies"] as? [String: Any])
        XCTAssertEqual(movies["kept"] as? Int, 1)
        XCTAssertEqual(movies["repaired"] as? [String: Int], ["title without year": 1, "genres missing": 1])
        XCTAssertEqual(try XCTUnwrap(json["dataset"] as? [String: Int]), ["users": 2, "movies": 2, "ratings": 2, "tags": 0])
        let details = try XCTUnwrap(json["details"] as? [String: Any])
        let ratingDetails = try XCTUnwrap(details["ratings"] as? [String: Any])
        XCTAssertEqual(ratingDetails["examples"] as? [String: [Int]], ["duplicate (user, movie)": [2], "rating out of range": [4]])
        // The keys come in the documented order.
        let order = ["\"format\"", "\"files\"", "\"dataset\"", "\"details\""].compactMap { out.output.range(of: $0)?.lowerBound }
        XCTAssertEqual(order, order.sorted())
        XCTAssertEqual(order.count, 4)
    }

    func testTableOnSeed() throws {
        guard let dir = TestData.path("seed-ml1m-dirty") else { throw XCTSkip(TestData.missingMessage("seed-ml1m-dirty")) }
        let out = DataValidation.run(path: dir, format: nil, json: false, threads: 2)
        XCTAssertEqual(out.status, 0)
        let lines = out.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("ratings.dat") && $0.contains("132,984") && $0.contains("117,685") && $0.contains("15,299") })
        XCTAssertTrue(lines.contains { $0.contains("dropped  rating missing") && $0.contains("6,388") && $0.hasSuffix("lines 4, 31, 60, 105, 129") })
        XCTAssertTrue(lines.contains { $0.contains("repaired age not a valid code") && $0.contains("529") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("dataset: 6,050 users, 3,891 movies, 117,685 ratings, 0 tags") })
        XCTAssertFalse(out.output.contains("UNBALANCED"))
    }

    func testJSONOnSeed() throws {
        guard let dir = TestData.path("seed-ml1m-dirty") else { throw XCTSkip(TestData.missingMessage("seed-ml1m-dirty")) }
        let out = DataValidation.run(path: dir, format: nil, json: true, threads: 2)
        let files = try XCTUnwrap(try jsonObject(out.output)["files"] as? [String: [String: Any]])
        XCTAssertEqual(files["users"]?["dropped"] as? [String: Int], ["duplicate user id": 14])
        XCTAssertEqual((files["ratings"]?["dropped"] as? [String: Int])?["rating out of range"], 5_256)
        XCTAssertNil(files["tags"])
    }

    func testErrors() throws {
        var out = DataValidation.run(path: "/nonexistent/dir", format: nil, json: false, threads: 1)
        XCTAssertEqual(out.status, 1)
        XCTAssertEqual(out.error, "movierec: error: /nonexistent/dir: no such directory\n")
        XCTAssertEqual(out.output, "")

        let empty = try write([:])
        defer { try? FileManager.default.removeItem(at: empty) }
        out = DataValidation.run(path: empty.path, format: nil, json: true, threads: 1)
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.error.hasPrefix("movierec: error: \(empty.path): no MovieLens files"), out.error)

        let junk = try write(["ratings.csv": "userId,movieId,rating,timestamp\n\u{1}\u{2}garbage\u{0}\nmore,junk\n"])
        defer { try? FileManager.default.removeItem(at: junk) }
        out = DataValidation.run(path: junk.path, format: nil, json: false, threads: 1)
        XCTAssertEqual(out.status, 1)
        XCTAssertEqual(out.error, "movierec: error: \(junk.path)/ratings.csv:2: no usable rows; the first was dropped for: binary data (NUL or control bytes)\n")

        out = DataValidation.run(path: junk.path, format: .ml100k, json: false, threads: 1)
        XCTAssertEqual(out.error, "movierec: error: \(junk.path)/u.data: file is missing\n")
    }

    func testDefaultPathMissing() throws {
        let cwd = FileManager.default.currentDirectoryPath
        let tmp = try TestData.temporaryDirectory("movierec-cwd")
        defer {
            FileManager.default.changeCurrentDirectoryPath(cwd)
            try? FileManager.default.removeItem(at: tmp)
        }
        FileManager.default.changeCurrentDirectoryPath(tmp.path)
        let out = DataValidation.run(path: nil, format: nil, json: false, threads: 1)
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.error.contains("movierec data fetch ml-latest-small"), out.error)
    }

    func testArgumentParsing() throws {
        XCTAssertThrowsError(try DataValidateCommand.parse(["x", "--format", "parquet"]))
        let cmd = try DataValidateCommand.parse(["some/dir", "--format", "seed-pipe", "--json", "--threads", "3"])
        XCTAssertEqual(cmd.path, "some/dir")
        XCTAssertEqual(cmd.format, "seed-pipe")
        XCTAssertTrue(cmd.json)
        XCTAssertEqual(cmd.threads, 3)
    }

    /// The real binary, when the build put it beside the test bundle.
    func testBinaryAsProcess() throws {
        guard let dir = TestData.path("seed-ml1m-dirty") else { throw XCTSkip(TestData.missingMessage("seed-ml1m-dirty")) }
        guard let binary = CLIFixture.binary() else { throw XCTSkip("movierec binary not built next to the tests") }
        func run(_ args: [String]) throws -> (Int32, String, String) { try CLIFixture.run(binary, args) }
        let (status, output, _) = try run(["data", "validate", dir, "--json"])
        XCTAssertEqual(status, 0)
        let dataset = try XCTUnwrap(try jsonObject(output)["dataset"] as? [String: Int])
        XCTAssertEqual(dataset["ratings"], 117_685)
        let (bad, _, error) = try run(["data", "validate", "/nonexistent/dir"])
        XCTAssertNotEqual(bad, 0)
        XCTAssertEqual(error, "movierec: error: /nonexistent/dir: no such directory\n")
    }
}
