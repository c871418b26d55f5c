import Foundation
import HNSW
import IndexCore
import IVFPQ
import Testing
@testable import I3Retriever
import TestSupport

/// `IndexTuner` (`i3 tune`): re-fitting an existing directory's search settings.
@Suite struct IndexTunerTests {
    func options(_ type: IndexType, target: Double?) -> IndexBuildOptions {
        var o = IndexBuildOptions()
        o.indexType = type
        o.shardPassages = 16
        o.batchSize = 8
        o.targetRecall = target
        if type == .ivfpq {
            o.ivfLists = 8
            o.ivfSubquantizers = 16
            o.shardPassages = 128
        }
        return o
    }

    /// An untuned HNSW or IVF-PQ directory gets a curve in its index and its manifest; the passages and
    /// the generation stay; a retriever opened before the tune keeps answering, one opened after uses
    /// the curve; a target search works only after the tune.
    @Test(arguments: [IndexType.hnsw, .ivfpq])
    func tuningAnUntunedDirectory(type: IndexType) throws {
        let dir = try TemporaryDirectory()
        let enc = try HashedBagOfWordsEncoder(dimension: 64)
        let index = dir.path("index")
        let collection = dir.path("c.tsv")
        try IndexTypeTests.syntheticCollection(collection)
        try IndexBuilder.build(collection: collection, output: index, encoder: enc, options: options(type, target: nil))
        let before = try Retriever(directory: index, encoder: enc)
        let generation = before.manifest.generation
        #expect(before.manifest.indexSettings["targetRecall"] == nil)
        #expect(throws: IndexError.self) { try before.search("river", k: 5, parameters: SearchParameters(targetRecall: 0.9)) }
        let answerBefore = try before.search("river stone", k: 5)

        let curve = try IndexTuner.tune(directory: index, targetRecall: 0.95, sampleSize: 32)
        #expect(curve.k == 100 && curve.sampleSize == 32 && curve.targetRecall == 0.95)
        #expect(try before.search("river stone", k: 5) == answerBefore)

        let after = try Retriever(directory: index, encoder: enc)
        #expect(after.count == 400 && after.manifest.generation == generation)
        let s = after.manifest.indexSettings
        #expect(s["targetRecall"] == "0.95" && s["tunedK"] == "100" && s["tuningCurve"] != nil)
        switch type {
        case .hnsw:
            #expect(s["ef"] == curve.defaultPoint.ef.map(String.init))
            let opened = try HNSWIndex.open(directory: index.appendingPathComponent("hnsw"))
            #expect(opened.tuningCurve == curve)
        default:
            #expect(s["nprobe"] == curve.defaultPoint.nprobe.map(String.init))
            let opened = try IVFPQIndex.open(directory: index.appendingPathComponent("ivfpq"))
            #expect(opened.tuningCurve == curve)
        }
        _ = try after.search("river", k: 5, parameters: SearchParameters(targetRecall: 0.9))
        #expect(!FileManager.default.fileExists(atPath: index.path + ".tuning"))
        // Tuning again replaces the curve.
        let again = try IndexTuner.tune(directory: index, targetRecall: 0.5, k: 10, sampleSize: 16)
        #expect(try Retriever(directory: index, encoder: enc).manifest.indexSettings["targetRecall"] == "0.5")
        #expect(again.k == 10)
        // Held-out queries, encoded by the index's encoder, replace the pseudo-queries.
        let held = try after.encode(["river stone", "bright morning light", "old stone bridge", "quiet water"])
        let fitted = try IndexTuner.tune(directory: index, targetRecall: 0.9, k: 10, queries: held)
        #expect(fitted.sampleSize == 4 && fitted.k == 10)
        let reopened = try Retriever(directory: index, encoder: enc)
        let recorded = reopened.manifest.indexSettings["sampleRecall"]
        #expect(recorded == String(fitted.defaultPoint.recall) && reopened.manifest.indexSettings["tunedK"] == "10")
        #expect(throws: IndexError.self) { try IndexTuner.tune(directory: index, targetRecall: 0.9, k: 10, queries: [[1, 2]]) }
        #expect(try Retriever(directory: index, encoder: enc).manifest.indexSettings["sampleRecall"] == recorded)
    }

    @Test func refusalsAreNamed() throws {
        let dir = try TemporaryDirectory()
        let enc = try HashedBagOfWordsEncoder(dimension: 64)
        let flat = dir.path("flat")
        try IndexBuilder.build(collection: RT.collection, output: flat, encoder: enc, options: options(.flat, target: nil))
        #expect {
            try IndexTuner.tune(directory: flat, targetRecall: 0.9)
        } throws: { error in
            guard case let RetrieverError.invalidArgument(why) = error else { return false }
            return why.contains("flat index")
        }
        let hnsw = dir.path("hnsw")
        try IndexBuilder.build(collection: RT.collection, output: hnsw, encoder: enc, options: options(.hnsw, target: nil))
        for bad in [0.0, 1.2, Double.nan] {
            #expect(throws: RetrieverError.self) { try IndexTuner.tune(directory: hnsw, targetRecall: bad) }
        }
        #expect(throws: IndexError.self) { try IndexTuner.tune(directory: hnsw, targetRecall: 0.9, k: 60) }
        // A build (or another tune) holding the directory's lock.
        let held = try BuildLock(output: hnsw)
        #expect {
            try IndexTuner.tune(directory: hnsw, targetRecall: 0.9)
        } throws: { error in
            guard case RetrieverError.outputExists = error else { return false }
            return true
        }
        withExtendedLifetime(held) {}
        #expect(throws: RetrieverError.self) { try IndexTuner.tune(directory: dir.path("missing"), targetRecall: 0.9) }
        // Nothing was changed by the refusals.
        #expect(try Retriever(directory: hnsw, encoder: enc).manifest.indexSettings["targetRecall"] == nil)
    }

    /// Built with a target, the HNSW directory already holds a curve (the build default is 0.99).
    @Test func buildsTuneHNSWByDefault() throws {
        let dir = try TemporaryDirectory()
        let enc = try HashedBagOfWordsEncoder(dimension: 64)
        let out = dir.path("index")
        try IndexBuilder.build(collection: RT.collection, output: out, encoder: enc, options: options(.hnsw, target: 0.99))
        let s = try Retriever(directory: out, encoder: enc).manifest.indexSettings
        #expect(s["targetRecall"] == "0.99" && s["ef"] != nil)
    }
}
