import Foundation
import I3Encoder

/// The real dual encoder serves the retriever directly.
extension DualEncoder: TextEncoding {
    public var encoderSimilarity: EncoderSimilarity { similarity == .cosine ? .cosine : .dotProduct }
    public var displayName: String { "dual encoder \(identity.prefix(12)) (\(dimension)-d, \(similarity.rawValue))" }
}
