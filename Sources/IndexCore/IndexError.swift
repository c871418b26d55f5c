import VectorKernels
/// Errors every index reports, with the context needed to act on them.
public enum IndexError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A vector or query has `got` components where the index holds `expected`.
    case dimensionMismatch(expected: Int, got: Int)
    /// A row-major buffer of `floats` values does not hold a whole number of `dimension`-component
    /// vectors (or holds none).
    case incompleteVectors(floats: Int, dimension: Int)
    /// A vector or query holds NaN or ±infinity at `component`.
    case nonFiniteComponent(component: Int)
    /// `k` must be at least 1.
    case invalidK(Int)
    /// A parameter is out of range: name and why.
    case invalidParameter(name: String, reason: String)
    /// The id is not in the index (or is deleted).
    case unknownID(UInt64)
    /// The index needs training (for example IVF-PQ) before vectors can be added or searched.
    case notTrained
    /// Training input is unusable: why.
    case trainingFailed(String)
    /// A stored index was made with a different metric than the caller expects.
    case metricMismatch(expected: Metric, stored: Metric)
    /// A stored index is not the kind the caller opened (for example an IVF-PQ directory opened as HNSW).
    case kindMismatch(expected: String, stored: String)
    /// A stored index is inconsistent: file and what is wrong.
    case corrupt(path: String, reason: String)
    /// The index cannot hold more vectors.
    case capacityExceeded(Int)
    /// A stored index is in a format this version cannot read (older or newer): where, and how to rebuild it.
    case unsupportedFormat(path: String, reason: String)

    public var description: String {
        switch self {
        case let .dimensionMismatch(e, g): return "dimension mismatch: the index holds \(e)-dimensional vectors, got \(g)"
        case let .incompleteVectors(f, d):
            return "\(f) floats are not a whole, non-zero number of \(d)-dimensional vectors"
        case let .nonFiniteComponent(c): return "vector component \(c) is NaN or infinite"
        case let .invalidK(k): return "k must be at least 1, got \(k)"
        case let .invalidParameter(n, r): return "invalid parameter \(n): \(r)"
        case let .unknownID(id): return "id \(id) is not in the index"
        case .notTrained: return "the index is not trained: call train(...) first"
        case let .trainingFailed(r): return "training failed: \(r)"
        case let .metricMismatch(e, s): return "metric mismatch: expected \(e.rawValue), the stored index uses \(s.rawValue)"
        case let .kindMismatch(e, s): return "index kind mismatch: expected \(e), found \(s)"
        case let .corrupt(p, r): return "corrupt index at \(p): \(r)"
        case let .capacityExceeded(n): return "index capacity of \(n) vectors exceeded"
        case let .unsupportedFormat(p, r): return "unsupported index format at \(p): \(r)"
        }
    }
}
