import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Recommender

/// The scale-curve section of the report: reading curve.py's JSON, the charts, the HTML.
final class ReportScaleCurveTests: XCTestCase {
    /// What `Benchmarks/scale/curve.py --json` writes (trimmed), sizes deliberately out of order.
    static let json = """
    {"machine": {"cpus": 2, "threads": 2},
     "runs": [
      {"size": "5m", "ratings": 5000000, "command": "pipeline", "wall": 150.0, "cpu": 250.0, "rss_gb": 1.5,
       "load_before": [3.1, 2.0, 1.0], "load_after": [3.0, 2.0, 1.0],
       "stages": [{"stage": "validate", "wall": 2.5}, {"stage": "train", "wall": 120.0}]},
      {"size": "1m", "ratings": 1000000, "command": "pipeline", "wall": 40.0, "cpu": 60.0, "rss_gb": 0.5,
       "load_before": [1.5, 1.0, 1.0], "stages": []},
      {"size": "1m", "ratings": 1000000, "command": "train", "wall": 30.0, "cpu": 40.0, "rss_gb": 0.4,
       "stages": [{"stage": "features", "wall": 5.0, "cpu": 9.0, "rss_gb": 0.3}]},
      {"size": "10m", "ratings": 10000000, "command": "pipeline", "wall": 290.0, "cpu": 520.0, "rss_gb": 2.9,
       "load_before": [1.0, 1.0, 1.0], "stages": []},
      {"size": "5m", "ratings": 5000000, "command": "train", "wall": 150.0, "cpu": 200.0, "rss_gb": 1.2, "stages": []}
     ],
     "linearity": []}
    """

    private func parse(_ xml: String) -> XMLCollector {
        let collector = XMLCollector()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "?")")
        return collector
    }

    private func curve() throws -> ScaleCurve { try ScaleCurve.decode(Data(Self.json.utf8), path: "curve.json") }

    func testDecodesCurvePyOutput() throws {
        let c = try curve()
        XCTAssertEqual(c.runs.count, 5)
        XCTAssertEqual(c.commands, ["pipeline", "train"])
        XCTAssertEqual(c.runs(of: "pipeline").map(\.ratings), [1_000_000, 5_000_000, 10_000_000], "sorted by size")
        let five = c.runs(of: "pipeline")[1]
        XCTAssertEqual(five.loadBefore, 3.1)
        XCTAssertEqual(five.peakRSSGB, 1.5)
        XCTAssertEqual(five.stages, [ScaleCurve.Stage(name: "validate", wall: 2.5), ScaleCurve.Stage(name: "train", wall: 120)])
        XCTAssertEqual(c.runs(of: "train")[0].stages.first?.cpu, 9.0)
    }

    func testBadFilesNameTheFileAndTheReason() {
        let cases: [(String, String)] = [
            ("{\"runs\": [{\"size\": \"1m\", \"ratings\": 1000000, \"command\": \"pipeline\", \"cpu\": 1, \"rss_gb\": 0.1}]}", "runs[0].wall"),
            ("{\"runs\": [{\"size\": \"1m\", \"ratings\": 0, \"command\": \"pipeline\", \"wall\": 1, \"cpu\": 1, \"rss_gb\": 0.1}]}", "ratings must be positive"),
            ("{\"runs\": [{\"size\": \"1m\", \"ratings\": 10, \"command\": \"pipeline\", \"wall\": -1, \"cpu\": 1, \"rss_gb\": 0.1}]}", "runs[0].wall must be"),
            ("{\"runs\": [{\"size\": \"1m\", \"ratings\": \"many\", \"command\": \"x\", \"wall\": 1, \"cpu\": 1, \"rss_gb\": 0.1}]}", "runs[0].ratings"),
            ("not json", "not JSON"),
            ("{}", "missing key runs"),
        ]
        for (text, reason) in cases {
            XCTAssertThrowsError(try ScaleCurve.decode(Data(text.utf8), path: "/tmp/c.json"), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("/tmp/c.json: "), message)
                XCTAssertTrue(message.contains(reason), "\(message) should contain \(reason)")
            }
        }
        XCTAssertThrowsError(try ScaleCurve.load(path: "/nonexistent/curve.json")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/curve.json: cannot read"), "\(error)")
        }
    }

    /// The x pixels of each `<polyline>` of a chart, by CSS class.
    private func polylines(_ doc: XMLCollector, cssClass: String) -> [[(x: Double, y: Double)]] {
        doc.elements.filter { $0.name == "polyline" && $0.attributes["class"] == cssClass }.map { e in
            (e.attributes["points"] ?? "").split(separator: " ").map { p in
                let xy = p.split(separator: ",").compactMap { Double($0) }
                return (xy.first ?? .nan, xy.last ?? .nan)
            }
        }
    }

    func testChartsAreWellFormedMonotoneInXWithOnePointPerRun() throws {
        let c = try curve()
        let charts = ScaleCurveSection.charts(c)
        XCTAssertEqual(charts.map(\.title).count, 4)
        for chart in charts {
            let doc = parse(chart.svg())
            XCTAssertEqual(doc.elements.first?.name, "svg")
            let lines = polylines(doc, cssClass: "series")
            XCTAssertEqual(lines.map(\.count), [3, 2], "one line per command, one point per size: \(chart.title)")
            for line in lines {
                for (a, b) in zip(line, line.dropFirst()) { XCTAssertLessThan(a.x, b.x, "x increases along \(chart.title)") }
            }
            XCTAssertEqual(doc.elements.filter { $0.name == "circle" }.count, 5, "a marker per run: \(chart.title)")
            XCTAssertFalse(chart.svg().lowercased().contains("nan"))
        }
    }

    func testLinearReferenceMatchesALinearCurveAndSeparatesASuperlinearOne() throws {
        // pipeline CPU: 60 → 250 → 520 per 1 → 5 → 10 M, below linear (300, 600); train: 40 → 200, exactly linear.
        let charts = ScaleCurveSection.charts(try curve())
        let cpu = try XCTUnwrap(charts.first { $0.title.hasPrefix("CPU seconds (") })
        let doc = parse(cpu.svg())
        let measured = polylines(doc, cssClass: "series"), reference = polylines(doc, cssClass: "reference")
        XCTAssertEqual(reference.count, 2, "one dashed linear extrapolation per command with ≥ 2 sizes")
        XCTAssertEqual(reference[0].first?.y ?? 0, measured[0].first?.y ?? 1, accuracy: 0.01, "both start at the smallest run")
        // Sub-linear pipeline: the measured points lie below the reference (larger SVG y) after the first.
        for (m, r) in zip(measured[0].dropFirst(), reference[0].dropFirst()) { XCTAssertGreaterThan(m.y, r.y + 1) }
        // Exactly linear train: the measured line is its reference.
        for (m, r) in zip(measured[1], reference[1]) { XCTAssertEqual(m.y, r.y, accuracy: 0.01) }
        // The per-million chart of the linear command is flat.
        let perM = try XCTUnwrap(charts.first { $0.title.hasPrefix("CPU seconds per million") })
        let flat = polylines(parse(perM.svg()), cssClass: "series")[1]
        XCTAssertEqual(flat[0].y, flat[1].y, accuracy: 0.01)
        // Axes start at zero, so the plotted heights compare.
        XCTAssertEqual(cpu.resolvedYScale.lower, 0)
        XCTAssertEqual(cpu.resolvedXScale.lower, 0)
    }

    func testSectionTableAndEscaping() throws {
        var c = try curve()
        c.runs[0].command = "<script>x</script>"
        let html = ScaleCurveSection.html(c)
        let doc = parse("<div>" + html + "</div>")
        XCTAssertFalse(doc.elements.contains { $0.name == "script" })
        XCTAssertTrue(doc.text.contains("<script>x</script>"))
        // Rows: one per (command, size); cores busy = CPU / wall of the 10M pipeline run.
        XCTAssertEqual(doc.elements.filter { $0.name == "tr" }.count, 1 + 5)
        XCTAssertTrue(doc.text.contains("10,000,000"))
        XCTAssertTrue(doc.text.contains("1.79"), "520 / 290 cores busy")
        XCTAssertEqual(doc.elements.filter { $0.name == "svg" }.count, 4)
        XCTAssertTrue(ScaleCurveSection.html(ScaleCurve(runs: [])).contains("no runs"))
    }

    func testReportGainsTheSectionOnlyWhenGivenACurve() throws {
        let summary = try FullEvaluationFixture.all.get()
        let context = ReportContext(generated: Date(timeIntervalSince1970: 1_764_000_000), machine: "m", cores: 2, command: nil)
        let plain = HTMLReport.render(summary, context: context)
        let with = HTMLReport.render(summary, context: context, scaleCurve: try curve())
        XCTAssertFalse(plain.contains("id=\"scale\""))
        XCTAssertTrue(with.contains("<section id=\"scale\"><h2>Scale curve</h2>"))
        let svgs = { (html: String) in self.parse(html).elements.filter { $0.name == "svg" }.count }
        XCTAssertEqual(svgs(with), svgs(plain) + 4)
        XCTAssertEqual(with.replacingOccurrences(of: ScaleCurveSection.html(try curve()), with: ""), plain)
    }
}
