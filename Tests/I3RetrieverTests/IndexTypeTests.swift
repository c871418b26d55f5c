import Foundation
import Testing
@testable import I3Retriever
import IndexCore
import TestSupport
import VectorKernels

/// HNSW and IVF-PQ directories against the exact flat index on the same passages.
@Suite struct IndexTypeTests {
    /// 400 synthetic passages: word soup from a small vocabulary, seeded.
    static func syntheticCollection(_ url: URL, count: Int = 400) throws {
        let words = ["river", "stone", "light", "music", "winter", "garden", "engine", "paper", "salt", "horse",
                     "copper", "forest", "glass", "thunder", "bread", "silver", "window", "cloud", "iron", "wheat",
                     "candle", "valley", "feather", "harbor", "lantern", "meadow", "needle", "orchard", "pepper", "quarry"]
        var rng = SeededRandom(seed: 11)
        var s = ""
        for i in 0..<count {
            let n = 4 + Int(rng.next() % 8)
            s += "p\(i)\t" + (0..<n).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: " ") + "\n"
        }
        try s.write(to: url, atomically: true, encoding: .utf8)
    }

    func build(_ type: IndexType, _ collection: URL, _ dir: TemporaryDirectory, encoder: any TextEncoding) throws -> Retriever {
        var o = IndexBuildOptions()
        o.indexType = type
        o.shardPassages = 128
        o.ivfLists = 8
        o.ivfSubquantizers = 16
        let out = dir.path(type.rawValue)
        try IndexBuilder.build(collection: collection, output: out, encoder: encoder, options: o)
        return try Retriever(directory: out, encoder: encoder)
    }

    @Test func hnswAndIVFPQAgreeWithFlat() throws {
        let dir = try TemporaryDirectory()
        let c = dir.path("c.tsv")
        try Self.syntheticCollection(c)
        let enc = try HashedBagOfWordsEncoder(dimension: 64)
        let flat = try build(.flat, c, dir, encoder: enc)
        let hnsw = try build(.hnsw, c, dir, encoder: enc)
        let ivf = try build(.ivfpq, c, dir, encoder: enc)
        let settings = try IndexManifest.read(from: dir.path("ivfpq")).indexSettings
        #expect(settings["nlist"] == "8" && settings["subquantizers"] == "16" && settings["targetRecall"] == "0.99")
        // The build fitted the search defaults to recall 0.99 on pseudo-queries: plain searches use them.
        let tuned = try #require(settings["sampleRecall"].flatMap(Double.init))
        #expect(tuned >= 0.99)
        var ivfDefaultHits = 0
        let queries = ["river stone light", "winter garden engine", "salt horse copper forest", "glass thunder"]
        var hnswHits = 0, total = 0
        for q in queries {
            let exact = try flat.search(q, k: 10)
            let approx = try hnsw.search(q, k: 10, parameters: SearchParameters(ef: 200))
            hnswHits += Set(exact.map(\.id)).intersection(approx.map(\.id)).count
            total += exact.count
            // IVF-PQ probing every list with exact re-ranking of all candidates is exact.
            let ivfExact = try ivf.search(q, k: 10, parameters: SearchParameters(nprobe: 8, refineFactor: 40))
            #expect(ivfExact.map(\.score).map { ($0 * 1e4).rounded() } == exact.map(\.score).map { ($0 * 1e4).rounded() })
            ivfDefaultHits += Set(exact.map(\.id)).intersection(try ivf.search(q, k: 10).map(\.id)).count
        }
        #expect(Double(hnswHits) / Double(total) >= 0.95)
        print("IVF-PQ with its tuned defaults: recall@10 \(Double(ivfDefaultHits) / Double(total)) against exact")
        #expect(Double(ivfDefaultHits) / Double(total) >= 0.9)
    }

    @Test func ivfpqOnTooFewPassagesIsAClearError() throws {
        let dir = try TemporaryDirectory()
        do {
            _ = try RT.buildFixture(in: dir, type: .ivfpq)
            Issue.record("IVF-PQ trained on 60 vectors")
        } catch let e as RetrieverError {
            #expect(e.description.contains("IVF-PQ needs at least 256 passages"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("index").path))
    }
}
