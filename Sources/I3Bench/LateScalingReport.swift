import ArgumentParser
import BenchSupport
import Foundation

/// `I3Bench late-scaling`: how each system of `I3Bench late` grows with the collection, from several
/// runs of it (e.g. 10k and 30k passages): a table of p50 latency, bytes per passage and recall per
/// corpus size, and an SVG of p50 search latency against passages (both axes logarithmic).
struct LateScalingReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "late-scaling",
        abstract: "Latency and size against corpus size, from several `I3Bench late` output directories.")

    @Argument(help: "Output directories of `I3Bench late` (each with results.json; fast_plaid.json when the peer ran).")
    var runs: [String]

    @Option(help: "SVG file to write.") var svg = "runs/late-scaling.svg"

    func validate() throws {
        guard runs.count >= 1 else { throw ValidationError("give at least one run directory") }
    }

    func run() throws {
        var rows: [LateRow] = []
        for dir in runs {
            rows += try Self.rows(in: URL(fileURLWithPath: dir))
        }
        let table = Self.table(rows)
        print(table)
        let url = URL(fileURLWithPath: svg)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.svg(rows).write(to: url, atomically: true, encoding: .utf8)
        print("wrote \(svg)")
    }

    /// Our rows of a run's results.json and the peer's of its fast_plaid.json.
    /// - Throws: `BenchmarkError` naming the file when one is missing or does not decode.
    static func rows(in dir: URL) throws -> [LateRow] {
        let decoder = JSONDecoder()
        func read(_ name: String) throws -> [LateRow] {
            let file = dir.appendingPathComponent(name)
            do { return try decoder.decode([LateRow].self, from: Data(contentsOf: file)) } catch {
                throw BenchmarkError.badJSON(path: file.path, reason: "\(error)")
            }
        }
        var rows = try read("results.json").filter { $0.library == "i3" }
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("fast_plaid.json").path) {
            rows += try read("fast_plaid.json")
        }
        return rows
    }

    /// One line per system, one column group per corpus size.
    static func table(_ rows: [LateRow]) -> String {
        let sizes = Array(Set(rows.map(\.passages))).sorted()
        var systems: [String] = []
        for r in rows where !systems.contains("\(r.system) (\(r.library))") { systems.append("\(r.system) (\(r.library))") }
        var out = "| system | " + sizes.map { "p50 ms @\($0) | B/passage @\($0) | R@10 vs exact @\($0)" }.joined(separator: " | ") + " |\n"
        out += "|---|" + sizes.map { _ in "---|---|---|" }.joined() + "\n"
        for s in systems {
            var cells: [String] = []
            for n in sizes {
                if let r = rows.first(where: { "\($0.system) (\($0.library))" == s && $0.passages == n }) {
                    cells += [LateReport.f(r.p50, 3), LateReport.f(r.bytesPerPassage, 0), LateReport.f(r.recallVsExact, 3)]
                } else {
                    cells += ["–", "–", "–"]
                }
            }
            out += "| \(s) | " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// p50 search latency (one thread) against passages, log–log, one polyline per system.
    static func svg(_ rows: [LateRow]) -> String {
        let w = 900.0, h = 560.0, left = 70.0, right = 260.0, top = 50.0, bottom = 60.0
        let sizes = rows.map { Double($0.passages) }, latencies = rows.map { max(1e-3, $0.p50) }
        let x0 = log10(max(1, (sizes.min() ?? 1) / 1.5)), x1 = log10((sizes.max() ?? 10) * 1.5)
        let y0 = (log10(latencies.min() ?? 0.01)).rounded(.down), y1 = (log10(latencies.max() ?? 1)).rounded(.up)
        func x(_ n: Double) -> Double { left + (w - left - right) * (log10(n) - x0) / max(1e-9, x1 - x0) }
        func y(_ ms: Double) -> Double { h - bottom - (h - top - bottom) * (log10(max(1e-3, ms)) - y0) / max(1e-9, y1 - y0) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\((w - right + left) / 2)\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">p50 search latency (ms, 1 thread, log) against passages (log)</text>\n"
        if y1 > y0 {
            for e in Int(y0)...Int(y1) {
                let ye = y(pow(10, Double(e)))
                s += "<line x1=\"\(left)\" y1=\"\(ye)\" x2=\"\(w - right)\" y2=\"\(ye)\" stroke=\"#ddd\"/><text x=\"\(left - 6)\" y=\"\(ye + 4)\" text-anchor=\"end\">\(LateReport.f(pow(10, Double(e)), e < 0 ? -e : 0))</text>\n"
            }
        }
        for n in Set(sizes).sorted() {
            s += "<line x1=\"\(x(n))\" y1=\"\(top)\" x2=\"\(x(n))\" y2=\"\(h - bottom)\" stroke=\"#eee\"/><text x=\"\(x(n))\" y=\"\(h - bottom + 18)\" text-anchor=\"middle\">\(Int(n))</text>\n"
        }
        let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
        var systems: [String] = []
        for r in rows where !systems.contains("\(r.system) (\(r.library))") { systems.append("\(r.system) (\(r.library))") }
        for (i, name) in systems.enumerated() {
            let points = rows.filter { "\($0.system) (\($0.library))" == name }.sorted { $0.passages < $1.passages }
            let colour = palette[i % palette.count], dashed = points.first?.library != "i3"
            let coords = points.map { "\(x(Double($0.passages))),\(y($0.p50))" }.joined(separator: " ")
            s += "<polyline points=\"\(coords)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"6,4\"" : "")/>\n"
            for p in points { s += "<circle cx=\"\(x(Double(p.passages)))\" cy=\"\(y(p.p50))\" r=\"3.5\" fill=\"\(colour)\"/>\n" }
            let ly = top + 18 * Double(i)
            s += "<line x1=\"\(w - right + 16)\" y1=\"\(ly)\" x2=\"\(w - right + 40)\" y2=\"\(ly)\" stroke=\"\(colour)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"6,4\"" : "")/>"
            s += "<text x=\"\(w - right + 46)\" y=\"\(ly + 4)\">\(name)</text>\n"
        }
        return s + "</svg>\n"
    }
}
