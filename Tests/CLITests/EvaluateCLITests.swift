import Foundation
import Recommender
import Runtime
import TestSupport
import XCTest
@testable import movierec

/// `movierec evaluate`: flag parsing, and the command's logic on a small CSV data set written here.
final class EvaluateCLITests: XCTestCase {
    /// 60 users × 12 rated movies each out of 30, ratings from a seeded user/movie taste model.
    private func writeData() throws -> URL {
        let dir = try TestData.temporaryDirectory("movierec-evaluate")
        var rng = SplitMix64(seed: 3)
        let genres = ["Action", "Comedy", "Drama", "Horror"]
        var movies = "movieId,title,genres\n"
        for m in 1...30 { movies += "\(m),\"Movie \(m), The (\(1980 + m))\",\(genres[m % 4])|\(genres[(m / 4) % 4])\n" }
        var ratings = "userId,movieId,rating,timestamp\n"
        for u in 1...60 {
            var seen = Set<Int>()
            while seen.count < 12 {
                let m = 1 + rng.nextBelow(30)
                guard seen.insert(m).inserted else { continue }
                let taste = (u % 4 == m % 4) ? 1.5 : -0.5
                let stars = min(5, max(1, (3 + taste + (rng.nextUnit() - 0.5) * 2).rounded()))
                ratings += "\(u),\(m),\(stars),\(1_000_000_000 + rng.nextBelow(50_000_000))\n"
            }
        }
        try Data(movies.utf8).write(to: dir.appendingPathComponent("movies.csv"))
        try Data(ratings.utf8).write(to: dir.appendingPathComponent("ratings.csv"))
        return dir
    }

    func testFlagsBecomeOptions() throws {
        let c = try EvaluateCommand.parse(["--data", "d", "--folds", "3", "--seed", "9", "--threads", "1", "--backend", "swift",
                                           "--stages", "topn,clusters", "--quiet"])
        let o = try c.options()
        XCTAssertEqual(o.stages, [.clusters, .topn])
        XCTAssertEqual(o.folds, 3)
        XCTAssertEqual(o.seed, 9)
        XCTAssertEqual(o.threads, 1)
        XCTAssertEqual(o.backend, .swift)
        XCTAssertTrue(c.output.quiet)
        XCTAssertEqual(try EvaluateCommand.parse(["--data", "d"]).options().stages, [.cv, .clusters, .topn])
        XCTAssertThrowsError(try EvaluateCommand.parse(["--data", "d", "--stages", "cv,moon"]))
        XCTAssertThrowsError(try EvaluateCommand.parse(["--data", "d", "--folds", "1"]))
        XCTAssertThrowsError(try EvaluateCommand.parse(["--data", "d", "--backend", "gpu"]))
    }

    func testJSONAndReportFromCSVData() throws {
        let dir = try writeData()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = try EvaluateCommand.parse(["--data", dir.path, "--folds", "2", "--seed", "4", "--threads", "2"]).options()
        o.crossValidation.features.mf.epochs = 5
        o.crossValidation.features.genreClusters = 2
        o.crossValidation.features.ratingClusters = 2
        o.crossValidation.classifier.rounds = 20
        o.crossValidation.classifier.maxDepth = 3
        o.crossValidation.regressor = o.crossValidation.classifier
        o.clusters.nInit = 2
        o.topN.models = [.popularity]
        let report = dir.appendingPathComponent("out/report.html").path
        let text = try EvaluateRun.run(data: dir.path, options: o, json: true, report: report, progress: SilentProgress())
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        func value(_ path: String) -> Any? {
            var current: Any? = json
            for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
            return current
        }
        XCTAssertEqual(json["data"] as? String, dir.path)
        XCTAssertEqual(json["ratings"] as? Int, 720)
        XCTAssertEqual((value("classifier.auc.folds") as? [Double])?.count, 2)
        XCTAssertEqual((value("regressor.rmse.folds") as? [Double])?.count, 2)
        XCTAssertEqual((value("clusters.genre.sizes") as? [Int])?.reduce(0, +), 60)
        XCTAssertEqual((value("clusters.ratings.sizes") as? [Int])?.reduce(0, +), 60)
        XCTAssertNotNil(value("topn.popularity.hit_rate") as? Double)
        XCTAssertEqual(Set((value("seconds") as? [String: Double])?.keys.map { $0 } ?? []), ["load", "cv", "clusters", "topn", "total"])
        let html = try String(contentsOfFile: report, encoding: .utf8)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("Classifier AUC per fold"))
        XCTAssertTrue(html.hasSuffix("</html>\n"))

        // The table names every stage; a missing directory is a clear error.
        o.stages = [.clusters]
        let table = try EvaluateRun.run(data: dir.path, options: o, json: false, report: nil, progress: SilentProgress())
        XCTAssertTrue(table.contains("genre (model 2)"), table)
        XCTAssertTrue(table.contains("seconds: load"), table)
        XCTAssertFalse(table.contains("cross-validation"), table)
        XCTAssertThrowsError(try EvaluateRun.run(data: dir.appendingPathComponent("missing").path, options: o, json: true,
                                                 report: nil, progress: SilentProgress()))
    }
}
