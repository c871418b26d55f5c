import Foundation

/// A WordPiece vocabulary: one token per line of `vocab.txt`, the line number is the id.
///
/// Mirrors `transformers.models.bert.tokenization_bert.load_vocab`: lines are stripped of their
/// trailing newline only, and a repeated token keeps its last line number.
public struct Vocabulary: Sendable {
    /// Token string to id.
    public let ids: [String: Int32]
    /// Id to token string.
    public let tokens: [String]
    /// Length in Unicode scalars of the longest entry (bounds the WordPiece search).
    public let longestTokenLength: Int
    /// Where the vocabulary came from (for error messages).
    public let source: String

    /// Builds a vocabulary from tokens in id order.
    public init(tokens: [String], source: String = "<memory>") throws {
        guard !tokens.isEmpty else { throw TokenizerError.emptyVocabulary(path: source) }
        guard tokens.count < Int(Int32.max) else { throw TokenizerError.vocabularyTooLarge(count: tokens.count) }
        var ids = [String: Int32](minimumCapacity: tokens.count)
        var longest = 0
        for (i, t) in tokens.enumerated() {
            ids[t] = Int32(i)
            longest = max(longest, t.unicodeScalars.count)
        }
        self.ids = ids
        self.tokens = tokens
        self.longestTokenLength = longest
        self.source = source
    }

    /// Reads `vocab.txt` (UTF-8, one token per line).
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError.unreadableVocabulary(path: url.path, reason: error.localizedDescription)
        }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        if lines.last == "" { lines.removeLast() }
        try self.init(tokens: lines, source: url.path)
    }

    /// The id of `token`, or nil.
    public func id(_ token: String) -> Int32? { ids[token] }

    /// Number of tokens.
    public var count: Int { tokens.count }
}
