import Foundation

/// Merges benchmark points from several runs and compares curves: per-data-set tables and the QPS
/// ratio of our index to each peer at fixed recall@10 targets (interpolated on each curve).
public struct ComparisonReport: Sendable {
    /// The merged points (one per data set, library, index, mode and parameters).
    public var points: [BenchmarkPoint]
    /// Recall targets at which curves are compared.
    public var targets: [Double]
    /// The library whose curves are divided by the others' (`i3`).
    public var ours: String

    /// Merges `points`: repeated measurements of the same point keep the best QPS (as ann-benchmarks
    /// does with its runs), the mean recall and the smallest build times.
    public init(points: [BenchmarkPoint], targets: [Double] = [0.90, 0.95], ours: String = "i3") {
        self.points = Self.merge(points)
        self.targets = targets
        self.ours = ours
    }

    /// One QPS ratio between our curve and a peer's at a recall target.
    public struct Ratio: Sendable, Equatable {
        public var dataset: String
        public var index: String
        public var peer: String
        public var recall: Double
        public var oursQPS: RecallCurve.Reading
        public var peerQPS: RecallCurve.Reading
        /// The peer's curve with its per-call Python overhead subtracted, when measured.
        public var peerCorrectedQPS: RecallCurve.Reading?
        /// ours / peer.
        public var ratio: Double { oursQPS.qps / peerQPS.qps }
        /// ours / overhead-corrected peer.
        public var correctedRatio: Double? { peerCorrectedQPS.map { oursQPS.qps / $0.qps } }
        /// True when either reading is a bound rather than an interpolation.
        public var isBound: Bool {
            if case .atLeast = oursQPS { return true }
            if case .atLeast = peerQPS { return true }
            return false
        }
    }

    /// Groups identical measurements and keeps the best of them.
    public static func merge(_ points: [BenchmarkPoint]) -> [BenchmarkPoint] {
        var order: [String] = []
        var groups: [String: [BenchmarkPoint]] = [:]
        for p in points {
            let key = [p.dataset, p.library, p.index, p.mode, p.paramsText].joined(separator: "|")
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(p)
        }
        return order.compactMap { key -> BenchmarkPoint? in
            guard let g = groups[key], var best = g.max(by: { $0.qps < $1.qps }) else { return nil }
            best.recallAt10 = g.map(\.recallAt10).reduce(0, +) / Double(g.count)
            best.qpsOverheadCorrected = g.compactMap(\.qpsOverheadCorrected).max()
            best.buildSeconds = g.compactMap(\.buildSeconds).min()
            best.buildSecondsAllThreads = g.compactMap(\.buildSecondsAllThreads).min()
            best.trainSeconds = g.compactMap(\.trainSeconds).min()
            best.addSeconds = g.compactMap(\.addSeconds).min()
            best.residentBytes = mean(g.compactMap(\.residentBytes))
            best.residentBytesLoaded = mean(g.compactMap(\.residentBytesLoaded))
            best.diskBytes = mean(g.compactMap(\.diskBytes))
            best.repetition = g.count
            return best
        }
    }

    private static func mean(_ v: [Double]) -> Double? { v.isEmpty ? nil : v.reduce(0, +) / Double(v.count) }

    /// Data sets in order of first appearance.
    public var datasets: [String] {
        var out: [String] = []
        for p in points where !out.contains(p.dataset) { out.append(p.dataset) }
        return out
    }

    /// The single-query curves of a data set, keyed by curve name, in order of first appearance.
    public func curves(dataset: String, mode: String = "single") -> [(name: String, points: [BenchmarkPoint])] {
        var out: [(name: String, points: [BenchmarkPoint])] = []
        for p in points where p.dataset == dataset && p.mode == mode {
            if let i = out.firstIndex(where: { $0.name == p.curveName }) { out[i].points.append(p) } else {
                out.append((p.curveName, [p]))
            }
        }
        return out
    }

    /// Our curve against each peer curve of the same index, at every target and at the highest recall
    /// both reach (so curves that never reach the targets, such as IVF-PQ without re-ranking, and the
    /// exact flat indexes are still compared at equal recall). Targets below the start of both curves
    /// are skipped.
    public func ratios() -> [Ratio] {
        var out: [Ratio] = []
        for ds in datasets {
            let single = points.filter { $0.dataset == ds && $0.mode == "single" }
            let indexes = single.map(\.index).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for index in indexes {
                let mine = single.filter { $0.library == ours && $0.index == index }
                guard !mine.isEmpty else { continue }
                let ourCurve = RecallCurve(points: mine.map { .init(recall: $0.recallAt10, qps: $0.qps) })
                let peers = single.filter { $0.library != ours && $0.index == index }
                let peerNames = peers.map(\.library).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                for peer in peerNames {
                    let pp = peers.filter { $0.library == peer }
                    let peerCurve = RecallCurve(points: pp.map { .init(recall: $0.recallAt10, qps: $0.qps) })
                    let corrected = pp.compactMap { p in p.qpsOverheadCorrected.map { RecallCurve.Point(recall: p.recallAt10, qps: $0) } }
                    let correctedCurve = corrected.count == pp.count ? RecallCurve(points: corrected) : nil
                    var wanted = targets
                    let common = min(ourCurve.maxRecall, peerCurve.maxRecall)
                    if common > 0, !targets.contains(common) { wanted.append(common) }
                    for r in wanted {
                        guard let a = ourCurve.qps(atRecall: r), let b = peerCurve.qps(atRecall: r) else { continue }
                        // Both curves start above the target: nothing is read at that recall.
                        if case .atLeast = a, case .atLeast = b { continue }
                        out.append(Ratio(dataset: ds, index: index, peer: peer, recall: r, oursQPS: a, peerQPS: b,
                                         peerCorrectedQPS: correctedCurve?.qps(atRecall: r)))
                    }
                }
            }
        }
        return out
    }

    /// The per-data-set tables and the ratios, as plain text.
    public func text() -> String {
        var s = ""
        for ds in datasets {
            s += "\n== \(ds): recall@10 and QPS, one query per call (best of \(points.filter { $0.dataset == ds }.map { $0.repetition ?? 1 }.max() ?? 1) repetition(s))\n"
            s += pad("curve", 28) + pad("params", 62) + lpad("recall@10", 10) + lpad("QPS", 10) + lpad("QPS-ovh", 10)
                + lpad("build 1t s", 11) + lpad("build all s", 12) + lpad("MB", 9) + lpad("B/vec", 8) + "\n"
            for mode in ["single", "batch"] {
                for (name, pts) in curves(dataset: ds, mode: mode) {
                    for p in pts.sorted(by: { $0.recallAt10 < $1.recallAt10 }) {
                        s += pad(name, 28) + pad(p.paramsText, 62) + lpad(String(format: "%.4f", p.recallAt10), 10)
                            + lpad(String(format: "%.0f", p.qps), 10)
                            + lpad(p.qpsOverheadCorrected.map { String(format: "%.0f", $0) } ?? "-", 10)
                            + lpad(p.buildSeconds.map { String(format: "%.2f", $0) } ?? "-", 11)
                            + lpad(p.buildSecondsAllThreads.map { String(format: "%.2f", $0) } ?? "-", 12)
                            + lpad(p.indexBytes.map { String(format: "%.1f", $0 / 1_048_576) } ?? "-", 9)
                            + lpad(p.bytesPerVector.map { String(format: "%.1f", $0) } ?? "-", 8) + "\n"
                    }
                }
            }
            s += memoryText(dataset: ds)
            let trainers = points.filter { $0.dataset == ds && $0.mode == "single" && $0.trainSeconds != nil }
            var seen = Set<String>()
            for p in trainers where seen.insert(p.curveName).inserted {
                s += "  \(p.curveName): train \(String(format: "%.2f", p.trainSeconds ?? 0)) s, add \(String(format: "%.2f", p.addSeconds ?? 0)) s, \(p.bytesPerVector.map { String(format: "%.1f", $0) } ?? "?") bytes/vector\n"
            }
        }
        let rs = ratios()
        if !rs.isEmpty {
            s += "\n== QPS ratio \(ours) / peer at equal recall@10 (interpolated on each curve; one query per call)\n"
            s += "   'raw' uses the peers' measured QPS; 'vs overhead-corrected' subtracts the peers' per-call Python overhead.\n"
            for r in rs {
                let tag = targets.contains(r.recall) ? String(format: "%.2f", r.recall) : String(format: "%.3f (highest common)", r.recall)
                let corr = r.correctedRatio.map { String(format: ", vs overhead-corrected %.2fx", $0) } ?? ""
                s += "  \(r.dataset)  \(pad(r.index, 13)) vs \(pad(r.peer, 8)) at recall \(tag): \(String(format: "%.2fx", r.ratio))"
                    + " (\(String(format: "%.0f", r.oursQPS.qps)) vs \(String(format: "%.0f", r.peerQPS.qps)) QPS\(corr))\(r.isBound ? " [bound: a curve starts above this recall]" : "")\n"
            }
        }
        return s
    }

    /// Per curve that measured them: bytes per vector in memory (accounted), resident after building,
    /// resident after loading the saved index, and on disk (see `BenchmarkPoint`).
    func memoryText(dataset: String) -> String {
        var rows = ""
        for (name, pts) in curves(dataset: dataset) {
            guard let p = pts.first(where: { $0.residentBytes != nil || $0.diskBytes != nil }),
                  let bytes = p.indexBytes, let perVector = p.bytesPerVector, perVector > 0 else { continue }
            let n = bytes / perVector
            func cell(_ v: Double?) -> String { lpad(v.map { String(format: "%.1f", $0 / n) } ?? "-", 14) }
            rows += "  " + pad(name, 26) + cell(p.library == ours ? p.indexBytes : nil) + cell(p.residentBytes)
                + cell(p.residentBytesLoaded) + cell(p.diskBytes) + lpad(String(format: "%.0f", n), 10) + "\n"
        }
        guard !rows.isEmpty else { return "" }
        return "  " + pad("memory, bytes/vector", 26) + lpad("accounted", 14) + lpad("resident:build", 14)
            + lpad("resident:load", 14) + lpad("disk", 14) + lpad("vectors", 10) + "\n" + rows
            + "  (resident = RSS growth over the build / the load, after malloc_trim on both sides; accounted = our memoryBytes)\n"
    }

    /// The ann-benchmarks style plot of every single-query curve (and, if asked, the peers'
    /// overhead-corrected curves dashed).
    public func plot(includeCorrected: Bool = false, includeBatch: Bool = false) -> SVGPlot {
        let panels = datasets.map { ds -> SVGPlot.Panel in
            var series: [SVGPlot.Series] = []
            for (name, pts) in curves(dataset: ds) {
                series.append(.init(name: name, points: pts.map { .init(recall: $0.recallAt10, qps: $0.qps) },
                                    emphasized: pts.first?.library == ours))
            }
            if includeCorrected {
                for (name, pts) in curves(dataset: ds) where pts.allSatisfy({ $0.qpsOverheadCorrected != nil }) {
                    series.append(.init(name: name + " − call overhead",
                                        points: pts.map { .init(recall: $0.recallAt10, qps: $0.qpsOverheadCorrected ?? $0.qps) },
                                        dashed: true))
                }
            }
            if includeBatch {
                for (name, pts) in curves(dataset: ds, mode: "batch") {
                    series.append(.init(name: name, points: pts.map { .init(recall: $0.recallAt10, qps: $0.qps) }, dashed: true))
                }
            }
            return SVGPlot.Panel(title: ds, series: series)
        }
        return SVGPlot(panels: panels, referenceRecalls: targets)
    }

    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    private func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
}
