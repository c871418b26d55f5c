import Foundation

/// Draws recall/QPS curves as an SVG image in the style of ann-benchmarks: recall on a linear x axis,
/// queries per second on a logarithmic y axis, one line with markers per index and library (its Pareto
/// frontier), a legend, grid lines and axis ticks. One panel per data set, stacked vertically.
public struct SVGPlot: Sendable {
    /// One line on a panel.
    public struct Series: Sendable, Equatable {
        public var name: String
        public var points: [RecallCurve.Point]
        /// Drawn dashed (used for derived curves such as overhead-corrected peers).
        public var dashed: Bool
        /// Drawn with a thicker line (our own curves).
        public var emphasized: Bool
        public init(name: String, points: [RecallCurve.Point], dashed: Bool = false, emphasized: Bool = false) {
            self.name = name
            self.points = points
            self.dashed = dashed
            self.emphasized = emphasized
        }
    }

    /// One data set's chart.
    public struct Panel: Sendable, Equatable {
        public var title: String
        public var series: [Series]
        public init(title: String, series: [Series]) {
            self.title = title
            self.series = series
        }
    }

    public var panels: [Panel]
    /// Recall values marked with a dotted vertical line (the comparison targets).
    public var referenceRecalls: [Double]
    /// Subtitle under each panel title.
    public var subtitle: String

    public static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    public init(panels: [Panel], referenceRecalls: [Double] = [0.90, 0.95],
                subtitle: String = "recall@10 vs queries per second, 1 thread, one query per call") {
        self.panels = panels
        self.referenceRecalls = referenceRecalls
        self.subtitle = subtitle
    }

    // Geometry of one panel.
    static let width = 900.0, panelHeight = 520.0
    static let left = 80.0, right = 250.0, top = 58.0, bottom = 60.0

    /// The SVG document.
    public func render() -> String {
        // One colour and marker per series name across all panels, in order of first appearance.
        var names: [String] = []
        for p in panels { for s in p.series where !names.contains(s.name) { names.append(s.name) } }
        let totalHeight = Self.panelHeight * Double(max(1, panels.count))
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(fmt(Self.width))" height="\(fmt(totalHeight))" \
        viewBox="0 0 \(fmt(Self.width)) \(fmt(totalHeight))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect x="0" y="0" width="\(fmt(Self.width))" height="\(fmt(totalHeight))" fill="white"/>

        """
        for (i, panel) in panels.enumerated() {
            out += renderPanel(panel, originY: Double(i) * Self.panelHeight, names: names)
        }
        out += "</svg>\n"
        return out
    }

    private func renderPanel(_ panel: Panel, originY y0: Double, names: [String]) -> String {
        let plotW = Self.width - Self.left - Self.right
        let plotH = Self.panelHeight - Self.top - Self.bottom
        let px0 = Self.left, py0 = y0 + Self.top
        let curves = panel.series.map { (s: $0, f: RecallCurve(points: $0.points).frontier) }
        let all = curves.flatMap(\.f)
        var out = "<g class=\"panel\">\n"
        out += "<text x=\"\(fmt(px0 + plotW / 2))\" y=\"\(fmt(y0 + 22))\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">\(escape(panel.title))</text>\n"
        out += "<text x=\"\(fmt(px0 + plotW / 2))\" y=\"\(fmt(y0 + 40))\" text-anchor=\"middle\" fill=\"#555\">\(escape(subtitle))</text>\n"

        // Axis ranges: recall from a tenth below the lowest point to 1; QPS over whole decades.
        let minR = all.map(\.recall).min() ?? 0
        var xMin = max(0, (minR * 10).rounded(.down) / 10)
        if xMin > 0.9 { xMin = 0.9 }
        let xMax = 1.0
        let qs = all.map(\.qps).filter { $0 > 0 }
        var lo = floor(log10(qs.min() ?? 1)), hi = ceil(log10(qs.max() ?? 10))
        if hi <= lo { hi = lo + 1 }
        if !lo.isFinite || !hi.isFinite { lo = 0; hi = 1 }
        let sx = { (r: Double) in px0 + (r - xMin) / (xMax - xMin) * plotW }
        let sy = { (q: Double) in py0 + plotH - (log10(q) - lo) / (hi - lo) * plotH }

        // Frame, grid and ticks.
        out += "<rect x=\"\(fmt(px0))\" y=\"\(fmt(py0))\" width=\"\(fmt(plotW))\" height=\"\(fmt(plotH))\" fill=\"none\" stroke=\"#333\"/>\n"
        let step = (xMax - xMin) > 0.45 ? 0.1 : 0.05
        let tickCount = Int(((xMax - xMin) / step).rounded())
        for i in 0 ... tickCount {
            let r = xMin + Double(i) * step
            let x = sx(r)
            out += "<line class=\"grid\" x1=\"\(fmt(x))\" y1=\"\(fmt(py0))\" x2=\"\(fmt(x))\" y2=\"\(fmt(py0 + plotH))\" stroke=\"#e5e5e5\"/>\n"
            out += "<line x1=\"\(fmt(x))\" y1=\"\(fmt(py0 + plotH))\" x2=\"\(fmt(x))\" y2=\"\(fmt(py0 + plotH + 5))\" stroke=\"#333\"/>\n"
            out += "<text class=\"xtick\" x=\"\(fmt(x))\" y=\"\(fmt(py0 + plotH + 19))\" text-anchor=\"middle\">\(String(format: step < 0.1 ? "%.2f" : "%.1f", r))</text>\n"
        }
        let decades = Int(hi - lo)
        for e in Int(lo) ... Int(hi) {
            for m in [1.0, 2.0, 5.0] {
                let q = m * pow(10, Double(e))
                let lq = log10(q)
                guard lq >= lo - 1e-9, lq <= hi + 1e-9 else { continue }
                let y = sy(q)
                let major = m == 1
                out += "<line class=\"grid\" x1=\"\(fmt(px0))\" y1=\"\(fmt(y))\" x2=\"\(fmt(px0 + plotW))\" y2=\"\(fmt(y))\" stroke=\"\(major ? "#d0d0d0" : "#f0f0f0")\"/>\n"
                if major || decades <= 3 {
                    out += "<line x1=\"\(fmt(px0 - 5))\" y1=\"\(fmt(y))\" x2=\"\(fmt(px0))\" y2=\"\(fmt(y))\" stroke=\"#333\"/>\n"
                    out += "<text class=\"ytick\" x=\"\(fmt(px0 - 8))\" y=\"\(fmt(y + 4))\" text-anchor=\"end\"\(major ? "" : " fill=\"#777\"")>\(qpsLabel(q))</text>\n"
                }
            }
        }
        for ref in referenceRecalls where ref >= xMin && ref <= xMax {
            out += "<line class=\"reference\" x1=\"\(fmt(sx(ref)))\" y1=\"\(fmt(py0))\" x2=\"\(fmt(sx(ref)))\" y2=\"\(fmt(py0 + plotH))\" stroke=\"#999\" stroke-dasharray=\"2,3\"/>\n"
        }
        out += "<text x=\"\(fmt(px0 + plotW / 2))\" y=\"\(fmt(py0 + plotH + 42))\" text-anchor=\"middle\" font-size=\"13\">Recall@10</text>\n"
        out += "<text x=\"\(fmt(18))\" y=\"\(fmt(py0 + plotH / 2))\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 18 \(fmt(py0 + plotH / 2)))\">Queries per second (1/s), log scale</text>\n"

        // Curves: the Pareto frontier of each series as a line with markers.
        for (s, f) in curves where !f.isEmpty {
            let k = names.firstIndex(of: s.name) ?? 0
            let color = Self.palette[k % Self.palette.count]
            let pts = f.map { "\(fmt(sx($0.recall))),\(fmt(sy($0.qps)))" }.joined(separator: " ")
            out += "<g class=\"series\" data-name=\"\(escape(s.name))\">\n"
            out += "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(s.emphasized ? "3" : "1.6")\"\(s.dashed ? " stroke-dasharray=\"6,4\"" : "")/>\n"
            for p in f {
                out += marker(k, x: sx(p.recall), y: sy(p.qps), color: color,
                              tip: "\(s.name): recall \(String(format: "%.4f", p.recall)), \(String(format: "%.0f", p.qps)) QPS")
            }
            out += "</g>\n"
        }

        // Legend.
        let lx = px0 + plotW + 18
        var ly = py0 + 8
        out += "<g class=\"legend\">\n"
        for s in panel.series {
            let k = names.firstIndex(of: s.name) ?? 0
            let color = Self.palette[k % Self.palette.count]
            out += "<line x1=\"\(fmt(lx))\" y1=\"\(fmt(ly))\" x2=\"\(fmt(lx + 28))\" y2=\"\(fmt(ly))\" stroke=\"\(color)\" stroke-width=\"\(s.emphasized ? "3" : "1.6")\"\(s.dashed ? " stroke-dasharray=\"6,4\"" : "")/>\n"
            out += marker(k, x: lx + 14, y: ly, color: color, tip: s.name)
            out += "<text x=\"\(fmt(lx + 36))\" y=\"\(fmt(ly + 4))\">\(escape(s.name))</text>\n"
            ly += 20
        }
        out += "</g>\n</g>\n"
        return out
    }

    private func marker(_ k: Int, x: Double, y: Double, color: String, tip: String) -> String {
        let t = "<title>\(escape(tip))</title>"
        switch (k / Self.palette.count + k) % 5 {
        case 0: return "<circle cx=\"\(fmt(x))\" cy=\"\(fmt(y))\" r=\"3.5\" fill=\"\(color)\">\(t)</circle>\n"
        case 1: return "<rect x=\"\(fmt(x - 3.5))\" y=\"\(fmt(y - 3.5))\" width=\"7\" height=\"7\" fill=\"\(color)\">\(t)</rect>\n"
        case 2: return "<polygon points=\"\(fmt(x)),\(fmt(y - 4.5)) \(fmt(x + 4.5)),\(fmt(y + 3.5)) \(fmt(x - 4.5)),\(fmt(y + 3.5))\" fill=\"\(color)\">\(t)</polygon>\n"
        case 3: return "<polygon points=\"\(fmt(x)),\(fmt(y - 5)) \(fmt(x + 5)),\(fmt(y)) \(fmt(x)),\(fmt(y + 5)) \(fmt(x - 5)),\(fmt(y))\" fill=\"\(color)\">\(t)</polygon>\n"
        default: return "<path d=\"M\(fmt(x - 4)),\(fmt(y - 4)) L\(fmt(x + 4)),\(fmt(y + 4)) M\(fmt(x - 4)),\(fmt(y + 4)) L\(fmt(x + 4)),\(fmt(y - 4))\" stroke=\"\(color)\" stroke-width=\"2\">\(t)</path>\n"
        }
    }

    private func qpsLabel(_ q: Double) -> String {
        if q >= 1_000_000 { return trimmed(q / 1_000_000) + "M" }
        if q >= 1_000 { return trimmed(q / 1_000) + "k" }
        return trimmed(q)
    }

    private func trimmed(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
    }

    private func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
