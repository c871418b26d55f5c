import BenchSupport
import Foundation

/// One system's figures in `I3Bench late` (ours and, from tools/late/fast_plaid_peer.py, fast-plaid's;
/// the same JSON keys on both sides).
struct LateRow: Codable, Sendable {
    var system: String
    /// "dense", "late" or "hybrid".
    var family: String
    var library: String = "i3"
    var passages: Int
    var tokens: Int
    var dimension: Int
    var diskBytes: Double
    var bytesPerPassage: Double { diskBytes / Double(max(1, passages)) }
    var residentBytes: Double?
    var buildSeconds: Double
    /// Search only, one query per call, one thread (ms).
    var p50: Double, p95: Double, p99: Double
    /// With the query's encoding (one query, one thread) added per query (ms); nil for peers fed our vectors.
    var p50Encoded: Double?, p95Encoded: Double?, p99Encoded: Double?
    var qps1: Double
    var qpsAll: Double?
    var threadsAll: Int?
    /// Recall@10 against the system's own exact search (dense: flat; late: exact MaxSim fp16).
    var recallVsExact: Double
    var mrr10: Double?
    var recall100: Double?
    var notes: String = ""

    enum CodingKeys: String, CodingKey {
        case system, family, library, passages, tokens, dimension, diskBytes, residentBytes, buildSeconds
        case p50, p95, p99, p50Encoded, p95Encoded, p99Encoded, qps1, qpsAll, threadsAll, recallVsExact, mrr10, recall100, notes
    }
}

enum LateReport {
    static func percentile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let s = values.sorted()
        return s[min(s.count - 1, Int((q * Double(s.count - 1)).rounded()))]
    }

    static func f(_ x: Double?, _ digits: Int = 1) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "–" }

    static func bytes(_ x: Double?) -> String {
        guard let b = x else { return "–" }
        if b >= 1_073_741_824 { return String(format: "%.2f GiB", b / 1_073_741_824) }
        if b >= 1_048_576 { return String(format: "%.1f MiB", b / 1_048_576) }
        if b >= 1024 { return String(format: "%.1f KiB", b / 1024) }
        return String(format: "%.0f B", b)
    }

    /// The Markdown table of every row.
    static func table(_ rows: [LateRow]) -> String {
        var out = "| system | library | dim | disk | B/passage | resident | build s | p50 ms | p95 ms | p99 ms | p50 ms +enc | p99 ms +enc | QPS 1 thr | QPS all | R@10 vs exact | MRR@10 | R@100 |\n"
        out += "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for r in rows {
            out += "| \(r.system) | \(r.library) | \(r.dimension) | \(bytes(r.diskBytes)) | \(f(r.bytesPerPassage, 0)) | \(bytes(r.residentBytes)) | "
            out += "\(f(r.buildSeconds, 1)) | \(f(r.p50, 3)) | \(f(r.p95, 3)) | \(f(r.p99, 3)) | \(f(r.p50Encoded, 2)) | \(f(r.p99Encoded, 2)) | "
            out += "\(f(r.qps1, 0)) | \(f(r.qpsAll, 0)) | \(f(r.recallVsExact, 3)) | \(f(r.mrr10, 3)) | \(f(r.recall100, 3)) |\n"
        }
        return out
    }

    /// The ratios the issue's goals are stated in, where both sides were measured.
    static func ratios(_ rows: [LateRow]) -> String {
        func row(_ s: String, _ lib: String = "i3") -> LateRow? { rows.first { $0.system == s && $0.library == lib } }
        var lines: [String] = []
        if let plaid = row("plaid-2bit") {
            if let ivf = row("ivfpq+refine") {
                lines.append("bytes/passage PLAID-style 2-bit ÷ IVF-PQ+refine (disk, full vectors included): \(f(plaid.bytesPerPassage / ivf.bytesPerPassage, 1))× (IVF-PQ+refine recall@10 vs flat \(f(ivf.recallVsExact, 3)))")
                if let res = ivf.residentBytes, let pres = plaid.residentBytes {
                    lines.append("resident PLAID-style 2-bit ÷ IVF-PQ+refine (full vectors left on disk): \(f(pres / res, 1))×")
                }
            }
            if let ivf = row("ivfpq") {
                lines.append("bytes/passage PLAID-style 2-bit ÷ IVF-PQ codes only: \(f(plaid.bytesPerPassage / ivf.bytesPerPassage, 1))× (recall@10 vs flat \(f(ivf.recallVsExact, 3)))")
            }
            if let hnsw = row("hnsw") {
                lines.append("p50 latency PLAID-style 2-bit ÷ HNSW: \(f(plaid.p50 / hnsw.p50, 0))× (with query encoding: \(f((plaid.p50Encoded ?? 0) / (hnsw.p50Encoded ?? 1), 1))×)")
            }
        }
        for bits in [2, 4] {
            if let ours = row("plaid-\(bits)bit"), let peer = row("plaid-\(bits)bit", "fast-plaid") {
                lines.append("\(bits)-bit, ours ÷ fast-plaid: p50 latency \(f(ours.p50 / peer.p50, 2))×, size \(f(ours.diskBytes / peer.diskBytes, 2))×, build \(f(ours.buildSeconds / peer.buildSeconds, 2))×; recall@10 vs exact \(f(ours.recallVsExact, 3)) vs \(f(peer.recallVsExact, 3))")
            }
        }
        if let flat = row("flat"), let exact = row("maxsim-fp16"), let fm = flat.mrr10, let em = exact.mrr10 {
            lines.append("MRR@10 exact MaxSim (untrained MiniLM token vectors) \(f(em, 3)) vs dense flat \(f(fm, 3)): \(em >= fm ? "+" : "")\(f(em - fm, 3))")
        }
        return lines.map { "- " + $0 }.joined(separator: "\n")
    }

    /// Projection to MS MARCO (8,841,823 passages, 68 tokens each) from measured bytes per passage and per token.
    static func projection(_ rows: [LateRow]) -> String {
        let passages = 8_841_823.0, tokensPerPassage = 68.0
        var out = "| system | measured B/passage | measured B/token | MS MARCO projection |\n|---|---|---|---|\n"
        for r in rows where r.library == "i3" || r.family == "late" {
            let perToken = r.tokens > 0 && r.family != "dense" ? r.diskBytes / Double(r.tokens) : nil
            let projected = perToken.map { $0 * tokensPerPassage * passages } ?? r.bytesPerPassage * passages
            out += "| \(r.system) (\(r.library)) | \(f(r.bytesPerPassage, 0)) | \(f(perToken, 1)) | \(bytes(projected)) |\n"
        }
        return out
    }

    /// Recall against own exact vs single-thread QPS, one series per system (the package's SVG style),
    /// and a bytes-per-passage chart on a log axis.
    static func svgRecallLatency(_ rows: [LateRow], title: String) -> String {
        let series = rows.map { r in
            SVGPlot.Series(name: "\(r.system) (\(r.library))", points: [.init(recall: r.recallVsExact, qps: r.qps1)],
                           dashed: r.library != "i3", emphasized: r.library == "i3")
        }
        return SVGPlot(panels: [.init(title: title, series: series)], referenceRecalls: [0.9],
                       subtitle: "recall@10 against the system's own exact search vs queries per second, 1 thread").render()
    }

    static func svgBytes(_ rows: [LateRow], title: String) -> String {
        let w = 900.0, rowH = 26.0, left = 230.0, top = 50.0
        let h = top + rowH * Double(rows.count) + 50
        let maxLog = log10(max(10, rows.map(\.bytesPerPassage).max() ?? 10)).rounded(.up)
        func x(_ b: Double) -> Double { left + (w - left - 40) * max(0, log10(max(1, b))) / maxLog }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"\(Int(w / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(title)</text>\n"
        for e in 0...Int(maxLog) {
            let xe = x(pow(10, Double(e)))
            s += "<line x1=\"\(xe)\" y1=\"\(top - 6)\" x2=\"\(xe)\" y2=\"\(h - 40)\" stroke=\"#ddd\"/><text x=\"\(xe)\" y=\"\(h - 24)\" text-anchor=\"middle\">10^\(e) B</text>\n"
        }
        for (i, r) in rows.enumerated() {
            let y = top + rowH * Double(i)
            let colour = r.family == "dense" ? "#1f77b4" : r.family == "hybrid" ? "#2ca02c" : (r.library == "i3" ? "#ff7f0e" : "#d62728")
            s += "<text x=\"\(left - 8)\" y=\"\(y + 15)\" text-anchor=\"end\">\(r.system) (\(r.library))</text>"
            s += "<rect x=\"\(left)\" y=\"\(y + 3)\" width=\"\(max(1, x(r.bytesPerPassage) - left))\" height=\"\(rowH - 8)\" fill=\"\(colour)\"/>"
            s += "<text x=\"\(x(r.bytesPerPassage) + 4)\" y=\"\(y + 15)\">\(f(r.bytesPerPassage, 0))</text>\n"
        }
        return s + "</svg>\n"
    }

    /// Writes results.json, results.md, recall_qps.svg and bytes_per_passage.svg to `directory`.
    static func write(_ rows: [LateRow], to directory: URL, header: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(rows).write(to: directory.appendingPathComponent("results.json"), options: .atomic)
        let md = "\(header)\n\n\(table(rows))\n\(ratios(rows))\n\n### Projection to MS MARCO (8.8M passages × 68 tokens)\n\n\(projection(rows))"
        try md.write(to: directory.appendingPathComponent("results.md"), atomically: true, encoding: .utf8)
        try svgRecallLatency(rows, title: header.components(separatedBy: "\n").first ?? "late")
            .write(to: directory.appendingPathComponent("recall_qps.svg"), atomically: true, encoding: .utf8)
        try svgBytes(rows, title: "bytes per passage on disk (log scale)")
            .write(to: directory.appendingPathComponent("bytes_per_passage.svg"), atomically: true, encoding: .utf8)
    }
}
