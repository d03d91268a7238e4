import Foundation
import Recommender
import Runtime
import TestSupport
import XCTest
@testable import movierec

/// `movierec evaluate --report R --scale-curve C`: the option's parsing and the section it adds.
final class ScaleCurveCLITests: XCTestCase {
    func testScaleCurveNeedsAReport() throws {
        XCTAssertThrowsError(try EvaluateCommand.parse(["--data", "d", "--scale-curve", "c.json"])) { error in
            XCTAssertTrue(EvaluateCommand.message(for: error).contains("--scale-curve needs --report"), "\(error)")
        }
        let c = try EvaluateCommand.parse(["--data", "d", "--report", "r.html", "--scale-curve", "c.json"])
        XCTAssertEqual(c.scaleCurve, "c.json")
        XCTAssertNil(try EvaluateCommand.parse(["--data", "d"]).scaleCurve)
    }

    func testReportOnMLLatestSmallGainsTheCurve() throws {
        guard let data = TestData.path("ml-latest-small") else { throw XCTSkip(TestData.missingMessage("ml-latest-small")) }
        let dir = try TestData.temporaryDirectory("movierec-scale-curve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let curveFile = dir.appendingPathComponent("curve.json").path
        try Data("""
        {"runs": [{"size": "1m", "ratings": 1000000, "command": "pipeline", "wall": 40, "cpu": 60, "rss_gb": 0.5},
                  {"size": "5m", "ratings": 5000000, "command": "pipeline", "wall": 150, "cpu": 250, "rss_gb": 1.5}]}
        """.utf8).write(to: URL(fileURLWithPath: curveFile))
        let report = dir.appendingPathComponent("r.html").path
        var o = FullEvaluationOptions()
        o.stages = [.clusters]
        o.threads = 2
        o.clusters.nInit = 1
        _ = try EvaluateRun.run(data: data, options: o, json: true, report: report, progress: SilentProgress(),
                                scaleCurve: try ScaleCurve.load(path: curveFile))
        let html = try String(contentsOfFile: report, encoding: .utf8)
        XCTAssertTrue(html.contains("<section id=\"scale\"><h2>Scale curve</h2>"))
        XCTAssertTrue(html.contains("5,000,000"))
        XCTAssertEqual(html.components(separatedBy: "class=\"point\"").count - 1, 2 * 4, "two runs on each of four charts")
    }
}
