import Foundation

/// A minimal SVG document builder: every text and attribute value it writes is escaped, and
/// every coordinate is a finite number, so the result is always well-formed XML.
struct SVGCanvas {
    let width: Double
    let height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// A filled rectangle; `tooltip` becomes its `<title>` (shown on hover).
    mutating func rect(x: Double, y: Double, width w: Double, height h: Double, fill: String,
                       cssClass: String? = nil, tooltip: String? = nil) {
        let cls = cssClass.map { " class=\"\(Markup.escape($0))\"" } ?? ""
        let open = "<rect\(cls) x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(w, 0)))\" height=\"\(n(max(h, 0)))\" fill=\"\(Markup.escape(fill))\""
        if let tooltip {
            body.append(open + "><title>\(Markup.escape(tooltip))</title></rect>")
        } else {
            body.append(open + "/>")
        }
    }

    /// A straight line.
    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
                       dash: String? = nil, cssClass: String? = nil) {
        let d = dash.map { " stroke-dasharray=\"\(Markup.escape($0))\"" } ?? ""
        let cls = cssClass.map { " class=\"\(Markup.escape($0))\"" } ?? ""
        body.append("<line\(cls) x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(Markup.escape(stroke))\" stroke-width=\"\(n(width))\"\(d)/>")
    }

    /// An open polyline through `points` (non-finite points are skipped).
    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2, dash: String? = nil,
                           cssClass: String? = nil) {
        let finite = points.filter { $0.0.isFinite && $0.1.isFinite }
        guard !finite.isEmpty else { return }
        let cls = cssClass.map { " class=\"\(Markup.escape($0))\"" } ?? ""
        let d = dash.map { " stroke-dasharray=\"\(Markup.escape($0))\"" } ?? ""
        let pts = finite.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        body.append("<polyline\(cls) points=\"\(pts)\" fill=\"none\" stroke=\"\(Markup.escape(stroke))\" stroke-width=\"\(n(width))\" stroke-linejoin=\"round\"\(d)/>")
    }

    /// A filled circle (a data point).
    mutating func circle(x: Double, y: Double, radius: Double, fill: String, cssClass: String? = nil) {
        guard x.isFinite && y.isFinite else { return }
        let cls = cssClass.map { " class=\"\(Markup.escape($0))\"" } ?? ""
        body.append("<circle\(cls) cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(radius))\" fill=\"\(Markup.escape(fill))\"/>")
    }

    /// A text label. `anchor` is `start`, `middle` or `end`; `rotate` turns it about (x, y).
    mutating func text(_ content: String, x: Double, y: Double, anchor: String = "start", size: Double = 12,
                       weight: String = "normal", fill: String = "#333", rotate: Double? = nil, baseline: String? = nil) {
        let r = rotate.map { " transform=\"rotate(\(n($0)) \(n(x)) \(n(y)))\"" } ?? ""
        let b = baseline.map { " dominant-baseline=\"\(Markup.escape($0))\"" } ?? ""
        body.append("<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(Markup.escape(anchor))\" font-size=\"\(n(size))\" font-weight=\"\(Markup.escape(weight))\" fill=\"\(Markup.escape(fill))\"\(r)\(b)>\(Markup.escape(content))</text>")
    }

    /// The document: an `<svg>` root with a `<title>` (the accessible name) and a white background.
    func rendered(title: String) -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" font-family=\"system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\">"
        out += "<title>\(Markup.escape(title))</title>"
        out += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#ffffff\"/>"
        out += body.joined()
        return out + "</svg>"
    }

    /// A coordinate with at most two decimals; non-finite values become 0 (never "nan" in the XML).
    private func n(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let r = (x * 100).rounded() / 100
        if r == r.rounded() && abs(r) < 1e15 { return String(Int(r)) }
        return String(format: "%.2f", r)
    }
}
