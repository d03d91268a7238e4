/// Horizontal bars from zero, one row per label, largest first when `sorted` (e.g. feature
/// importance, seconds per stage). `limit` keeps only the first rows after sorting.
public struct HorizontalBarChart: SVGChart {
    public var title: String
    public var labels: [String]
    public var values: [Double]
    public var valueTitle: String
    public var decimals: Int
    public var sorted: Bool
    public var limit: Int?
    public var width: Double = 640

    public init(title: String, labels: [String], values: [Double], valueTitle: String = "", decimals: Int = 2,
                sorted: Bool = true, limit: Int? = nil) {
        self.title = title
        self.labels = labels
        self.values = values
        self.valueTitle = valueTitle
        self.decimals = decimals
        self.sorted = sorted
        self.limit = limit
    }

    /// The rows drawn, in order: finite values only, sorted and limited as configured.
    public var rows: [(label: String, value: Double)] {
        var r = zip(labels, values).filter { $0.1.isFinite }.map { (label: $0.0, value: $0.1) }
        if sorted { r.sort { $0.value != $1.value ? $0.value > $1.value : $0.label < $1.label } }
        if let limit { r = Array(r.prefix(max(limit, 0))) }
        return r
    }

    public var scale: AxisScale { AxisScale(covering: rows.map(\.value), includeZero: true, ticks: 6) }

    static let rowHeight = 22.0

    public var height: Double { 40 + Double(max(rows.count, 3)) * Self.rowHeight + 48 }

    var area: PlotArea {
        let longest = Double(min(rows.map { $0.label.count }.max() ?? 0, 30))
        let left = min(max(longest * 6.6 + 16, 60), 240)
        return PlotArea(left: left, top: 40, right: width - 64, bottom: height - 48)
    }

    public func svg() -> String {
        var c = SVGCanvas(width: width, height: height)
        ChartDrawing.title(title, on: &c)
        let rows = self.rows, area = self.area
        guard !rows.isEmpty else {
            ChartDrawing.noData("no data", area: area, on: &c)
            return c.rendered(title: title)
        }
        let scale = self.scale
        ChartDrawing.xAxis(scale, area: area, title: valueTitle, height: height, on: &c)
        let slot = area.height / Double(rows.count)
        let x0 = area.x(min(max(0, scale.lower), scale.upper), scale)
        for (i, row) in rows.enumerated() {
            let cy = area.top + slot * (Double(i) + 0.5)
            let x = area.x(row.value, scale)
            c.rect(x: min(x, x0), y: cy - slot * 0.35, width: abs(x - x0), height: slot * 0.7, fill: Palette.colour(0),
                   cssClass: "bar", tooltip: "\(row.label): \(ChartDrawing.format(row.value, decimals))")
            c.text(Markup.truncate(row.label, to: 30), x: area.left - 6, y: cy + 4, anchor: "end", size: 11, fill: "#333")
            c.text(ChartDrawing.format(row.value, decimals), x: max(x, x0) + 4, y: cy + 4, size: 11, fill: "#222")
        }
        c.line(x1: x0, y1: area.top, x2: x0, y2: area.bottom, stroke: "#555", cssClass: "axis")
        return c.rendered(title: title)
    }
}
