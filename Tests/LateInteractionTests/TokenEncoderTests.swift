import Foundation
import I3Encoder
import Testing
import TestSupport
import VectorKernels
@testable import LateInteraction

/// The encoder's per-token output, on the tiny sentence-transformers fixture (always present) and,
/// when installed, all-MiniLM-L6-v2.
@Suite struct TokenEncoderTests {
    static var tiny: URL { FixturePaths.root.appendingPathComponent("encoder/i3_tiny/st") }
    static let long = String(repeating: "the quick brown fox jumps over the lazy dog , again ! ", count: 12)

    /// A query longer than the limit is truncated exactly as the encoder's own query tokenisation
    /// (same ids, [SEP] last), with and without [MASK] expansion.
    @Test func longQueriesAreTruncatedLikeTheEncoder() throws {
        let encoder = try DualEncoder(modelDirectory: Self.tiny, options: .init(threads: 1, maxQueryLength: 32))
        let options = TokenVectorOptions(queryLength: 32)
        let (ids, real) = try encoder.queryTokenIDs(Self.long, options: options)
        #expect(ids == encoder.tokenizeQuery(Self.long))
        #expect(ids.count == 32 && real == 32)
        let tokens = try encoder.encodeQueryTokens([Self.long, "fox"], options: options)
        #expect(tokens.tokenCount(of: 0) == 32)
        #expect(tokens.tokenCount(of: 1) == encoder.tokenizeQuery("fox").count)
        let expanded = try encoder.encodeQueryTokens(["fox"], options: .init(queryLength: 32, expandQueries: true))
        #expect(expanded.tokenCount(of: 0) == 32)
        // real tokens do not attend to the [MASK]s, so their vectors are those of the unexpanded query
        let plain = Array(tokens.tokens(of: 1)), first = Array(expanded.tokens(of: 0).prefix(plain.count))
        #expect(zip(plain, first).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(throws: EncoderError.self) { try encoder.queryTokenIDs("x", options: .init(queryLength: 1)) }
    }

    /// Passages: punctuation dropped, [CLS]/[SEP] kept, every vector unit length, and the pooled
    /// vectors equal `encodePassages` (one forward pass gives both).
    @Test func passageTokensDropPunctuationAndShareTheForwardPass() throws {
        let encoder = try DualEncoder(modelDirectory: Self.tiny, options: .init(batchSize: 2, threads: 2))
        let texts = ["the fox , jumps !", "dog.", Self.long, "again"]
        let tokens = try encoder.encodePassageTokens(texts)
        let punctuation = encoder.punctuationIDs
        #expect(!punctuation.isEmpty)
        for (i, t) in texts.enumerated() {
            let ids = encoder.tokenize(t)
            #expect(tokens.tokenCount(of: i) == ids.filter { !punctuation.contains($0) }.count)
        }
        for r in 0..<tokens.tokenCount {
            let v = Array(tokens.vectors[(r * tokens.dimension)..<((r + 1) * tokens.dimension)])
            #expect(abs(Normalization.norm(v, count: v.count) - 1) < 1e-5)
        }
        let dense = try encoder.encodePassages(texts).flatMap { $0 }
        let pooled = try #require(tokens.pooled)
        #expect(zip(dense, pooled).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test(.enabled(if: FixturePaths.miniLM != nil, "all-MiniLM-L6-v2 not installed"))
    func miniLMTokenVectorsRankTheirOwnPassageFirst() throws {
        let dir = try #require(FixturePaths.miniLM)
        let encoder = try DualEncoder(modelDirectory: dir, options: .init(threads: 2))
        let passages = ["A cat is a small domesticated carnivorous mammal.", "Paris is the capital of France.",
                        "The mitochondrion is the powerhouse of the cell."]
        let p = try encoder.encodePassageTokens(passages)
        let store = try TokenStore(vectors: p.vectors, offsets: p.offsets, ids: [10, 20, 30], dimension: 384, precision: .float16)
        let q = try encoder.encodeQueryTokens(["what is the capital of france"])
        let top = try ExactMaxSim(store: store).search(QueryTokens(vectors: q.vectors, dimension: 384), k: 3)
        #expect(top.first?.id == 20)
    }
}
