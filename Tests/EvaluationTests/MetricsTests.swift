import Foundation
import Testing
import DataSets
@testable import Evaluation
import TestSupport

@Suite struct MetricsTests {
    func entries(_ q: String, _ docs: [String]) -> [RunEntry] {
        docs.enumerated().map { RunEntry(queryID: q, documentID: $1, rank: $0 + 1, score: Double(100 - $0)) }
    }

    @Test func singleRelevantAtRankThree() {
        let p = RetrievalMetrics.evaluate(ranked: ["x", "y", "r", "z"], judgments: ["r": 1])
        #expect(abs(p.rr10 - 1.0 / 3) < 1e-12)
        #expect(p.recall10 == 1)
        #expect(abs(p.ndcg10 - 1 / log2(4.0)) < 1e-12)
    }

    @Test func gradedNDCGAndRecallDepths() {
        // Relevant: a (2), b (1), c (1); c is at rank 11 (outside the top 10).
        let ranked = ["a", "n1", "b"] + (4...10).map { "n\($0)" } + ["c"]
        let p = RetrievalMetrics.evaluate(ranked: ranked, judgments: ["a": 2, "b": 1, "c": 1, "nr": 0])
        let dcg = 2 / log2(2.0) + 1 / log2(4.0)
        let idcg = 2 / log2(2.0) + 1 / log2(3.0) + 1 / log2(4.0)
        #expect(abs(p.ndcg10 - dcg / idcg) < 1e-12)
        #expect(p.rr10 == 1)
        #expect(abs(p.recall10 - 2.0 / 3) < 1e-12)
        #expect(p.recall100 == 1)
    }

    @Test func averagesOverJudgedQueriesAndCountsMissingAsZero() {
        let qrels: Qrels = ["q1": ["d1": 1], "q2": ["d2": 1], "q3": ["d9": 0]]
        let run = ["q1": entries("q1", ["d1"]), "q4": entries("q4", ["d1"])]
        let m = RetrievalMetrics.evaluate(run: run, qrels: qrels)
        #expect(m.queryCount == 2)
        #expect(m.queriesMissingFromRun == 1)
        #expect(m.mrr10 == 0.5)
        #expect(m.recall1000 == 0.5)
    }

    @Test func ranksByScoreThenDocumentIDDescendingLikeTrecEval() {
        let e = [RunEntry(queryID: "q", documentID: "a", rank: 1, score: 1),
                 RunEntry(queryID: "q", documentID: "b", rank: 2, score: 1),
                 RunEntry(queryID: "q", documentID: "c", rank: 3, score: 2)]
        #expect(RetrievalMetrics.rankedDocuments(e) == ["c", "b", "a"])
    }

    @Test func runAndQrelsFilesRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let run = ["q1": entries("q1", ["d1", "d2"])]
        try TrecFiles.writeRun(run, tag: "t", to: dir.path("run"))
        let text = try String(contentsOf: dir.path("run"), encoding: .utf8)
        #expect(text.hasPrefix("q1 Q0 d1 1 100.000000 t\n"))
        let back = try TrecFiles.readRun(dir.path("run"))
        #expect(back["q1"]?.map(\.documentID) == ["d1", "d2"])
        try TrecFiles.writeQrels(["q1": ["d1": 1]], to: dir.path("qrels"))
        #expect(try TrecFiles.readQrels(dir.path("qrels")) == ["q1": ["d1": 1]])
        try writeText("q1 0 d1 1\nq2 0 d2\n", dir.path("bad"))
        #expect(throws: DataSetError.self) { try TrecFiles.readQrels(dir.path("bad")) }
        do { _ = try TrecFiles.readQrels(dir.path("bad")) } catch let e as DataSetError {
            #expect(e.description.contains("bad:2:"))
        }
    }
}

/// A run that lists a document several times for one query counts it once (trec_eval semantics).
@Suite struct DuplicateRunEntryTests {
    @Test func repeatedDocumentsCountOnceAndTakeNoRank() {
        let judged = ["d1": 1]
        let p = RetrievalMetrics.evaluate(ranked: ["d1", "d1", "d1", "x", "d2"], judgments: judged)
        #expect(p.recall10 == 1 && p.recall100 == 1 && p.rr10 == 1)
        #expect(abs(p.ndcg10 - 1) < 1e-12)
        // The repeats take no rank: the relevant document after them is at rank 2, not 4.
        let q = RetrievalMetrics.evaluate(ranked: ["x", "x", "x", "d1"], judgments: judged)
        #expect(q.rr10 == 0.5)
        let run = ["q": [RunEntry(queryID: "q", documentID: "d1", rank: 1, score: 3),
                         RunEntry(queryID: "q", documentID: "d1", rank: 2, score: 2),
                         RunEntry(queryID: "q", documentID: "d1", rank: 3, score: 1)]]
        let m = RetrievalMetrics.evaluate(run: run, qrels: ["q": ["d1": 1, "d2": 1]])
        #expect(m.recall10 == 0.5 && m.recall100 == 0.5)
        #expect(m.ndcg10 <= 1)
    }
}
