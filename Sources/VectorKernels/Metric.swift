import Foundation

/// How two vectors are compared. Every index reports a *score* where higher means more similar:
/// the inner product, the cosine similarity, or the **negated** squared Euclidean distance.
public enum Metric: String, Codable, Sendable, CaseIterable {
    /// Inner product (maximum inner-product search).
    case innerProduct = "ip"
    /// Cosine similarity: vectors are L2-normalised on insert and on query, then compared by inner product.
    case cosine
    /// Squared Euclidean distance; the score is `-‖a − b‖²`.
    case l2

    /// Parses the names used in `metric.txt` and on the command line: `ip`, `cosine`, `l2`
    /// (also `angular`, `inner_product`, `euclidean`).
    public init?(name: String) {
        switch name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "ip", "inner_product", "innerproduct", "dot": self = .innerProduct
        case "cosine", "angular", "cos": self = .cosine
        case "l2", "euclidean", "squared_l2": self = .l2
        default: return nil
        }
    }

    /// The score of `b` against the query `a` (both `n` floats; for cosine both must already be normalised).
    @inlinable
    public func score(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) -> Float {
        switch self {
        case .innerProduct, .cosine: return Distances.dot(a, b, count: n)
        case .l2: return -Distances.l2Squared(a, b, count: n)
        }
    }
}
