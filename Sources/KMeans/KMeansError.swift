/// Why k-means could not run, with the numbers needed to fix the call.
public enum KMeansError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `dimension` is not positive, or the buffer length is not a multiple of it.
    case badShape(count: Int, dimension: Int)
    /// Fewer training points than centroids.
    case tooFewPoints(points: Int, clusters: Int)
    /// A training value is NaN or infinite: point and component.
    case nonFinite(point: Int, component: Int)
    /// A setting is out of range.
    case invalidConfiguration(String)
    /// OpenBLAS could not be opened: why.
    case blasUnavailable(String)

    public var description: String {
        switch self {
        case let .badShape(c, d):
            return "k-means input of \(c) floats is not a whole number of \(d)-dimensional vectors"
        case let .tooFewPoints(p, k):
            return "k-means needs at least as many training points as centroids: \(p) points for \(k) centroids"
        case let .nonFinite(p, c):
            return "k-means input point \(p) has a NaN or infinite value at component \(c)"
        case let .invalidConfiguration(r):
            return "invalid k-means configuration: \(r)"
        case let .blasUnavailable(r):
            return "k-means needs BLAS: \(r)"
        }
    }
}
