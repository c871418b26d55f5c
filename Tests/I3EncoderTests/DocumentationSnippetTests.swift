import Foundation
import Testing
import TestSupport
import I3Encoder

/// The API example of docs/encoder.md, run against the tiny fixture model (so it cannot drift).
@Suite("docs/encoder.md snippet")
struct DocumentationSnippetTests {
    @Test func apiSnippetCompilesAndRuns() throws {
        let dir = EncoderFixtures.tinyI3
        // (1) a sentence-transformers directory, optionally with an I^3 head on passages
        let enc = try DualEncoder(modelDirectory: dir.appendingPathComponent("st"),
                                  head: dir.appendingPathComponent("head.safetensors"),
                                  options: EncoderOptions(batchSize: 32, threads: 0))
        // (2) a full I^3 checkpoint converted to safetensors
        let i3 = try DualEncoder(i3Checkpoint: dir.appendingPathComponent("model.safetensors"),
                                 vocabulary: dir.appendingPathComponent("vocab.txt"))
        let q = try enc.encodeQueries(["what is a dog"])
        let p = try enc.encodePassages(["A dog is an animal."])
        #expect(q.count == 1 && p.count == 1 && q[0].count == enc.dimension)
        #expect(enc.metric == .innerProduct && i3.metric == .innerProduct)
        #expect(enc.identity != i3.identity)
        #expect(enc.tokenize("what is a dog").first == 2)        // [CLS] of the tiny vocabulary
        #expect(i3.tokenizeQuery(String(repeating: "dog ", count: 100)).count == i3.maxQueryLength)
    }
}
