import Foundation

/// Errors raised while loading a WordPiece vocabulary.
public enum TokenizerError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The vocabulary file could not be read.
    case unreadableVocabulary(path: String, reason: String)
    /// The vocabulary has no entries.
    case emptyVocabulary(path: String)
    /// A special token the tokenizer needs (for example `[UNK]`) is missing from the vocabulary.
    case missingSpecialToken(token: String, path: String)
    /// The vocabulary has more entries than an `Int32` id can address.
    case vocabularyTooLarge(count: Int)

    public var description: String {
        switch self {
        case let .unreadableVocabulary(path, reason): "cannot read vocabulary \(path): \(reason)"
        case let .emptyVocabulary(path): "vocabulary \(path) is empty"
        case let .missingSpecialToken(token, path): "vocabulary \(path) has no \(token) token"
        case let .vocabularyTooLarge(count): "vocabulary has \(count) entries, more than Int32 ids allow"
        }
    }
}
