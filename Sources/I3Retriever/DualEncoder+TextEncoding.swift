import Foundation
import I3Encoder

/// The real dual encoder serves the retriever directly.
extension DualEncoder: TextEncoding {
    public var displayName: String { "dual encoder \(identity.prefix(12)) (\(dimension)-d, \(metric.rawValue))" }
}
