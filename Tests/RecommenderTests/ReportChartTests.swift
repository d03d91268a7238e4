import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Runtime
import XCTest
@testable import Recommender

/// The SVG charts: well-formed XML, escaped text, axes that cover the data, empty data.
final class ReportChartTests: XCTestCase {
    /// Parses `xml` strictly; returns the elements (name, attributes) and the concatenated text.
    private func parse(_ xml: String, file: StaticString = #filePath, line: UInt = #line) throws -> XMLCollector {
        let collector = XMLCollector()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = collector
        let ok = parser.parse()
        XCTAssertTrue(ok, "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")", file: file, line: line)
        return collector
    }

    static let hostile = "</title><script>alert(\"x\")</script> & 'quotes' <b>\u{0}\u{1B}ctrl"

    private var charts: [any SVGChart] {
        let h = Self.hostile
        return [
            BarChart(title: h, labels: [h, "b", "c"], values: [0.81, 0.79, .nan], xTitle: h, yTitle: h,
                     reference: ReferenceLine(label: h, value: 0.8), includeZero: false),
            HorizontalBarChart(title: h, labels: [h, "user_mean", "movie_mean"], values: [3, 12.5, 7], valueTitle: h),
            GroupedBarChart(title: h, groups: ["precision@10", h], series: [BarSeries(name: h, values: [0.1, 0.2]),
                                                                           BarSeries(name: "als", values: [0.3, .infinity])], yTitle: h),
            LineChart(title: h, series: [LineSeries(name: h, x: [0, 0.5, 1], y: [0, 0.8, 1])], xTitle: h, yTitle: h,
                      xScale: AxisScale(fixedLower: 0, upper: 1, step: 0.2), yScale: nil, diagonal: true),
        ]
    }

    func testEveryChartIsWellFormedAndEscapesHostileText() throws {
        for chart in charts {
            let svg = chart.svg()
            let doc = try parse(svg)
            XCTAssertEqual(doc.elements.first?.name, "svg")
            XCTAssertFalse(doc.elements.contains { $0.name == "script" || $0.name == "b" }, "markup injected by a title in \(type(of: chart))")
            // The hostile title survives as text (control characters replaced), not as markup.
            XCTAssertTrue(doc.text.contains("</title><script>alert(\"x\")</script> & 'quotes' <b>"), "\(type(of: chart))")
            XCTAssertFalse(svg.contains("\u{0}"))
            XCTAssertFalse(svg.lowercased().contains("nan"), "a non-finite value leaked into \(type(of: chart))")
        }
    }

    func testEmptyChartsSayNoData() throws {
        let empty: [any SVGChart] = [
            BarChart(title: "t", labels: [], values: []),
            HorizontalBarChart(title: "t", labels: ["a"], values: [.nan]),
            GroupedBarChart(title: "t", groups: [], series: []),
            LineChart(title: "t", series: [LineSeries(name: "s", x: [], y: [])]),
        ]
        for chart in empty {
            let doc = try parse(chart.svg())
            XCTAssertTrue(doc.text.contains("no data"), "\(type(of: chart))")
            XCTAssertFalse(doc.elements.contains { $0.attributes["class"] == "bar" })
        }
    }

    func testAxisCoversDataWithRoundTicks() {
        var rng = SplitMix64(seed: 7)
        for trial in 0..<500 {
            let count = 1 + Int(rng.next() % 8)
            let scale = pow(10, Double(Int(rng.next() % 9)) - 4)
            let offset = (rng.nextUnit() - 0.5) * 20 * scale
            let values = (0..<count).map { _ in offset + (rng.nextUnit() - 0.5) * scale }
            let zero = trial % 2 == 0
            let axis = AxisScale(covering: values, includeZero: zero)
            XCTAssertLessThanOrEqual(axis.lower, values.min() ?? 0, "trial \(trial)")
            XCTAssertGreaterThanOrEqual(axis.upper, values.max() ?? 0, "trial \(trial)")
            XCTAssertLessThan(axis.lower, axis.upper)
            if zero { XCTAssertTrue(axis.lower <= 0 && axis.upper >= 0) }
            let ticks = axis.ticks
            XCTAssertGreaterThanOrEqual(ticks.count, 2)
            XCTAssertLessThanOrEqual(ticks.count, 12, "too many ticks for \(values)")
            // Tick labels are distinct and read back as the tick values.
            let labels = ticks.map { axis.label($0) }
            XCTAssertEqual(Set(labels).count, labels.count, "labels \(labels) for step \(axis.step)")
            for (t, l) in zip(ticks, labels) {
                let parsed = Double(l.replacingOccurrences(of: ",", with: ""))
                XCTAssertEqual(parsed ?? .nan, t, accuracy: axis.step * 1e-3 + 1e-12, "label \(l) of tick \(t)")
            }
            // The step is 1, 2, 2.5 or 5 times a power of ten.
            let mantissa = axis.step / pow(10, log10(axis.step).rounded(.down))
            XCTAssertTrue([1, 2, 2.5, 5, 10].contains { abs($0 - mantissa) < 1e-6 }, "step \(axis.step)")
        }
        // A constant series and no data still give a usable axis.
        let constant = AxisScale(covering: [0.8, 0.8])
        XCTAssertTrue(constant.lower < 0.8 && constant.upper > 0.8)
        XCTAssertEqual(AxisScale(covering: []).lower, 0)
        XCTAssertEqual(AxisScale(covering: [.nan]).upper, 1)
        // Steps of 2.5 get a decimal: 0, 2.5, 5, 7.5 … not 0, 2, 5, 8.
        let quarter = AxisScale(lower: 0, upper: 12, ticks: 6)
        XCTAssertEqual(quarter.step, 2.5)
        XCTAssertEqual(quarter.ticks.map { quarter.label($0) }, ["0.0", "2.5", "5.0", "7.5", "10.0", "12.5"])
    }

    func testBarsStayInsideThePlotAreaAndGrowWithTheirValue() throws {
        let values = [0.8129, 0.8127, 0.8143, 0.8186, 0.8157]
        let chart = BarChart(title: "AUC", labels: values.indices.map { "fold \($0 + 1)" }, values: values,
                             reference: ReferenceLine(label: "mean", value: 0.8149), includeZero: false)
        let bars = try parse(chart.svg()).elements.filter { $0.attributes["class"] == "bar" }
        XCTAssertEqual(bars.count, values.count)
        let area = chart.area
        var heights: [Double] = []
        for bar in bars {
            let y = try XCTUnwrap(Double(bar.attributes["y"] ?? "")), h = try XCTUnwrap(Double(bar.attributes["height"] ?? ""))
            XCTAssertGreaterThanOrEqual(y, area.top - 0.01)
            XCTAssertLessThanOrEqual(y + h, area.bottom + 0.01)
            heights.append(h)
        }
        // Heights rank like the values (the tallest bar is fold 4).
        XCTAssertEqual(heights.indices.sorted { heights[$0] < heights[$1] }, values.indices.sorted { values[$0] < values[$1] })
        let reference = try parse(chart.svg()).elements.first { $0.attributes["class"] == "reference" }
        let y = try XCTUnwrap(Double(try XCTUnwrap(reference?.attributes["y1"])))
        XCTAssertTrue(y > area.top && y < area.bottom)
    }

    func testGroupedAndHorizontalBarsCoverTheirData() throws {
        let grouped = GroupedBarChart(title: "top-N", groups: ["p", "r", "n"],
                                      series: [BarSeries(name: "a", values: [0.1, 0.5, 2.4]), BarSeries(name: "b", values: [0.05, 0.2, 0.3])])
        XCTAssertGreaterThanOrEqual(grouped.scale.upper, 2.4)
        let gBars = try parse(grouped.svg()).elements.filter { $0.attributes["class"] == "bar" }
        XCTAssertEqual(gBars.count, 6)
        for bar in gBars {
            let y = try XCTUnwrap(Double(bar.attributes["y"] ?? "")), h = try XCTUnwrap(Double(bar.attributes["height"] ?? ""))
            XCTAssertTrue(y >= grouped.area.top - 0.01 && y + h <= grouped.area.bottom + 0.01)
        }
        let horizontal = HorizontalBarChart(title: "gain", labels: ["a", "b", "c", "d"], values: [5, 50, 0.5, 20], limit: 3)
        XCTAssertEqual(horizontal.rows.map(\.label), ["b", "d", "a"])
        let hBars = try parse(horizontal.svg()).elements.filter { $0.attributes["class"] == "bar" }
        XCTAssertEqual(hBars.count, 3)
        let widths = try hBars.map { try XCTUnwrap(Double($0.attributes["width"] ?? "")) }
        XCTAssertEqual(widths, widths.sorted(by: >))
        for bar in hBars {
            let x = try XCTUnwrap(Double(bar.attributes["x"] ?? "")), w = try XCTUnwrap(Double(bar.attributes["width"] ?? ""))
            XCTAssertTrue(x >= horizontal.area.left - 0.01 && x + w <= horizontal.area.right + 0.01)
        }
    }

    func testEscapeHandlesEveryMarkupCharacter() {
        XCTAssertEqual(Markup.escape("a<b>&\"c\"'d'"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;")
        XCTAssertEqual(Markup.escape("x\u{0}\u{8}y\n"), "x\u{FFFD}\u{FFFD}y\n")
        XCTAssertEqual(Markup.escape("Amélie 🎬"), "Amélie 🎬")
        XCTAssertEqual(Markup.truncate("abcdef", to: 4), "abc…")
        XCTAssertEqual(Markup.truncate("abc", to: 4), "abc")
    }
}

/// Collects the elements and text of a parsed XML document.
final class XMLCollector: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String] }
    var elements: [Element] = []
    var text = ""

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                attributes attributeDict: [String: String] = [:]) {
        elements.append(Element(name: elementName, attributes: attributeDict))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
}
