import Foundation
import Testing
import TestSupport
@testable import I3Encoder

private let miniLMMissing = "all-MiniLM-L6-v2 not installed: run scripts/install-deps.sh (or set I3_MODEL_DIR)"

/// all-MiniLM-L6-v2 against sentence-transformers / transformers golden outputs.
@Suite("MiniLM parity", .enabled(if: FixturePaths.miniLM != nil, Comment(rawValue: miniLMMissing)))
struct MiniLMParityTests {
    struct Sentences: Decodable { let sentences: [String]; let dimension: Int; let batch_size: Int }
    struct Hidden: Decodable { let ids: [Int32]; let layers: [Int]; let tokens: Int; let hidden: Int }

    @Test("40 sentences (1 to 256 tokens) within 1e-5 of sentence-transformers, cosine ≥ 0.99999")
    func embeddings() throws {
        let dir = try #require(FixturePaths.miniLM)
        let meta = try JSONDecoder().decode(Sentences.self, from: Data(contentsOf:
            EncoderFixtures.directory.appendingPathComponent("minilm_sentences.json")))
        let ref = try EncoderFixtures.rows(EncoderFixtures.directory.appendingPathComponent("minilm_embeddings.f32"),
                                           dimension: meta.dimension)
        let encoder = try DualEncoder(modelDirectory: dir, options: .init(batchSize: meta.batch_size, threads: 2))
        #expect(encoder.dimension == 384)
        #expect(encoder.metric == .cosine)
        #expect(encoder.maxPassageLength == 256)
        let got = try encoder.encodePassages(meta.sentences)
        let q = try encoder.encodeQueries(meta.sentences)
        var worst: Float = 0, worstCos: Float = 1
        for (i, (a, b)) in zip(got, ref).enumerated() {
            worst = max(worst, EncoderFixtures.maxAbsDiff(a, b))
            worstCos = min(worstCos, EncoderFixtures.cosine(a, b))
            #expect(EncoderFixtures.maxAbsDiff(a, q[i]) < 1e-6)   // same tower; BLAS threading may reorder sums
        }
        #expect(worst < 1e-5, "max abs diff \(worst)")
        #expect(worstCos >= 0.99999, "min cosine \(worstCos)")
    }

    @Test("hidden states of the embedding layer, layer 1 and layer 6 for one sentence")
    func hiddenStates() throws {
        let dir = try #require(FixturePaths.miniLM)
        let meta = try JSONDecoder().decode(Hidden.self, from: Data(contentsOf:
            EncoderFixtures.directory.appendingPathComponent("minilm_hidden.json")))
        let ref = try EncoderFixtures.rows(EncoderFixtures.directory.appendingPathComponent("minilm_hidden.f32"),
                                           dimension: meta.tokens * meta.hidden)
        let encoder = try DualEncoder(modelDirectory: dir)
        #expect(encoder.tokenize("The quick brown fox jumps over the lazy dog.") == meta.ids)
        let ws = Workspace(hidden: meta.hidden, intermediate: encoder.passageTower.model.config.intermediateSize)
        for (k, layer) in meta.layers.enumerated() {
            encoder.passageTower.model.forward([meta.ids], workspace: ws, layerLimit: layer)
            let got = Array(UnsafeBufferPointer(start: ws.x, count: meta.tokens * meta.hidden))
            let diff = EncoderFixtures.maxAbsDiff(got, ref[k])
            #expect(diff < 1e-4, "layer \(layer): max abs diff \(diff)")
        }
    }

    @Test("empty, whitespace-only and 1 MB inputs give finite unit vectors")
    func awkwardInputs() throws {
        let dir = try #require(FixturePaths.miniLM)
        let encoder = try DualEncoder(modelDirectory: dir)
        let big = String(repeating: "lorem ipsum dolor sit amet ", count: 40_000)   // ~1 MB
        let v = try encoder.encodePassages(["", "   \t\n ", big, "\u{FFFD}\u{0}"])
        #expect(v.count == 4)
        for x in v {
            #expect(x.allSatisfy { $0.isFinite })
            #expect(abs(x.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
        }
        #expect(encoder.tokenize(big).count == 256)
        let none = try encoder.encodeQueries([])
        #expect(none.isEmpty)
    }
}

/// What `i3 serve` relies on when it encodes waiting queries together: a query's vector does not depend on
/// the other queries of its batch.
@Suite("MiniLM batch independence", .enabled(if: FixturePaths.miniLM != nil, Comment(rawValue: "all-MiniLM-L6-v2 not installed")))
struct MiniLMBatchIndependenceTests {
    @Test func aQueryEncodedInABatchEqualsItEncodedAlone() throws {
        let dir = try #require(FixturePaths.miniLM)
        let encoder = try DualEncoder(modelDirectory: dir, options: .init(batchSize: 16, threads: 1))
        let queries = ["what is a heron", "a tool for cutting wood", "the largest planet of the solar system",
                       "to move quickly on foot", "music", "a small boat rowed with oars on a lake or a river",
                       "colour of the sky at noon", "an animal that carries its house on its back"]
        let together = try encoder.encodeQueries(queries)
        var worst: Float = 0, identical = 0
        for (q, v) in zip(queries, together) {
            let alone = try encoder.encodeQueries([q])[0]
            worst = max(worst, EncoderFixtures.maxAbsDiff(alone, v))
            if alone == v { identical += 1 }
        }
        // The batch is under `BertKernels.smallRowLimit` tokens, so every dense layer runs on the
        // row-independent kernel and attention is per sequence: the vectors are the same bit for bit.
        #expect(worst == 0, "max abs diff \(worst)")
        #expect(identical == queries.count)
        print("MiniLMBatchIndependence: \(identical) of \(queries.count) queries bit-identical, max abs diff \(worst)")
    }
}
