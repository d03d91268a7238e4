/// One named series of a grouped bar chart: a value per group.
public struct BarSeries: Sendable, Equatable {
    public var name: String
    public var values: [Double]
    public init(name: String, values: [Double]) {
        self.name = name
        self.values = values
    }
}

/// Bars grouped by category, one bar per series in each group, with a legend (e.g. top-N metrics
/// on the x axis, one bar per model). Values are drawn from zero; non-finite values draw nothing.
public struct GroupedBarChart: SVGChart {
    public var title: String
    public var groups: [String]
    public var series: [BarSeries]
    public var yTitle: String
    public var decimals: Int
    public var width: Double = 760
    public var height: Double = 340

    public init(title: String, groups: [String], series: [BarSeries], yTitle: String = "", decimals: Int = 3) {
        self.title = title
        self.groups = groups
        self.series = series
        self.yTitle = yTitle
        self.decimals = decimals
    }

    public var scale: AxisScale {
        AxisScale(covering: series.flatMap { Array($0.values.prefix(groups.count)) }, includeZero: true, ticks: 6)
    }

    var area: PlotArea { PlotArea(left: 64, top: 52, right: width - 20, bottom: height - 40) }

    public func svg() -> String {
        var c = SVGCanvas(width: width, height: height)
        ChartDrawing.title(title, on: &c)
        let area = self.area
        guard !groups.isEmpty, !series.isEmpty else {
            ChartDrawing.noData("no data", area: area, on: &c)
            return c.rendered(title: title)
        }
        let scale = self.scale
        ChartDrawing.yAxis(scale, area: area, title: yTitle, on: &c)
        ChartDrawing.legend(series.map(\.name), right: area.right, y: 42, on: &c)
        let slot = area.width / Double(groups.count)
        let barWidth = slot * 0.8 / Double(series.count)
        let baseY = area.y(min(max(0, scale.lower), scale.upper), scale)
        for (g, group) in groups.enumerated() {
            let start = area.left + slot * Double(g) + slot * 0.1
            for (s, one) in series.enumerated() where g < one.values.count && one.values[g].isFinite {
                let v = one.values[g]
                let y = area.y(v, scale)
                c.rect(x: start + Double(s) * barWidth + 1, y: min(y, baseY), width: max(barWidth - 2, 1), height: abs(baseY - y),
                       fill: Palette.colour(s), cssClass: "bar", tooltip: "\(one.name) · \(group): \(ChartDrawing.format(v, decimals))")
            }
            c.text(Markup.truncate(group, to: max(Int(slot / 6.5), 3)), x: start + slot * 0.4, y: area.bottom + 17,
                   anchor: "middle", size: 11, fill: "#444")
        }
        c.line(x1: area.left, y1: baseY, x2: area.right, y2: baseY, stroke: "#555", cssClass: "axis")
        return c.rendered(title: title)
    }
}
