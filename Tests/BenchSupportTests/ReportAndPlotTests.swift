import Foundation
import Testing
@testable import BenchSupport

@Suite struct ReportAndPlotTests {
    func point(_ lib: String, _ index: String, ef: Double, recall: Double, qps: Double, corrected: Double? = nil,
               rep: Int = 1) -> BenchmarkPoint {
        BenchmarkPoint(dataset: "toy", library: lib, index: index, params: ["ef": ef], recallAt10: recall, qps: qps,
                       qpsOverheadCorrected: corrected, repetition: rep)
    }

    var points: [BenchmarkPoint] {
        [point("i3", "hnsw", ef: 10, recall: 0.85, qps: 20_000), point("i3", "hnsw", ef: 40, recall: 0.96, qps: 8_000),
         point("i3", "hnsw", ef: 40, recall: 0.96, qps: 9_000, rep: 2),
         point("hnswlib", "hnsw", ef: 10, recall: 0.85, qps: 10_000, corrected: 12_000),
         point("hnswlib", "hnsw", ef: 40, recall: 0.96, qps: 4_500, corrected: 5_000)]
    }

    @Test func mergeKeepsTheBestQPSOfRepetitions() {
        let merged = ComparisonReport.merge(points)
        #expect(merged.count == 4)
        #expect(merged.first { $0.library == "i3" && $0.params["ef"] == 40 }?.qps == 9_000)
    }

    @Test func ratiosAreOursOverPeerAtEachTarget() throws {
        let report = ComparisonReport(points: points, targets: [0.90, 0.95])
        let rs = report.ratios()
        #expect(rs.map(\.recall) == [0.90, 0.95, 0.96])  // the targets, then the highest common recall
        // Both curves have the same recalls, ours is 2x at both ends, so 2x everywhere in between.
        for r in rs {
            #expect(abs(r.ratio - 2.0) < 1e-9)
            #expect(r.peer == "hnswlib")
            #expect(r.correctedRatio != nil)
        }
        let text = report.text()
        #expect(text.contains("2.00x"))
        #expect(text.contains("== toy"))
    }

    @Test func curvesBelowTheTargetsAreComparedAtTheHighestCommonRecall() {
        let pts = [point("i3", "ivfpq", ef: 1, recall: 0.3, qps: 1_000), point("i3", "ivfpq", ef: 2, recall: 0.5, qps: 500),
                   point("faiss", "ivfpq", ef: 1, recall: 0.3, qps: 2_000), point("faiss", "ivfpq", ef: 2, recall: 0.45, qps: 1_000)]
        let rs = ComparisonReport(points: pts).ratios()
        #expect(rs.count == 1)
        #expect(rs.first?.recall == 0.45)
        #expect(abs((rs.first?.ratio ?? 0) - 0.5) < 0.1)
    }

    @Test func exactIndexesAreComparedAtRecallOneOnly() {
        let pts = [point("i3", "flat", ef: 0, recall: 1, qps: 60), point("faiss", "flat", ef: 0, recall: 1, qps: 30)]
        let rs = ComparisonReport(points: pts).ratios()
        #expect(rs.map(\.recall) == [1.0])
        #expect(rs.first?.ratio == 2)
        #expect(rs.first?.isBound == false)
    }

    @Test func svgHasAxesLegendAndOneLinePerCurve() {
        let svg = ComparisonReport(points: points).plot().render()
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains("data-name=\"i3 hnsw\""))
        #expect(svg.contains("data-name=\"hnswlib hnsw\""))
        #expect(svg.contains("Recall@10"))
        #expect(svg.contains("log scale"))
        #expect(svg.contains(">10k</text>"))   // a decade tick of the log axis
        #expect(svg.contains(">0.90</text>"))  // a recall tick (0.05 steps on a short range)
        #expect(svg.contains("class=\"legend\""))
        #expect(svg.contains("class=\"reference\""))
    }

    @Test func svgEscapesNames() {
        let plot = SVGPlot(panels: [.init(title: "a<b & c", series: [.init(name: "x\"y", points: [.init(recall: 0.5, qps: 10)])])])
        let svg = plot.render()
        #expect(svg.contains("a&lt;b &amp; c"))
        #expect(!svg.contains("a<b"))
    }
}
