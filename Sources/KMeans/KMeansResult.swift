/// Trained centroids and how training went.
public struct KMeansResult: Sendable {
    /// `clusters × dimension` floats, row-major.
    public let centroids: [Float]
    /// Components per centroid.
    public let dimension: Int
    /// Sum of squared distances of the training points to their nearest centroid after the last update
    /// (measured in the last assignment step).
    public let inertia: Double
    /// Iterations actually run.
    public let iterations: Int

    /// Number of centroids.
    public var clusters: Int { dimension > 0 ? centroids.count / dimension : 0 }

    public init(centroids: [Float], dimension: Int, inertia: Double, iterations: Int) {
        self.centroids = centroids
        self.dimension = dimension
        self.inertia = inertia
        self.iterations = iterations
    }

    /// The nearest centroid (squared L2) of each row of `vectors` (row-major, `dimension` floats each;
    /// a trailing partial row is ignored). Ties go to the lower centroid index.
    public func assign(_ vectors: [Float]) -> [Int32] {
        NearestCentroids(centroids: centroids, dimension: dimension).assign(vectors, threads: 1).labels
    }
}
