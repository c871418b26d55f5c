import ArgumentParser
import DataSets
import Foundation
import I3Retriever
import IndexCore

/// `i3 tune`: fit an existing index's search settings to a recall target, without rebuilding it.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Fit the search settings of an HNSW or IVF-PQ index directory to a recall target.",
        discussion: """
        Measures recall@k against exact search on pseudo-queries drawn from the index's own vectors, for
        ef (HNSW) or nprobe and re-ranking depth (IVF-PQ) from cheap to expensive, and stores the curve
        in the index: plain searches then use the cheapest setting that reached --target-recall, and
        `i3 search --target-recall` / the server's `target_recall` read the curve for other targets.
        The directory is replaced atomically (a server watching it reloads once); nothing is re-encoded.
        Pseudo-queries lie on the data, so real queries usually reach a little less: check with `i3 eval`,
        or fit on real queries with --queries (a dev split, never the one you report): they are encoded
        with the index's encoder and their exact top k computed over the stored vectors.
        """)

    @Argument(help: "Index directory (from i3 index).")
    var index: String

    @Option(name: .long, help: "Recall@k plain searches should reach, in (0, 1].")
    var targetRecall = 0.99

    @Option(name: .long, help: "Depth recall is measured at (default 100, or one less than the passages).")
    var k: Int?

    @Option(name: .long, help: "Pseudo-queries drawn from the collection.")
    var sample = 256

    @Option(name: .long, help: "Seed of the sample.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Fit on these held-out queries (qid<TAB>text) instead of pseudo-queries.")
    var queries: String?

    @OptionGroup var encoder: RetrieverOptions

    func run() throws {
        let started = Date()
        let curve: TuningCurve
        var vectors: [[Float]]?
        if let queries {
            do {
                let texts = try TrecFiles.readQueries(URL(fileURLWithPath: queries)).map(\.text)
                vectors = try Retriever.encode(texts, with: encoder.encoder(forIndex: index))
            } catch {
                throw CLIError("\(queries): \(error)")
            }
        }
        do {
            curve = try IndexTuner.tune(directory: URL(fileURLWithPath: index), targetRecall: targetRecall, k: k,
                                        sampleSize: sample, seed: seed, queries: vectors)
        } catch {
            throw CLIError("\(index): \(error)")
        }
        print("recall@\(curve.k) on \(curve.sampleSize) \(queries == nil ? "pseudo-queries" : "held-out queries") (\(String(format: "%.1f", Date().timeIntervalSince(started))) s):")
        for p in curve.points {
            let mark = p == curve.defaultPoint ? "  <- default (target \(curve.targetRecall))" : ""
            print("  \(Self.describe(p))  recall \(String(format: "%.4f", p.recall))\(mark)")
        }
    }

    static func describe(_ p: TuningCurve.Point) -> String {
        [p.ef.map { "ef \($0)" }, p.nprobe.map { "nprobe \($0)" }, p.refineFactor.map { "refine ×\($0)" }]
            .compactMap { $0 }.joined(separator: ", ")
    }
}
