import DataSets
import Foundation
@testable import I3Retriever
import TestSupport
import VectorKernels

/// Shared helpers of the retriever tests.
enum RT {
    static var fixtures: URL { FixturePaths.root.appendingPathComponent("retriever") }
    static var collection: URL { fixtures.appendingPathComponent("collection.tsv") }
    static var queries: URL { fixtures.appendingPathComponent("queries.tsv") }
    static var qrels: URL { fixtures.appendingPathComponent("qrels.tsv") }

    static func write(_ s: String, _ url: URL) throws { try writeText(s, url) }

    /// Builds the fixture collection into `dir/name` with the hashed encoder.
    static func buildFixture(in dir: TemporaryDirectory, name: String = "index", type: IndexType = .flat,
                             shard: Int = 16, batch: Int = 8, encoder: (any TextEncoding)? = nil) throws -> (URL, any TextEncoding) {
        let enc = try encoder ?? HashedBagOfWordsEncoder(dimension: 256)
        var o = IndexBuildOptions()
        o.indexType = type
        o.shardPassages = shard
        o.batchSize = batch
        let out = dir.path(name)
        try IndexBuilder.build(collection: collection, output: out, encoder: enc, options: o)
        return (out, enc)
    }

    /// Exact ranking of the fixture passages for `query` by cosine of the encoder's vectors (the oracle).
    static func oracleRanking(query: String, encoder: any TextEncoding) throws -> [(id: String, score: Float)] {
        var r = try PassageTSVReader(url: collection)
        var passages: [Passage] = []
        while let item = try r.next() { if case let .passage(p, _, _) = item { passages.append(p) } }
        let q = try encoder.encodeQueries([query])[0]
        let v = try encoder.encodePassages(passages.map(\.encoderText))
        func cos(_ a: [Float], _ b: [Float]) -> Float {
            var d: Float = 0, na: Float = 0, nb: Float = 0
            for i in a.indices { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i] }
            return d / (na.squareRoot() * nb.squareRoot())
        }
        let scored = zip(passages, v).enumerated().map { (i, pv) in (i, pv.0.id, cos(q, pv.1)) }
        return scored.sorted { $0.2 != $1.2 ? $0.2 > $1.2 : $0.0 < $1.0 }.map { ($0.1, $0.2) }
    }
}

/// An encoder that behaves like another but claims a different model.
struct RenamedEncoder: TextEncoding {
    let base: any TextEncoding
    let identity: String
    var dimension: Int { base.dimension }
    var metric: Metric { base.metric }
    var displayName: String { "renamed" }
    func encodeQueries(_ t: [String]) throws -> [[Float]] { try base.encodeQueries(t) }
    func encodePassages(_ t: [String]) throws -> [[Float]] { try base.encodePassages(t) }
}
