import Foundation

/// A chart that renders itself as one self-contained, well-formed SVG element.
public protocol SVGChart: Sendable {
    /// The chart's heading (also its SVG `<title>`).
    var title: String { get }
    /// The `<svg>…</svg>` markup.
    func svg() -> String
}

/// The report's colours: the Okabe–Ito palette, distinguishable with colour-blindness.
public enum Palette {
    public static let colours = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C6D31", "#000000"]

    /// The colour of series `index` (cycling).
    public static func colour(_ index: Int) -> String { colours[((index % colours.count) + colours.count) % colours.count] }
}

/// A horizontal reference line across a chart (e.g. the mean of the bars).
public struct ReferenceLine: Sendable, Equatable {
    public var label: String
    public var value: Double
    public init(label: String, value: Double) {
        self.label = label
        self.value = value
    }
}

/// The rectangle inside the margins where a chart draws its data.
struct PlotArea: Equatable {
    var left: Double, top: Double, right: Double, bottom: Double
    var width: Double { right - left }
    var height: Double { bottom - top }

    /// The y pixel of `value` on `scale` (up is larger).
    func y(_ value: Double, _ scale: AxisScale) -> Double { bottom - scale.fraction(value) * height }
    /// The x pixel of `value` on `scale`.
    func x(_ value: Double, _ scale: AxisScale) -> Double { left + scale.fraction(value) * width }
}

/// Drawing shared by the charts: title, axes, ticks, grid, legends, the "no data" notice.
enum ChartDrawing {
    static func title(_ text: String, on c: inout SVGCanvas) {
        c.text(Markup.truncate(text, to: 90), x: 12, y: 22, size: 15, weight: "600", fill: "#111")
    }

    /// A vertical value axis at `area.left` with grid lines and an optional rotated title.
    static func yAxis(_ scale: AxisScale, area: PlotArea, title: String, on c: inout SVGCanvas) {
        for t in scale.ticks {
            let y = area.y(t, scale)
            c.line(x1: area.left, y1: y, x2: area.right, y2: y, stroke: "#e5e5e5", cssClass: "grid")
            c.line(x1: area.left - 4, y1: y, x2: area.left, y2: y, stroke: "#555")
            c.text(scale.label(t), x: area.left - 7, y: y + 4, anchor: "end", size: 11, fill: "#444")
        }
        c.line(x1: area.left, y1: area.top, x2: area.left, y2: area.bottom, stroke: "#555", cssClass: "axis")
        if !title.isEmpty {
            let mid = (area.top + area.bottom) / 2
            c.text(Markup.truncate(title, to: 40), x: 16, y: mid, anchor: "middle", size: 12, fill: "#333", rotate: -90)
        }
    }

    /// A horizontal value axis at `area.bottom` with grid lines and an optional title.
    static func xAxis(_ scale: AxisScale, area: PlotArea, title: String, height: Double, on c: inout SVGCanvas) {
        for t in scale.ticks {
            let x = area.x(t, scale)
            c.line(x1: x, y1: area.top, x2: x, y2: area.bottom, stroke: "#e5e5e5", cssClass: "grid")
            c.line(x1: x, y1: area.bottom, x2: x, y2: area.bottom + 4, stroke: "#555")
            c.text(scale.label(t), x: x, y: area.bottom + 17, anchor: "middle", size: 11, fill: "#444")
        }
        c.line(x1: area.left, y1: area.bottom, x2: area.right, y2: area.bottom, stroke: "#555", cssClass: "axis")
        if !title.isEmpty {
            c.text(Markup.truncate(title, to: 60), x: (area.left + area.right) / 2, y: height - 8, anchor: "middle", size: 12, fill: "#333")
        }
    }

    /// A legend row of colour swatches and names, right-aligned at `right`, baseline `y`.
    static func legend(_ names: [String], right: Double, y: Double, on c: inout SVGCanvas) {
        let labels = names.map { Markup.truncate($0, to: 24) }
        let widths = labels.map { Double($0.count) * 6.6 + 26 }
        var x = right - widths.reduce(0, +)
        for (i, name) in labels.enumerated() {
            c.rect(x: x, y: y - 10, width: 12, height: 12, fill: Palette.colour(i), cssClass: "legend")
            c.text(name, x: x + 16, y: y, size: 11, fill: "#333")
            x += widths[i]
        }
    }

    /// The "no data" notice of an empty chart, centred in `area`.
    static func noData(_ message: String, area: PlotArea, on c: inout SVGCanvas) {
        c.rect(x: area.left, y: area.top, width: area.width, height: area.height, fill: "#fafafa")
        c.text(message, x: (area.left + area.right) / 2, y: (area.top + area.bottom) / 2, anchor: "middle", size: 13, fill: "#777")
    }

    /// `value` with `decimals` decimals, or "n/a" when not finite.
    static func format(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "n/a" }
        return String(format: "%.\(decimals)f", value)
    }
}
