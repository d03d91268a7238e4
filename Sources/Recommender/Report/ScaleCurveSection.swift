import Foundation

/// The report's scale-curve section: a table of every run and line charts of wall, CPU and peak
/// memory against the number of ratings, with the linear extrapolation from the smallest size
/// (a curve that stays on its dashed twin scales linearly) and CPU seconds per million ratings.
public enum ScaleCurveSection {
    /// The charts of `curve`, in the order the section shows them.
    public static func charts(_ curve: ScaleCurve) -> [LineChart] {
        let commands = curve.commands
        func series(_ value: (ScaleCurve.Run) -> Double, linear: Bool) -> [LineSeries] {
            var out: [LineSeries] = []
            for command in commands {
                let runs = curve.runs(of: command)
                let x = runs.map { Double($0.ratings) / 1e6 }
                out.append(LineSeries(name: command, x: x, y: runs.map(value)))
            }
            if linear {
                for command in commands {
                    let runs = curve.runs(of: command)
                    guard runs.count >= 2, let first = runs.first else { continue }
                    let x = runs.map { Double($0.ratings) / 1e6 }
                    let perRating = value(first) / Double(first.ratings)
                    out.append(LineSeries(name: "\(command), linear from \(first.size)", x: x,
                                          y: runs.map { perRating * Double($0.ratings) }))
                }
            }
            return out
        }
        let xTitle = "ratings (millions)"
        let wall = LineChart(title: "Wall-clock seconds", series: series(\.wall, linear: true), xTitle: xTitle, yTitle: "seconds")
        let cpu = LineChart(title: "CPU seconds (all threads)", series: series(\.cpu, linear: true), xTitle: xTitle, yTitle: "CPU seconds")
        let rss = LineChart(title: "Peak resident memory", series: series(\.peakRSSGB, linear: false), xTitle: xTitle, yTitle: "GiB")
        let perMillion = LineChart(title: "CPU seconds per million ratings (flat = linear)",
                                   series: series({ $0.cpu / (Double($0.ratings) / 1e6) }, linear: false),
                                   xTitle: xTitle, yTitle: "CPU s per M ratings")
        return [wall, cpu, rss, perMillion].map { styled($0, commands: commands.count) }
    }

    /// Measured series solid with point markers, the linear references (after them) dashed;
    /// every axis starts at zero so that slopes compare.
    private static func styled(_ chart: LineChart, commands: Int) -> LineChart {
        var c = chart
        c.markers = true
        c.dashedFrom = commands
        let xs = c.series.flatMap(\.x), ys = c.series.flatMap(\.y)
        c.xScale = AxisScale(covering: xs, includeZero: true)
        c.yScale = AxisScale(covering: ys, includeZero: true)
        return c
    }

    /// The section's HTML: heading, explanation, table and charts.
    public static func html(_ curve: ScaleCurve) -> String {
        var out = "<section id=\"scale\"><h2>Scale curve</h2>"
        guard !curve.runs.isEmpty else { return out + "<p class=\"unavailable\">The scale curve has no runs.</p></section>" }
        out += "<p>Each command run once per data size under <code>/usr/bin/time -v</code> by <code>Benchmarks/scale/curve.py</code>; CPU is user + system seconds of all threads. Dashed lines extend the smallest size linearly: a measured line on its dashed twin scales linearly. Read CPU seconds when the load average was high.</p>"
        out += "<table class=\"metrics\"><thead><tr><th>command</th><th>size</th><th>ratings</th><th>wall s</th><th>CPU s</th><th>cores busy</th><th>peak RSS GiB</th><th>CPU s per M ratings</th><th>load before</th></tr></thead><tbody>"
        for command in curve.commands {
            for r in curve.runs(of: command) {
                let busy = r.wall > 0 ? r.cpu / r.wall : .nan
                out += "<tr><td>\(Markup.escape(r.command))</td><td>\(Markup.escape(r.size))</td><td>\(DigitGrouping.grouped(r.ratings))</td>"
                    + [(r.wall, 1), (r.cpu, 1), (busy, 2), (r.peakRSSGB, 2), (r.cpu / (Double(r.ratings) / 1e6), 1), (r.loadBefore ?? .nan, 2)]
                        .map { "<td>\(ChartDrawing.format($0.0, $0.1))</td>" }.joined() + "</tr>"
            }
        }
        out += "</tbody></table>"
        return out + HTMLReport.grid(charts(curve).map { $0.svg() }) + "</section>"
    }
}
