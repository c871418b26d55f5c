import Foundation
import Testing
import TestSupport
@testable import WordPieceTokenizer

/// Golden token ids from Hugging Face BertTokenizerFast / BertTokenizer (tools/generate_encoder_fixtures.py).
struct TokenFixture: Decodable {
    struct Case: Decodable { let text: String; let ids: [Int32]; let slow_ids: [Int32] }
    let max_length: Int
    let cases: [Case]

    static func load() throws -> TokenFixture {
        let url = FixturePaths.root.appendingPathComponent("encoder/tokens.json")
        return try JSONDecoder().decode(TokenFixture.self, from: Data(contentsOf: url))
    }
}

/// The MiniLM vocabulary, when the model is installed.
func miniLMTokenizer() throws -> BertTokenizer? {
    guard let dir = FixturePaths.miniLM else { return nil }
    return try BertTokenizer(vocabularyURL: dir.appendingPathComponent("vocab.txt"))
}

@Suite("WordPiece parity with Hugging Face")
struct TokenizerParityTests {
    @Test("all golden strings tokenize to the Hugging Face ids",
          .enabled(if: FixturePaths.miniLM != nil, "all-MiniLM-L6-v2 not installed: run scripts/install-deps.sh"))
    func goldenIDs() throws {
        let fixture = try TokenFixture.load()
        #expect(fixture.cases.count >= 100)
        let tokenizer = try #require(try miniLMTokenizer())
        var mismatches: [String] = []
        for c in fixture.cases {
            let ids = tokenizer.encode(c.text, maxLength: fixture.max_length)
            if ids != c.ids {
                mismatches.append("\(c.text.debugDescription.prefix(60)): got \(ids.prefix(20)) want \(c.ids.prefix(20))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.joined(separator: "\n"))")
    }

    @Test("the tiny I^3 vocabulary tokenizes its texts like Hugging Face")
    func tinyVocabulary() throws {
        struct Texts: Decodable {
            let queries: [String]; let passages: [String]
            let query_token_ids: [[Int32]]; let passage_token_ids: [[Int32]]
            let query_max_length: Int; let passage_max_length: Int
        }
        let dir = FixturePaths.root.appendingPathComponent("encoder/i3_tiny")
        let texts = try JSONDecoder().decode(Texts.self, from: Data(contentsOf: dir.appendingPathComponent("texts.json")))
        let tokenizer = try BertTokenizer(vocabularyURL: dir.appendingPathComponent("vocab.txt"))
        for (t, ids) in zip(texts.queries, texts.query_token_ids) {
            #expect(tokenizer.encode(t, maxLength: texts.query_max_length) == ids, "\(t)")
        }
        for (t, ids) in zip(texts.passages, texts.passage_token_ids) {
            #expect(tokenizer.encode(t, maxLength: texts.passage_max_length) == ids, "\(t)")
        }
    }
}

@Suite("WordPiece behaviour")
struct TokenizerBehaviourTests {
    func small() throws -> BertTokenizer {
        try BertTokenizer(vocabulary: Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
                                                        "un", "##aff", "##able", "a", "b", "!", "cafe"]))
    }

    @Test func greedyLongestMatchWithContinuations() throws {
        let t = try small()
        #expect(t.encode("unaffable") == [2, 5, 6, 7, 3])
        #expect(t.encode("unaffablex") == [2, 1, 3])          // unmatchable tail: whole word is [UNK]
        #expect(t.encode("a!b") == [2, 8, 10, 9, 3])
        #expect(t.encode("CAFÉ") == [2, 11, 3])
    }

    @Test func emptyAndWhitespaceGiveOnlySpecials() throws {
        let t = try small()
        #expect(t.encode("") == [2, 3])
        #expect(t.encode(" \t\n\u{00A0}\u{3000} ") == [2, 3])
        #expect(t.encode("\u{0}\u{FFFD}\u{7}") == [2, 3])
    }

    @Test func longWordsBecomeUnknown() throws {
        let t = try small()
        #expect(t.encode(String(repeating: "a", count: 101)) == [2, 1, 3])
    }

    @Test func truncationKeepsSeparator() throws {
        let t = try small()
        let ids = t.encode(String(repeating: "a ", count: 1_000_000), maxLength: 8)
        #expect(ids == [2, 8, 8, 8, 8, 8, 8, 3])
    }

    @Test func batchPadsWithMask() throws {
        let t = try small()
        let b = t.encodeBatch(["a", "a b a"])
        #expect(b.columns == 5)
        #expect(b.ids == [2, 8, 3, 0, 0, 2, 8, 9, 8, 3])
        #expect(b.attentionMask == [1, 1, 1, 0, 0, 1, 1, 1, 1, 1])
        #expect(b.sequence(0) == [2, 8, 3])
    }

    @Test func vocabularyWithoutUnknownIsAnError() throws {
        #expect(throws: TokenizerError.missingSpecialToken(token: "[UNK]", path: "<memory>")) {
            try BertTokenizer(vocabulary: Vocabulary(tokens: ["[PAD]", "[CLS]", "[SEP]", "a"]))
        }
        #expect(throws: TokenizerError.self) { try Vocabulary(tokens: []) }
    }
}
