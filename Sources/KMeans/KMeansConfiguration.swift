/// How initial centroids are chosen.
public enum KMeansSeeding: String, Codable, Sendable {
    /// k-means++ (Arthur & Vassilvitskii 2007): each next centroid is drawn with probability proportional
    /// to its squared distance from the nearest centroid chosen so far. Costs `clusters` passes over the
    /// training points (O(n·k·d)); better starting points, fewer empty clusters.
    case kMeansPlusPlus
    /// `clusters` distinct training points drawn uniformly (what faiss `Clustering` does). One pass; use
    /// it for large `clusters` (coarse quantizers) where k-means++ would cost as much as the iterations.
    case randomPoints
}

/// Settings of one k-means run. The defaults follow faiss `ClusteringParameters` where they apply.
public struct KMeansConfiguration: Codable, Sendable {
    /// Number of centroids `k` (≥ 1).
    public var clusters: Int
    /// Lloyd iterations at most (≥ 1).
    public var iterations = 20
    /// Stop early when the relative decrease of the inertia in one iteration is below this; 0 runs all
    /// `iterations` (faiss behaviour).
    public var tolerance: Float = 1e-4
    /// Seed of the sampling, seeding and empty-cluster repair: same seed (and data) → same centroids.
    public var seed: UInt64 = 1234
    /// Spherical k-means for cosine / inner product: centroids are L2-normalised after every update,
    /// so the nearest centroid by L2 is the one of largest inner product.
    public var spherical = false
    /// When the input has more points than this, train on a seeded uniform sample of this many
    /// (faiss samples `256 × clusters` by default); nil uses every point.
    public var maxTrainingPoints: Int? = nil
    /// Worker threads for the assignment step; 0 = one per active processor. The result does not
    /// depend on it (work is split in fixed blocks and reduced in block order).
    public var threads = 0
    /// How the first centroids are chosen.
    public var seeding: KMeansSeeding = .kMeansPlusPlus
    /// Start from these centroids (`clusters × dimension`) instead of seeding ("hot start", as faiss
    /// does when OPQ re-trains its product quantizer every iteration).
    public var initialCentroids: [Float]? = nil

    /// `clusters` centroids with the other settings at their defaults.
    public init(clusters: Int, iterations: Int = 20, tolerance: Float = 1e-4, seed: UInt64 = 1234,
                spherical: Bool = false, maxTrainingPoints: Int? = nil, threads: Int = 0,
                seeding: KMeansSeeding = .kMeansPlusPlus) {
        self.clusters = clusters
        self.iterations = iterations
        self.tolerance = tolerance
        self.seed = seed
        self.spherical = spherical
        self.maxTrainingPoints = maxTrainingPoints
        self.threads = threads
        self.seeding = seeding
    }
}
