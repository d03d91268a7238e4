/// One named line of a line chart.
public struct LineSeries: Sendable, Equatable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    public init(name: String, x: [Double], y: [Double]) {
        self.name = name
        self.x = x
        self.y = y
    }
}

/// Lines through (x, y) points with axes, ticks, a legend and an optional dashed diagonal
/// (the chance line of a ROC curve). Axis ranges cover the data unless fixed.
public struct LineChart: SVGChart {
    public var title: String
    public var series: [LineSeries]
    public var xTitle: String
    public var yTitle: String
    /// Fixed axes (e.g. [0, 1] for a ROC curve); nil covers the data.
    public var xScale: AxisScale?
    public var yScale: AxisScale?
    public var diagonal: Bool
    /// Draw a dot at every point (off by default: ROC curves have hundreds).
    public var markers = false
    /// Series from this index on are drawn dashed (reference lines after the measured ones).
    public var dashedFrom = Int.max
    public var width: Double = 480
    public var height: Double = 420

    public init(title: String, series: [LineSeries], xTitle: String = "", yTitle: String = "",
                xScale: AxisScale? = nil, yScale: AxisScale? = nil, diagonal: Bool = false) {
        self.title = title
        self.series = series
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.xScale = xScale
        self.yScale = yScale
        self.diagonal = diagonal
    }

    private var points: [(x: Double, y: Double)] {
        series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }.map { (x: $0.0, y: $0.1) } }
    }

    /// The horizontal axis actually drawn.
    public var resolvedXScale: AxisScale { xScale ?? AxisScale(covering: points.map(\.x)) }
    /// The vertical axis actually drawn.
    public var resolvedYScale: AxisScale { yScale ?? AxisScale(covering: points.map(\.y)) }

    var area: PlotArea { PlotArea(left: 64, top: 40, right: width - 20, bottom: height - 52) }

    public func svg() -> String {
        var c = SVGCanvas(width: width, height: height)
        ChartDrawing.title(title, on: &c)
        let area = self.area
        guard !points.isEmpty else {
            ChartDrawing.noData("no data", area: area, on: &c)
            return c.rendered(title: title)
        }
        let xs = resolvedXScale, ys = resolvedYScale
        ChartDrawing.yAxis(ys, area: area, title: yTitle, on: &c)
        ChartDrawing.xAxis(xs, area: area, title: xTitle, height: height, on: &c)
        if diagonal {
            let lo = max(xs.lower, ys.lower), hi = min(xs.upper, ys.upper)
            if lo < hi {
                c.line(x1: area.x(lo, xs), y1: area.y(lo, ys), x2: area.x(hi, xs), y2: area.y(hi, ys), stroke: "#999",
                       dash: "5 4", cssClass: "diagonal")
            }
        }
        for (i, s) in series.enumerated() {
            let pts = zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }.map { (area.x($0.0, xs), area.y($0.1, ys)) }
            let dashed = i >= dashedFrom
            c.polyline(pts, stroke: Palette.colour(i), width: dashed ? 1.5 : 2.5, dash: dashed ? "6 4" : nil,
                       cssClass: dashed ? "reference" : "series")
            if markers && !dashed {
                for (x, y) in pts { c.circle(x: x, y: y, radius: 3.5, fill: Palette.colour(i), cssClass: "point") }
            }
        }
        let names = series.map(\.name)
        let rowY = area.bottom - 12 - Double(max(names.count - 1, 0)) * 16
        for (i, name) in names.enumerated() {
            let y = rowY + Double(i) * 16
            c.rect(x: area.right - 190, y: y - 10, width: 12, height: 12, fill: Palette.colour(i), cssClass: "legend")
            c.text(Markup.truncate(name, to: 28), x: area.right - 174, y: y, size: 11, fill: "#333")
        }
        return c.rendered(title: title)
    }
}
