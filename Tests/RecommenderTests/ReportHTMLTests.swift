import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Runtime
import TestSupport
import XCTest
@testable import Recommender

/// The HTML report: one self-contained, well-formed document with every chart and escaped text.
final class ReportHTMLTests: XCTestCase {
    private let context = ReportContext(generated: Date(timeIntervalSince1970: 1_764_000_000), machine: "test <host> & co", cores: 2,
                                        command: "movierec evaluate --data '<x>'")

    private func parse(_ html: String) throws -> XMLCollector {
        let collector = XMLCollector()
        let parser = XMLParser(data: Data(html.utf8))
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "?")")
        return collector
    }

    private func hostileSummary() throws -> EvaluationSummary {
        var s = try FullEvaluationFixture.all.get().withSeconds(first: "load", 0.5)
        // This summary exercises the "not available" path of the ROC and importance charts
        // (testROCAndImportanceChartsWhenAvailable covers the charts themselves).
        s.roc = nil
        s.importance = nil
        s.unavailable.append((item: "roc", reason: "removed for this test"))
        s.unavailable.append((item: "importance", reason: "removed for this test"))
        s.data = "/data/<script>alert('x')</script>&\u{1}"
        return s
    }

    func testWellFormedSelfContainedAndEscaped() throws {
        let html = HTMLReport.render(try hostileSummary(), context: context)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        let doc = try parse(html)
        XCTAssertFalse(doc.elements.contains { ["script", "img", "link", "iframe", "object"].contains($0.name) })
        XCTAssertTrue(doc.text.contains("/data/<script>alert('x')</script>&"), "the hostile path is shown as text")
        XCTAssertTrue(doc.text.contains("test <host> & co · 2 cores"))
        // Self-contained: no reference to anything outside the file.
        for needle in ["src=", "href=", "url(", "@import", "https:"] { XCTAssertFalse(html.contains(needle), needle) }
        XCTAssertFalse(html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http:"))
        // Charts: AUC and RMSE per fold, two cluster-size charts, top-N, time per stage and inside each stage.
        let svgTitles = doc.elements.enumerated().filter { $0.element.name == "svg" }.count
        XCTAssertEqual(svgTitles, 2 + 2 + 1 + 1 + 3)
        XCTAssertTrue(doc.text.contains("Classifier AUC per fold"))
        XCTAssertTrue(doc.text.contains("ROC curve not available"))
        XCTAssertTrue(doc.text.contains("Top-10 metrics per model"))
        // One bar per fold in the AUC chart, and per cluster in the size charts.
        let bars = doc.elements.filter { $0.attributes["class"] == "bar" }.count
        let s = try hostileSummary()
        let expected = 2 * 3 + (s.genreClusters?.k ?? 0) + (s.ratingClusters?.k ?? 0) + 5 * (s.topN?.models.count ?? 0)
            + s.seconds.order.count + s.detailSeconds.map(\.timer.order.count).reduce(0, +)
        XCTAssertEqual(bars, expected)
    }

    func testROCAndImportanceChartsWhenAvailable() throws {
        var s = try hostileSummary()
        s.unavailable.removeAll { $0.item == "roc" || $0.item == "importance" }
        // Pairs (positive, negative) ranked right: 0.9 > all 3, 0.5 > 0.3 and 0.2 → 5 of 6.
        s.roc = ROCCurve(scores: [0.9, 0.5, 0.3, 0.2, 0.6], labels: [1, 1, 0, 0, 0])
        s.importance = [(feature: "user_mean <&>", gain: 40), (feature: "movie_mean", gain: 25), (feature: "year", gain: .nan)]
        let html = HTMLReport.render(s, context: context)
        let doc = try parse(html)
        XCTAssertTrue(doc.text.contains("ROC curve, pooled out-of-fold predictions"))
        XCTAssertTrue(doc.text.contains("classifier (AUC 0.8333)"))
        XCTAssertTrue(doc.text.contains("user_mean <&>"))
        XCTAssertFalse(doc.text.contains("not available"))
        XCTAssertEqual(doc.elements.filter { $0.attributes["class"] == "diagonal" }.count, 1)
    }

    func testEmptyStagesStillRender() throws {
        var s = try FullEvaluationFixture.all.get()
        s.crossValidation = nil
        s.genreClusters = nil
        s.ratingClusters = nil
        s.topN = nil
        s.detailSeconds = []
        s.seconds = StageTimer()
        s.unavailable = [(item: "topn", reason: "no <rankers>")]
        let doc = try parse(HTMLReport.render(s, context: context))
        XCTAssertTrue(doc.text.contains("Top-N evaluation not available: no <rankers>."))
        XCTAssertTrue(doc.text.contains("no data"), "the empty time chart says so")
    }

    func testWriteIsAtomicAndMatchesRender() throws {
        let dir = try TestData.temporaryDirectory("movierec-report")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sub/report.html").path
        let s = try FullEvaluationFixture.all.get()
        try HTMLReport.write(s, context: context, to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), HTMLReport.render(s, context: context))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("sub").path), ["report.html"])
        XCTAssertThrowsError(try HTMLReport.write(s, context: context, to: "/proc/definitely/not/writable.html"))
    }
}
