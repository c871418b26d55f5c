import ArgumentParser
import BenchSupport
import Foundation

/// `I3Bench ann-report`: merges our and the peers' JSON points, prints the tables and QPS ratios,
/// draws the SVG.
struct AnnReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ann-report",
        abstract: "Compare ANN benchmark JSON files (ours and the peers'): tables, QPS ratios at equal recall, SVG plot.",
        discussion: """
        Repeated measurements of the same point (same data set, library, index and parameters) keep the best \
        QPS. Ratios are ours / peer at recall@10 = each --targets value, interpolated on each curve's Pareto \
        frontier (log-linear in QPS), and at the highest recall both curves reach when that is below the targets.
        """)

    @Option(name: .customLong("json"), help: "A JSON file of points (repeat for several).")
    var jsonFiles: [String] = []

    @Option(help: "Draw the curves to this SVG file.")
    var svg: String?

    @Option(help: "Write the merged points to this JSON file.")
    var mergedJson: String?

    @Option(help: "Recall@10 targets for the ratios (comma-separated).")
    var targets = "0.90,0.95"

    @Option(help: "The library whose QPS is divided by the peers'.")
    var ours = "i3"

    @Flag(help: "Also draw the peers' overhead-corrected curves (dashed).")
    var svgCorrected = false

    @Flag(help: "Also draw the batched-search curves (dashed; reference only).")
    var svgBatch = false

    func run() throws {
        guard !jsonFiles.isEmpty else { throw BenchmarkError.badArgument(name: "--json", reason: "give at least one file") }
        var all: [BenchmarkPoint] = []
        for f in jsonFiles { all += try BenchmarkJSON.read(URL(fileURLWithPath: f)) }
        var ts: [Double] = []
        for p in targets.split(separator: ",") {
            guard let v = Double(p.trimmingCharacters(in: .whitespaces)), v > 0, v <= 1 else {
                throw BenchmarkError.badArgument(name: "--targets", reason: "\"\(p)\" is not a recall in (0, 1]")
            }
            ts.append(v)
        }
        let report = ComparisonReport(points: all, targets: ts, ours: ours)
        print(report.text())
        if let mergedJson {
            try BenchmarkJSON.write(report.points, to: URL(fileURLWithPath: mergedJson))
            print("==> wrote merged points to \(mergedJson)")
        }
        if let svg {
            let text = report.plot(includeCorrected: svgCorrected, includeBatch: svgBatch).render()
            do { try text.write(toFile: svg, atomically: true, encoding: .utf8) } catch {
                throw BenchmarkError.badArgument(name: "--svg", reason: "cannot write \(svg): \(error.localizedDescription)")
            }
            print("==> wrote \(svg)")
        }
    }
}
