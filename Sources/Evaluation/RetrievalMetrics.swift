import DataSets
import Foundation

/// Standard ranking metrics over a run and qrels.
///
/// Definitions (they match trec_eval / ir-measures and the MS MARCO script):
/// - Documents of a query are ranked by score descending; ties are broken by document id descending,
///   as trec_eval does (the rank column of the run file is ignored).
/// - A document is relevant when its qrels grade is ≥ 1.
/// - `MRR@10`: 1 / rank of the first relevant document within the top 10, else 0 (MS MARCO).
/// - `Recall@k`: relevant documents in the top k / all relevant documents of the query.
/// - `nDCG@10`: Σ_{rank ≤ 10} grade / log2(rank + 1), divided by the same sum for the ideal ranking
///   of the qrels grades (trec_eval `ndcg_cut_10`, linear gain).
/// - Averages are over the queries of the qrels that have at least one relevant document; such a query
///   that is missing from the run scores 0 (trec_eval `-c`, MS MARCO). Queries only in the run are ignored.
public struct RetrievalMetrics: Sendable, Equatable {
    public var mrr10: Double
    public var recall10: Double
    public var recall100: Double
    public var recall1000: Double
    public var ndcg10: Double
    /// Number of queries averaged over.
    public var queryCount: Int
    /// Of those, how many had no results in the run.
    public var queriesMissingFromRun: Int

    /// Per-query values of one query.
    public struct PerQuery: Sendable, Equatable {
        public var rr10: Double, recall10: Double, recall100: Double, recall1000: Double, ndcg10: Double
    }

    /// Evaluates one query's ranked document ids against its judgments. A document listed again later
    /// counts once, at its first rank, and the repeats take no rank (as trec_eval sees a run: one entry per
    /// document), so no metric can exceed 1.
    public static func evaluate(ranked: [String], judgments: [String: Int]) -> PerQuery {
        let relevantTotal = judgments.values.filter { $0 >= 1 }.count
        var rr = 0.0
        var hits10 = 0, hits100 = 0, hits1000 = 0
        var dcg = 0.0
        var seen = Set<String>()
        var rank = 0
        for d in ranked {
            guard seen.insert(d).inserted else { continue }
            rank += 1
            if rank > 1000 { break }
            let g = judgments[d] ?? 0
            guard g >= 1 else { continue }
            if rank <= 10 {
                if rr == 0 { rr = 1.0 / Double(rank) }
                hits10 += 1
                dcg += Double(g) / log2(Double(rank) + 1)
            }
            if rank <= 100 { hits100 += 1 }
            hits1000 += 1
        }
        let ideal = judgments.values.filter { $0 >= 1 }.sorted(by: >).prefix(10).enumerated()
            .reduce(0.0) { $0 + Double($1.element) / log2(Double($1.offset + 2)) }
        let t = Double(max(relevantTotal, 1))
        return PerQuery(rr10: rr, recall10: Double(hits10) / t, recall100: Double(hits100) / t,
                        recall1000: Double(hits1000) / t, ndcg10: ideal > 0 ? dcg / ideal : 0)
    }

    /// Orders one query's run entries as trec_eval does: score descending, then document id descending;
    /// a document listed more than once keeps only its best-ranked entry.
    public static func rankedDocuments(_ entries: [RunEntry]) -> [String] {
        var seen = Set<String>()
        return entries.sorted { $0.score != $1.score ? $0.score > $1.score : $0.documentID > $1.documentID }
            .map(\.documentID).filter { seen.insert($0).inserted }
    }

    /// Averages over the judged queries (see the type's documentation).
    public static func evaluate(run: [String: [RunEntry]], qrels: Qrels) -> RetrievalMetrics {
        var m = RetrievalMetrics(mrr10: 0, recall10: 0, recall100: 0, recall1000: 0, ndcg10: 0,
                                 queryCount: 0, queriesMissingFromRun: 0)
        for (q, j) in qrels where j.values.contains(where: { $0 >= 1 }) {
            m.queryCount += 1
            guard let entries = run[q], !entries.isEmpty else { m.queriesMissingFromRun += 1; continue }
            let p = evaluate(ranked: rankedDocuments(entries), judgments: j)
            m.mrr10 += p.rr10; m.recall10 += p.recall10; m.recall100 += p.recall100
            m.recall1000 += p.recall1000; m.ndcg10 += p.ndcg10
        }
        if m.queryCount > 0 {
            let n = Double(m.queryCount)
            m.mrr10 /= n; m.recall10 /= n; m.recall100 /= n; m.recall1000 /= n; m.ndcg10 /= n
        }
        return m
    }

    /// A readable multi-line summary.
    public var report: String {
        var s = String(format: "MRR@10     %.4f\nRecall@10  %.4f\nRecall@100 %.4f\nRecall@1000 %.4f\nnDCG@10    %.4f\n",
                       mrr10, recall10, recall100, recall1000, ndcg10)
        s += "queries    \(queryCount)"
        if queriesMissingFromRun > 0 { s += " (\(queriesMissingFromRun) without results, scored 0)" }
        return s
    }
}
