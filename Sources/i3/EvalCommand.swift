import ArgumentParser
import Foundation
import I3Retriever

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

    @Option(name: .long, help: "Encoder model directory (with --index); default: the one recorded in the index.")
    var model: String?

    @Option(name: .long, help: "Projection head file (with --index and --model).")
    var head: String?

    @Option(name: .long, help: "Depth to retrieve when searching (with --index).")
    var depth: Int = 1000

    @Option(name: .long, help: "Also write the run produced from --index to this file.")
    var writeRun: String?

    func run() throws {
        let qrelsMap: Qrels
        do { qrelsMap = try TrecFiles.readQrels(URL(fileURLWithPath: qrels)) } catch let e as RetrieverError {
            throw CLIError(e.description)
        }
        let runMap: [String: [RunEntry]]
        if let r = runFile {
            do { runMap = try TrecFiles.readRun(URL(fileURLWithPath: r)) } catch let e as RetrieverError {
                throw CLIError(e.description)
            }
        } else if let dir = index, let qf = queries {
            let retriever = try SearchCommand.openRetriever(dir, model: model, head: head)
            let qs = try TrecFiles.readQueries(URL(fileURLWithPath: qf))
            runMap = try SearchCommand.runQueries(retriever, queries: qs, k: depth, runFile: writeRun)
        } else {
            throw ValidationError("give --run, or --index with --queries")
        }
        print(RetrievalMetrics.evaluate(run: runMap, qrels: qrelsMap).report)
    }
}
