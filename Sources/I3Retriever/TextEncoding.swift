import DataSets
import Foundation
import IndexCore
import VectorKernels

/// What the retriever needs from a text encoder: the real dual encoder (`DualEncoder`) conforms, and
/// tests use a small deterministic one (`HashedBagOfWordsEncoder`).
public protocol TextEncoding: Sendable {
    /// Vector length.
    var dimension: Int { get }
    /// How query and passage vectors are compared (the metric of an index over them).
    var metric: Metric { get }
    /// A stable fingerprint of the model (weights hash, plus head): an index records it and refuses
    /// another encoder.
    var identity: String { get }
    /// A short human-readable name (for messages and metadata).
    var displayName: String { get }
    /// One vector per query.
    func encodeQueries(_ texts: [String]) throws -> [[Float]]
    /// One vector per passage.
    func encodePassages(_ texts: [String]) throws -> [[Float]]
}

/// A deterministic bag-of-words encoder for tests and for machines without a model: each lower-cased
/// alphanumeric token adds a weight in ±[0.5, 1.5] (sign and size from its FNV-1a hash, so that
/// exact score ties are rare) to one of `dimension` buckets; vectors are L2-normalised and compared
/// by cosine. It is lexical, not semantic, but exact and fast.
public struct HashedBagOfWordsEncoder: TextEncoding {
    public let dimension: Int
    public var metric: Metric { .cosine }
    public var identity: String { "hashed-bow-\(dimension)-v2" }
    public var displayName: String { "hashed bag of words (\(dimension)-d)" }

    public init(dimension: Int = 256) throws {
        guard dimension > 0 else { throw RetrieverError.invalidArgument("encoder dimension must be positive, got \(dimension)") }
        self.dimension = dimension
    }

    /// The vector of one text.
    public func encode(_ text: String) -> [Float] {
        var v = [Float](repeating: 0, count: dimension)
        for token in text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
            let h = FNV1a.hash64(String(token))
            let weight = 0.5 + Float((h >> 40) & 0xFFFF) / 65535
            v[Int(h % UInt64(dimension))] += (h >> 63) == 0 ? weight : -weight
        }
        if v.allSatisfy({ $0 == 0 }) { v[0] = 1 }
        return Normalization.normalized(v)
    }

    public func encodeQueries(_ texts: [String]) throws -> [[Float]] { texts.map(encode) }
    public func encodePassages(_ texts: [String]) throws -> [[Float]] { texts.map(encode) }
}
