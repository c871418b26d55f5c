/// Settings of an IVF-PQ index, fixed at creation and stored with it.
///
/// Training defaults follow faiss `IndexIVFPQ` (coarse k-means: 10 iterations on at most 256 points per
/// list, spherical for inner product; PQ k-means: 25 iterations on at most 256 × 256 residuals, random
/// seeding), so recall matches faiss with the same `nlist`, `m` and data. See docs/ivfpq.md.
public struct IVFPQConfiguration: Codable, Sendable, Equatable {
    /// Number of inverted lists (coarse centroids).
    public var nlist: Int
    /// Number of sub-quantizers `m`; must divide the dimension. Bytes per code = `m`.
    public var subquantizers: Int
    /// Bits per sub-code. Only 8 (256 codewords, one byte) is supported.
    public var bitsPerCode = 8
    /// Learn an OPQ rotation (Ge et al. 2013) before quantizing.
    public var useOPQ = false
    /// Train on at most this many vectors of the sample given to `train` (seeded uniform sample); nil uses
    /// all, and the k-means steps still cap themselves at faiss's defaults (256 points per centroid).
    public var trainingSampleSize: Int? = nil
    /// Seed of every random choice in training.
    public var seed: UInt64 = 1234
    /// Keep each added vector in full precision for exact re-ranking (`SearchParameters.refineFactor`).
    public var keepFullVectors = true
    /// Coarse k-means iterations (faiss: 10).
    public var coarseIterations = 10
    /// PQ k-means iterations per sub-quantizer (faiss: 25).
    public var pqIterations = 25
    /// Threads for training and for encoding added vectors; 0 = one per active processor. Results do
    /// not depend on it.
    public var threads = 0

    public init(nlist: Int, subquantizers: Int, bitsPerCode: Int = 8, useOPQ: Bool = false,
                trainingSampleSize: Int? = nil, seed: UInt64 = 1234, keepFullVectors: Bool = true) {
        self.nlist = nlist
        self.subquantizers = subquantizers
        self.bitsPerCode = bitsPerCode
        self.useOPQ = useOPQ
        self.trainingSampleSize = trainingSampleSize
        self.seed = seed
        self.keepFullVectors = keepFullVectors
    }
}
