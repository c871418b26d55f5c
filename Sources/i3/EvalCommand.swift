import ArgumentParser
import DataSets
import Evaluation
import Foundation
import I3Retriever
import IndexCore

/// `i3 eval`: MRR@10, Recall@10/100/1000, nDCG@10 of a run against qrels.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a TREC run (or search an index for a query file first) against qrels.",
        discussion: """
        Metrics: MRR@10 (MS MARCO), Recall@k = relevant in top k / all relevant, nDCG@10 (trec_eval \
        ndcg_cut_10, linear gain). Averaged over the qrels queries with a relevant document; such a query \
        missing from the run scores 0. Ranking by score descending, ties by document id descending (trec_eval).
        """)

    @Option(name: .long, help: "TREC qrels (qid 0 docid rel; tabs or spaces).")
    var qrels: String

    @Option(name: .customLong("run"), help: "TREC run file (qid Q0 docid rank score tag).")
    var runFile: String?

    @Option(name: .long, help: "Index directory to search (with --queries) instead of reading --run.")
    var index: String?

    @Option(name: .long, help: "Queries (qid<TAB>text) to search when --index is given.")
    var queries: String?

    @OptionGroup var encoder: RetrieverOptions

    @Option(name: .long, help: "Depth to retrieve when searching (with --index).")
    var depth: Int = 1000

    @Option(name: .long, help: "Also write the run produced from --index to this file.")
    var writeRun: String?

    @Flag(name: .long, help: "With --index: search one query at a time and report latency (p50/p99, encoding included and excluded).")
    var latency = false

    @OptionGroup var search: SearchOptions

    func run() throws {
        do {
            let qrelsMap = try TrecFiles.readQrels(URL(fileURLWithPath: qrels))
            let runMap: [String: [RunEntry]]
            if let r = runFile {
                runMap = try TrecFiles.readRun(URL(fileURLWithPath: r))
            } else if let dir = index, let qf = queries {
                let retriever = try encoder.open(dir)
                let qs = try TrecFiles.readQueries(URL(fileURLWithPath: qf))
                var times: (total: [Double], searchOnly: [Double]) = ([], [])
                let params = search.parameters
                runMap = try withUnsafeMutablePointer(to: &times) { p in
                    try SearchCommand.runQueries(retriever, queries: qs, k: depth, runFile: writeRun, parameters: params,
                                                 latency: latency ? p : nil)
                }
                if latency {
                    print("index: \(retriever.manifest.indexType.rawValue), \(retriever.count) passages, \(retriever.indexMemoryBytes) bytes in memory")
                    print("latency, encoding included: \(LatencyStats(seconds: times.total).summary)")
                    print("latency, search only:       \(LatencyStats(seconds: times.searchOnly).summary)")
                }
            } else {
                throw ValidationError("give --run, or --index with --queries")
            }
            print(RetrievalMetrics.evaluate(run: runMap, qrels: qrelsMap).report)
        } catch let e as RetrieverError {
            throw CLIError(e)
        }
    }
}
