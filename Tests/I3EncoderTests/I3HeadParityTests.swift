import Foundation
import Testing
import TestSupport
@testable import I3Encoder

/// The tiny random I^3 checkpoint against HF BertModel + BertLayer(cross-attention) references.
@Suite("I^3 checkpoint parity (tiny random weights)")
struct I3HeadParityTests {
    @Test("full lm_q/lm_p/c_head/d_head checkpoint: query and passage vectors within 1e-4")
    func fullCheckpoint() throws {
        let dir = EncoderFixtures.tinyI3
        let texts = try EncoderFixtures.tinyTexts()
        let encoder = try DualEncoder(i3Checkpoint: dir.appendingPathComponent("model.safetensors"),
                                      vocabulary: dir.appendingPathComponent("vocab.txt"),
                                      options: .init(batchSize: 3, threads: 2))
        #expect(encoder.dimension == 64)
        #expect(encoder.metric == .innerProduct)
        #expect(encoder.maxQueryLength == 16 && encoder.maxPassageLength == 48)
        let q = try encoder.encodeQueries(texts.queries)
        let p = try encoder.encodePassages(texts.passages)
        let refQ = try EncoderFixtures.rows(dir.appendingPathComponent("query_vectors.f32"), dimension: 64)
        let refP = try EncoderFixtures.rows(dir.appendingPathComponent("passage_vectors.f32"), dimension: 64)
        #expect(q.count == refQ.count && p.count == refP.count)
        for (a, b) in zip(q, refQ) { #expect(EncoderFixtures.maxAbsDiff(a, b) < 1e-4) }
        for (a, b) in zip(p, refP) { #expect(EncoderFixtures.maxAbsDiff(a, b) < 1e-4) }
    }

    @Test("sentence-transformers directory + separate head file: same passage vectors")
    func directoryWithHead() throws {
        let dir = EncoderFixtures.tinyI3
        let texts = try EncoderFixtures.tinyTexts()
        let encoder = try DualEncoder(modelDirectory: dir.appendingPathComponent("st"),
                                      head: dir.appendingPathComponent("head.safetensors"),
                                      options: .init(batchSize: 4, threads: 1))
        let p = try encoder.encodePassages(texts.passages)
        let refP = try EncoderFixtures.rows(dir.appendingPathComponent("passage_vectors.f32"), dimension: 64)
        for (a, b) in zip(p, refP) { #expect(EncoderFixtures.maxAbsDiff(a, b) < 1e-4) }
        // the query side is the same tower with CLS pooling and no head
        let q = try encoder.encodeQueries(texts.queries)
        let refQ = try EncoderFixtures.rows(dir.appendingPathComponent("st_query_vectors.f32"), dimension: 64)
        for (a, b) in zip(q, refQ) { #expect(EncoderFixtures.maxAbsDiff(a, b) < 1e-4) }
        #expect(encoder.metric == .innerProduct)

        let plain = try DualEncoder(modelDirectory: dir.appendingPathComponent("st"))
        let h = try plain.encodePassages(texts.passages)
        let refH = try EncoderFixtures.rows(dir.appendingPathComponent("passage_cls.f32"), dimension: 64)
        for (a, b) in zip(h, refH) { #expect(EncoderFixtures.maxAbsDiff(a, b) < 1e-4) }
        #expect(plain.identity != encoder.identity)
    }

    @Test("results do not depend on batch size or thread count")
    func batchingInvariance() throws {
        let dir = EncoderFixtures.tinyI3
        let texts = try EncoderFixtures.tinyTexts()
        let url = dir.appendingPathComponent("model.safetensors"), vocab = dir.appendingPathComponent("vocab.txt")
        let a = try DualEncoder(i3Checkpoint: url, vocabulary: vocab, options: .init(batchSize: 1, threads: 1))
        let b = try DualEncoder(i3Checkpoint: url, vocabulary: vocab, options: .init(batchSize: 64, threads: 2))
        let pa = try a.encodePassages(texts.passages), pb = try b.encodePassages(texts.passages)
        for (x, y) in zip(pa, pb) { #expect(EncoderFixtures.maxAbsDiff(x, y) < 1e-5) }
        #expect(a.identity == b.identity)
        #expect(a.identity.count == 32)
    }
}
