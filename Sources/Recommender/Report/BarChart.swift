/// Vertical bars, one per label, with an optional dashed reference line (e.g. per-fold AUC with
/// the mean). Non-finite values draw no bar and are labelled "n/a".
public struct BarChart: SVGChart {
    public var title: String
    public var labels: [String]
    public var values: [Double]
    public var xTitle: String
    public var yTitle: String
    public var reference: ReferenceLine?
    /// Whether the value axis starts at zero; when false it is zoomed to the data (the axis ticks
    /// say so) so that small differences between bars stay visible.
    public var includeZero: Bool
    /// Decimals of the value printed above each bar.
    public var decimals: Int
    public var width: Double = 640
    public var height: Double = 320

    public init(title: String, labels: [String], values: [Double], xTitle: String = "", yTitle: String = "",
                reference: ReferenceLine? = nil, includeZero: Bool = true, decimals: Int = 4) {
        self.title = title
        self.labels = labels
        self.values = values
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.reference = reference
        self.includeZero = includeZero
        self.decimals = decimals
    }

    /// The value axis: covers every finite value and the reference line.
    public var scale: AxisScale {
        var all = values
        if let r = reference { all.append(r.value) }
        return AxisScale(covering: all, includeZero: includeZero, ticks: 6)
    }

    var area: PlotArea { PlotArea(left: 64, top: 40, right: width - 20, bottom: height - 52) }

    public func svg() -> String {
        var c = SVGCanvas(width: width, height: height)
        ChartDrawing.title(title, on: &c)
        let area = self.area
        let n = min(labels.count, values.count)
        guard n > 0 else {
            ChartDrawing.noData("no data", area: area, on: &c)
            return c.rendered(title: title)
        }
        let scale = self.scale
        ChartDrawing.yAxis(scale, area: area, title: yTitle, on: &c)
        let base = min(max(0, scale.lower), scale.upper)
        let baseY = area.y(base, scale)
        let slot = area.width / Double(n)
        let barWidth = min(slot * 0.62, 90)
        let labelLimit = max(Int(slot / 6.5), 3)
        for i in 0..<n {
            let cx = area.left + slot * (Double(i) + 0.5)
            let v = values[i]
            if v.isFinite {
                let y = area.y(v, scale)
                c.rect(x: cx - barWidth / 2, y: min(y, baseY), width: barWidth, height: abs(baseY - y), fill: Palette.colour(0),
                       cssClass: "bar", tooltip: "\(labels[i]): \(ChartDrawing.format(v, decimals))")
                c.text(ChartDrawing.format(v, decimals), x: cx, y: min(y, baseY) - 5, anchor: "middle", size: 11, fill: "#222")
            } else {
                c.text("n/a", x: cx, y: baseY - 5, anchor: "middle", size: 11, fill: "#999")
            }
            c.text(Markup.truncate(labels[i], to: labelLimit), x: cx, y: area.bottom + 17, anchor: "middle", size: 11, fill: "#444")
        }
        c.line(x1: area.left, y1: baseY, x2: area.right, y2: baseY, stroke: "#555", cssClass: "axis")
        if let r = reference, r.value.isFinite {
            let y = area.y(r.value, scale)
            c.line(x1: area.left, y1: y, x2: area.right, y2: y, stroke: Palette.colour(3), width: 2, dash: "6 4", cssClass: "reference")
            // The key sits in the title row, right-aligned, so it never covers a bar.
            let key = "\(r.label) \(ChartDrawing.format(r.value, decimals))"
            let keyX = area.right - Double(key.count) * 6.6
            c.line(x1: keyX - 30, y1: 18, x2: keyX - 6, y2: 18, stroke: Palette.colour(3), width: 2, dash: "6 4")
            c.text(key, x: area.right, y: 22, anchor: "end", size: 11, weight: "600", fill: Palette.colour(3))
        }
        if !xTitle.isEmpty {
            c.text(Markup.truncate(xTitle, to: 60), x: (area.left + area.right) / 2, y: height - 10, anchor: "middle", size: 12)
        }
        return c.rendered(title: title)
    }
}
