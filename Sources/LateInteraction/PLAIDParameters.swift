import Foundation
import IndexCore

/// How a PLAID-style index is built (colbert-ai names in brackets).
public struct PLAIDBuildParameters: Sendable, Equatable, Codable {
    /// Residual bits per component (`nbits`): 1, 2 or 4.
    public var bits: Int = 2
    /// Number of centroids; nil = ColBERTv2's rule `2^floor(log2(16·√tokens))`, capped at the training tokens.
    public var centroids: Int? = nil
    /// k-means iterations (`kmeans_niters`, 4).
    public var kmeansIterations: Int = 4
    /// Seed of the passage sample, the k-means seeding and the bucket sample.
    public var seed: UInt64 = 123
    /// Threads for k-means and assignment (0 = all cores; the index does not depend on it).
    public var threads: Int = 0
    /// Residual vectors the bucket quantiles are taken from (ColBERT: 5% of the sample, at most 50k).
    public var bucketSampleTokens: Int = 50_000

    public init(bits: Int = 2, centroids: Int? = nil, kmeansIterations: Int = 4, seed: UInt64 = 123, threads: Int = 0,
                bucketSampleTokens: Int = 50_000) {
        self.bits = bits
        self.centroids = centroids
        self.kmeansIterations = kmeansIterations
        self.seed = seed
        self.threads = threads
        self.bucketSampleTokens = bucketSampleTokens
    }

    /// ColBERTv2's centroid count for `tokens` token vectors: `2^floor(log2(16·√tokens))`.
    public static func centroidRule(tokens: Int) -> Int {
        guard tokens > 0 else { return 1 }
        let target = 16 * Double(tokens).squareRoot()
        return 1 << Int(max(0, floor(log2(target))))
    }

    /// ColBERT's k-means sample size in passages: `16·√(120·passages)` (all passages when fewer).
    public static func samplePassages(passages: Int) -> Int {
        min(passages, Int(16 * (120 * Double(passages)).squareRoot()))
    }

    func validate() throws {
        guard ResidualCodec.supportedBits.contains(bits) else {
            throw IndexError.invalidParameter(name: "bits", reason: "\(bits) is not 1, 2 or 4")
        }
        if let c = centroids, c < 1 { throw IndexError.invalidParameter(name: "centroids", reason: "\(c) is below 1") }
        guard kmeansIterations >= 1 else {
            throw IndexError.invalidParameter(name: "kmeansIterations", reason: "\(kmeansIterations) is below 1")
        }
        guard bucketSampleTokens >= 1, threads >= 0 else {
            throw IndexError.invalidParameter(name: "bucketSampleTokens/threads", reason: "out of range")
        }
    }
}

/// How a PLAID-style index is searched (PLAID Table 2 names).
public struct PLAIDSearchParameters: Sendable, Equatable, Codable {
    /// Centroids probed per query vector (`ncells`).
    public var nprobe: Int
    /// Centroid score threshold of the pruned centroid interaction (`centroid_score_threshold`, t_cs).
    public var centroidScoreThreshold: Float
    /// Passages kept after the pruned centroid interaction (`ndocs`); the unpruned one keeps `ndocs/4`.
    public var ndocs: Int

    public init(nprobe: Int, centroidScoreThreshold: Float, ndocs: Int) {
        self.nprobe = nprobe
        self.centroidScoreThreshold = centroidScoreThreshold
        self.ndocs = ndocs
    }

    /// PLAID's defaults per k (colbert-ai `searcher.py`): k ≤ 10: (1, 0.5, 256); k ≤ 100: (2, 0.45, 1024);
    /// otherwise (4, 0.4, max(4k, 4096)).
    public static func defaults(k: Int) -> PLAIDSearchParameters {
        if k <= 10 { return .init(nprobe: 1, centroidScoreThreshold: 0.5, ndocs: 256) }
        if k <= 100 { return .init(nprobe: 2, centroidScoreThreshold: 0.45, ndocs: 1024) }
        return .init(nprobe: 4, centroidScoreThreshold: 0.4, ndocs: max(4 * k, 4096))
    }

    /// Probes every centroid and prunes nothing: the final stage scores every passage.
    public static func exhaustive(centroids: Int, passages: Int) -> PLAIDSearchParameters {
        .init(nprobe: centroids, centroidScoreThreshold: -.infinity, ndocs: max(1, 4 * passages))
    }

    func validate() throws {
        guard nprobe >= 1, ndocs >= 1, !centroidScoreThreshold.isNaN else {
            throw IndexError.invalidParameter(name: "search", reason: "nprobe and ndocs must be at least 1, t_cs a number")
        }
    }
}
