import DataSets
import Evaluation
import Foundation
import Testing
@testable import I3Retriever
import I3Encoder
import TestSupport

/// The real MiniLM encoder through the whole pipeline (runs only when the model is installed:
/// scripts/install-deps.sh, or I3_MODEL_DIR).
@Suite struct MiniLMEndToEndTests {
    @Test(.enabled(if: FixturePaths.miniLM != nil, "MiniLM is not installed"))
    func fixtureCorpusWithMiniLM() throws {
        let model = try #require(FixturePaths.miniLM)
        let encoder = try EncoderLoader.load(model: model.path, head: nil)
        let dir = try TemporaryDirectory()
        let (out, _) = try RT.buildFixture(in: dir, encoder: encoder)
        let m = try IndexManifest.read(from: out)
        #expect(m.dimension == 384)
        #expect(m.modelIdentity == encoder.identity)
        let r = try Retriever(directory: out, encoder: encoder)
        let queries = try TrecFiles.readQueries(RT.queries)
        let qrels = try TrecFiles.readQrels(RT.qrels)
        let results = try r.search(batch: queries.map(\.text), k: 60)
        var run: [String: [RunEntry]] = [:]
        for (q, hits) in zip(queries, results) {
            run[q.id] = hits.map { RunEntry(queryID: q.id, documentID: $0.id, rank: $0.rank, score: Double($0.score)) }
        }
        // Exact search equals brute force over the encoder's vectors (a few queries: the oracle re-encodes).
        for (q, hits) in zip(queries, results).prefix(3) {
            let oracle = try RT.oracleRanking(query: q.text, encoder: encoder)
            #expect(hits.map(\.id).prefix(5) == oracle.map(\.id).prefix(5), "query \(q.id)")
        }
        let metrics = RetrievalMetrics.evaluate(run: run, qrels: qrels)
        // Semantic matching beats the lexical hashed encoder on this fixture (its MRR@10 is about 0.38).
        #expect(metrics.mrr10 > 0.6)
        // The same directory refuses the hashed encoder.
        #expect(throws: RetrieverError.self) { _ = try Retriever(directory: out, encoder: HashedBagOfWordsEncoder(dimension: 384)) }
    }
}
