import Foundation
import I3Training

/// The training curve as an SVG line chart: training loss (mean over windows of steps) against the
/// step on the left axis, dev MRR@10 after each epoch (dots) on the right axis.
enum TrainingCurvePlot {
    static func svg(state: TrainingState, title: String) -> String {
        let w = 900.0, h = 480.0, left = 70.0, right = 70.0, top = 50.0, bottom = 50.0
        let pw = w - left - right, ph = h - top - bottom
        let raw = state.lossCurve.filter { $0.count == 2 && $0[1].isFinite }
        let window = max(1, raw.count / 200)
        var pts: [(Double, Double)] = []
        for s in stride(from: 0, to: raw.count, by: window) {
            let chunk = raw[s..<min(raw.count, s + window)]
            pts.append((chunk.map { $0[0] }.reduce(0, +) / Double(chunk.count), chunk.map { $0[1] }.reduce(0, +) / Double(chunk.count)))
        }
        let maxStep = max(1, pts.map(\.0).max() ?? 1)
        let maxLoss = max(1e-6, pts.map(\.1).max() ?? 1)
        let steps = Double(max(1, raw.count)), epochsSeen = max(1, state.devCurve.map { $0[0] }.max() ?? 1)
        func x(_ step: Double) -> Double { left + pw * step / maxStep }
        func y(_ loss: Double) -> Double { top + ph * (1 - loss / maxLoss) }
        func yDev(_ m: Double) -> Double { top + ph * (1 - m) }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(Int(left))" y="28" font-size="16">\(escape(title))</text>
        <line x1="\(left)" y1="\(top + ph)" x2="\(left + pw)" y2="\(top + ph)" stroke="black"/>
        <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(top + ph)" stroke="black"/>
        <line x1="\(left + pw)" y1="\(top)" x2="\(left + pw)" y2="\(top + ph)" stroke="#d62728"/>
        <text x="\(left + pw / 2 - 20)" y="\(h - 12)">step</text>
        <text x="10" y="\(top - 8)" fill="#1f77b4">loss</text>
        <text x="\(left + pw - 40)" y="\(top - 8)" fill="#d62728">dev MRR@10</text>

        """
        for i in 0...4 {
            let f = Double(i) / 4
            out += "<text x=\"\(left - 8)\" y=\"\(y(maxLoss * f) + 4)\" text-anchor=\"end\">\(String(format: "%.2f", maxLoss * f))</text>\n"
            out += "<text x=\"\(left + pw + 8)\" y=\"\(yDev(f) + 4)\" fill=\"#d62728\">\(String(format: "%.2f", f))</text>\n"
            out += "<text x=\"\(x(maxStep * f))\" y=\"\(top + ph + 18)\" text-anchor=\"middle\">\(Int(maxStep * f))</text>\n"
        }
        let line = pts.map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ")
        out += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"\(line)\"/>\n"
        for d in state.devCurve where d.count == 2 {
            let sx = x(maxStep * min(1, d[0] / epochsSeen))
            out += "<circle cx=\"\(sx)\" cy=\"\(yDev(d[1]))\" r=\"4\" fill=\"#d62728\"/>"
            out += "<text x=\"\(sx + 6)\" y=\"\(yDev(d[1]) - 6)\" fill=\"#d62728\">\(String(format: "%.3f", d[1]))</text>\n"
        }
        _ = steps
        return out + "</svg>\n"
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
