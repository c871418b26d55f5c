import ArgumentParser
import DataSets
import Evaluation
import Foundation
import I3Retriever
import IndexCore
import TerminalProgress

/// `i3 search`: one query printed readably, or a query file written as a TREC run.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search an index directory.",
        discussion: """
        i3 search <dir> "query" [-k 10]                       prints ranked passages
        i3 search <dir> --queries queries.tsv --run out.tsv   writes a TREC run (qid Q0 docid rank score tag)
        """)

    @Argument(help: "Index directory.")
    var directory: String

    @Argument(help: "Query text (or use --queries).")
    var query: String?

    @Option(name: .short, help: "Number of results.")
    var k = 10

    @Option(name: .long, help: "Queries file (qid<TAB>text).")
    var queries: String?

    @Option(name: .customLong("run"), help: "Run file to write (with --queries).")
    var runFile: String?

    @OptionGroup var encoder: RetrieverOptions

    @OptionGroup var search: SearchOptions

    @Option(name: .long, help: "Run tag (last column of the run file).")
    var tag = "i3"

    func run() throws {
        let params = search.parameters
        do {
            let r = try encoder.open(directory)
            if let qf = queries {
                guard let out = runFile else { throw ValidationError("--queries needs --run <file>") }
                let qs = try TrecFiles.readQueries(URL(fileURLWithPath: qf))
                _ = try Self.runQueries(r, queries: qs, k: k, runFile: out, tag: tag, parameters: params)
                print("wrote \(qs.count) queries x \(k) results to \(out)")
                return
            }
            guard let q = query else { throw ValidationError("give a query, or --queries <file> --run <file>") }
            let hits = try r.search(q, k: k, parameters: params)
            print("query: \(q)")
            for h in hits {
                let text = h.text.count > 200 ? String(h.text.prefix(200)) + "…" : h.text
                let title = h.title.isEmpty ? "" : "[\(h.title)] "
                print(String(format: "%3d. %@  %.4f  ", h.rank, h.id, h.score) + title + text)
            }
        } catch let e as RetrieverError {
            throw CLIError(e)
        }
    }

    /// Searches all queries in batches (or one at a time, timed, with `latency`); optionally writes the
    /// run file. Returns the run and, when timed, (encode + search, search only) seconds per query.
    static func runQueries(_ r: Retriever, queries: [Query], k: Int, runFile: String?, tag: String = "i3",
                           parameters: SearchParameters = .default,
                           latency: UnsafeMutablePointer<(total: [Double], searchOnly: [Double])>? = nil) throws -> [String: [RunEntry]] {
        var run: [String: [RunEntry]] = [:]
        let progress = ProgressReporter(label: "searching", total: queries.count, unit: "queries")
        var text = ""
        let step = latency == nil ? 256 : 1
        for start in stride(from: 0, to: queries.count, by: step) {
            let batch = Array(queries[start ..< min(start + step, queries.count)])
            let results: [[SearchHit]]
            if let lat = latency {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let v = try r.encode([batch[0].text])[0]
                let t1 = DispatchTime.now().uptimeNanoseconds
                results = [try r.search(vector: v, k: k, parameters: parameters)]
                let t2 = DispatchTime.now().uptimeNanoseconds
                lat.pointee.total.append(Double(t2 - t0) / 1e9)
                lat.pointee.searchOnly.append(Double(t2 - t1) / 1e9)
            } else {
                results = try r.search(batch: batch.map(\.text), k: k, parameters: parameters)
            }
            for (q, hits) in zip(batch, results) {
                let entries = hits.map { RunEntry(queryID: q.id, documentID: $0.id, rank: $0.rank, score: Double($0.score)) }
                run[q.id] = entries
                for e in entries { text += TrecFiles.runLine(e, tag: tag) }
            }
            progress.update(done: start + batch.count)
        }
        progress.finish(done: queries.count)
        if let out = runFile {
            do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                throw RetrieverError.io(path: out, reason: "cannot write the run: \(error.localizedDescription)")
            }
        }
        return run
    }
}
