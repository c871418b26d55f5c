import DataSets
import Evaluation
import Foundation
import Testing
@testable import I3Retriever
import IndexCore
import TestSupport

/// index → search → eval on the committed fixture corpus with the deterministic hashed encoder.
@Suite struct EndToEndTests {
    /// The rank of each fixture query's relevant passage (hashed bag of words, 256-d, exact search).
    static let expectedRanks: [String: Int] = [
        "assentient": 39, "barometric": 2, "blamable": 37, "caricaturist": 5, "declaratory": 3, "foreknowledge": 1,
        "maser": 1, "nondevelopment": 1, "percoid": 3, "sulphide": 4, "trumpets": 26, "whitethorn": 23,
    ]

    @Test func flatIndexRanksMatchTheOracleAndTheRecordedRanks() throws {
        let dir = try TemporaryDirectory()
        let (out, enc) = try RT.buildFixture(in: dir)
        let r = try Retriever(directory: out, encoder: enc)
        #expect(r.count == 60)
        let queries = try TrecFiles.readQueries(RT.queries)
        let qrels = try TrecFiles.readQrels(RT.qrels)
        var ranks: [String: Int] = [:]
        for q in queries {
            let hits = try r.search(q.text, k: 60)
            let oracle = try RT.oracleRanking(query: q.text, encoder: enc)
            // Same ranking as brute force (scores equal at each rank; ids equal where scores are not tied).
            #expect(hits.count == oracle.count)
            for (h, o) in zip(hits, oracle) {
                #expect(abs(h.score - o.score) < 1e-5, "query \(q.id) rank \(h.rank)")
            }
            #expect(hits.map(\.id) == oracle.map(\.id), "query \(q.id)")
            let rel = try #require(qrels[q.id]?.keys.first)
            ranks[q.id] = hits.first(where: { $0.id == rel })?.rank
        }
        #expect(ranks == Self.expectedRanks)
        // Hits carry the stored text and title.
        let top = try r.search(queries[0].text, k: 1)[0]
        let p = try r.passage(internalID: top.internalID)
        #expect(p.id == top.id)
        #expect(p.text == top.text)
        #expect(p.title == top.title)
    }

    @Test func evalOfTheRunMatchesTheRecordedRanks() throws {
        let dir = try TemporaryDirectory()
        let (out, enc) = try RT.buildFixture(in: dir)
        let r = try Retriever(directory: out, encoder: enc)
        let queries = try TrecFiles.readQueries(RT.queries)
        let results = try r.search(batch: queries.map(\.text), k: 100)
        var run: [String: [RunEntry]] = [:]
        for (q, hits) in zip(queries, results) {
            run[q.id] = hits.map { RunEntry(queryID: q.id, documentID: $0.id, rank: $0.rank, score: Double($0.score)) }
        }
        try TrecFiles.writeRun(run, tag: "test", to: dir.path("run.tsv"))
        let m = RetrievalMetrics.evaluate(run: try TrecFiles.readRun(dir.path("run.tsv")), qrels: try TrecFiles.readQrels(RT.qrels))
        let ranks = Self.expectedRanks.values
        let mrr = ranks.map { $0 <= 10 ? 1 / Double($0) : 0 }.reduce(0, +) / Double(ranks.count)
        let r10 = Double(ranks.filter { $0 <= 10 }.count) / Double(ranks.count)
        let ndcg = ranks.map { $0 <= 10 ? 1 / log2(Double($0) + 1) : 0 }.reduce(0, +) / Double(ranks.count)
        #expect(m.queryCount == 12)
        #expect(abs(m.mrr10 - mrr) < 1e-9)
        #expect(abs(m.recall10 - r10) < 1e-9)
        #expect(abs(m.ndcg10 - ndcg) < 1e-6)
        #expect(m.recall100 == 1)
    }

    @Test func searchByVectorEqualsSearchByText() throws {
        let dir = try TemporaryDirectory()
        let (out, enc) = try RT.buildFixture(in: dir)
        let r = try Retriever(directory: out, encoder: enc)
        let q = "relating to atmospheric pressure"
        let v = try enc.encodeQueries([q])[0]
        #expect(try r.search(vector: v, k: 5) == r.search(q, k: 5))
    }
}
