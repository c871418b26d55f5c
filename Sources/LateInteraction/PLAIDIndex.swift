import Foundation
import IndexCore
import KMeans
import VectorKernels

/// A PLAID-style compressed late-interaction index (Santhanam et al., CIKM 2022; ColBERTv2 residuals):
///
/// - spherical k-means centroids (stored float16), one centroid id per token (int32, as colbert-ai);
/// - per token a `bits`-bit residual code per component with global bucket cutoffs and weights;
/// - centroid → passage inverted lists (sorted unique passage positions, int32);
/// - search: centroid scores S = C·Qᵀ, candidates from each query vector's top-`nprobe` centroids,
///   pruned centroid interaction (centroids with max score ≥ t_cs; keep `ndocs`), full centroid
///   interaction (keep `ndocs/4`), then decompression of the survivors and exact MaxSim.
///
/// Immutable after `build`; safe to search from many threads.
public final class PLAIDIndex: Sendable {
    public let dimension: Int
    public let parameters: PLAIDBuildParameters
    public let codec: ResidualCodec
    /// Number of centroids K.
    public let centroidCount: Int
    /// `K × dimension`, unit length, float16-rounded (what is stored).
    let centroids: [Float]
    /// Centroid id of each token.
    let codes: [Int32]
    /// `tokens × bytesPerToken` packed residual codes.
    let residuals: [UInt8]
    /// External passage ids.
    public let ids: [UInt64]
    /// `passages + 1` token offsets.
    public let offsets: [Int]
    /// Concatenated inverted lists and their `K + 1` offsets.
    let ivf: [Int32]
    let ivfOffsets: [Int]

    public var passageCount: Int { ids.count }
    public var tokenCount: Int { offsets[offsets.count - 1] }
    /// Bytes per token of the payload: 4 (code) + residual bytes.
    public var payloadBytesPerToken: Int { 4 + codec.bytesPerToken(dimension: dimension) }

    init(dimension: Int, parameters: PLAIDBuildParameters, codec: ResidualCodec, centroids: [Float], codes: [Int32],
         residuals: [UInt8], ids: [UInt64], offsets: [Int], ivf: [Int32], ivfOffsets: [Int]) {
        self.dimension = dimension
        self.parameters = parameters
        self.codec = codec
        centroidCount = centroids.count / dimension
        self.centroids = centroids
        self.codes = codes
        self.residuals = residuals
        self.ids = ids
        self.offsets = offsets
        self.ivf = ivf
        self.ivfOffsets = ivfOffsets
    }

    /// Builds the index over the token vectors of `store` (decoded to float32 when stored as float16).
    /// - Throws: `IndexError.invalidParameter` for bad parameters, `.trainingFailed` for too few tokens;
    ///   k-means errors as `IndexError.trainingFailed`.
    public static func build(store: TokenStore, parameters: PLAIDBuildParameters = .init()) throws -> PLAIDIndex {
        try parameters.validate()
        let d = store.dimension
        guard (d * parameters.bits) % 8 == 0 else {
            throw IndexError.invalidParameter(name: "bits", reason: "\(d) components × \(parameters.bits) bits is not whole bytes")
        }
        let tokens = store.tokenCount, n = store.passageCount
        guard tokens >= 1 else { throw IndexError.trainingFailed("the store holds no token vectors") }
        let vectors = store.allVectors()
        var rng = SeededRandom(seed: parameters.seed)

        // 1. k-means sample: the tokens of 16·√(120·N) passages drawn without replacement
        let samplePassages = PLAIDBuildParameters.samplePassages(passages: n)
        var order = Array(0..<n)
        order.shuffle(using: &rng)
        var sample: [Float] = []
        for p in order.prefix(max(1, samplePassages)).sorted() {
            sample += vectors[(store.offsets[p] * d)..<(store.offsets[p + 1] * d)]
        }
        let sampleTokens = sample.count / d
        let k = min(parameters.centroids ?? PLAIDBuildParameters.centroidRule(tokens: tokens), max(1, sampleTokens))
        var config = KMeansConfiguration(clusters: k, iterations: parameters.kmeansIterations, tolerance: 0,
                                         seed: parameters.seed, spherical: true, threads: parameters.threads,
                                         seeding: .randomPoints)
        config.maxTrainingPoints = nil
        let trained: KMeansResult
        do { trained = try KMeans.train(sample, dimension: d, configuration: config) } catch {
            throw IndexError.trainingFailed("k-means: \(error)")
        }
        // stored as float16: use the rounded, re-normalised values from the start so a loaded index is the same
        var centroids = HalfPrecision.decode(HalfPrecision.encode(trained.centroids))
        centroids.withUnsafeMutableBufferPointer { c in
            guard let base = c.baseAddress else { return }
            for i in 0..<k { _ = Normalization.normalize(base + i * d, count: d) }
        }
        centroids = HalfPrecision.decode(HalfPrecision.encode(centroids))

        // 2. codes: nearest centroid (unit centroids: nearest by L2 = largest inner product)
        let codes = NearestCentroids(centroids: centroids, dimension: d).assign(vectors, threads: parameters.threads).labels

        // 3. buckets from the residuals of a seeded token sample
        let bucketTokens = min(tokens, parameters.bucketSampleTokens)
        var picks = Array(0..<tokens)
        if bucketTokens < tokens {
            for i in 0..<bucketTokens { picks.swapAt(i, i + Int(rng.next() % UInt64(tokens - i))) }
        }
        var res: [Float] = []
        res.reserveCapacity(bucketTokens * d)
        for t in picks.prefix(bucketTokens) {
            let c = Int(codes[t]) * d
            for j in 0..<d { res.append(vectors[t * d + j] - centroids[c + j]) }
        }
        let codec = try ResidualCodec.fit(residuals: res, bits: parameters.bits)

        // 4. residual codes of every token
        let bytes = codec.bytesPerToken(dimension: d)
        var residuals = [UInt8](repeating: 0, count: tokens * bytes)
        var r = [Float](repeating: 0, count: d)
        residuals.withUnsafeMutableBufferPointer { out in
            for t in 0..<tokens {
                let c = Int(codes[t]) * d
                for j in 0..<d { r[j] = vectors[t * d + j] - centroids[c + j] }
                r.withUnsafeBufferPointer { rb in
                    guard let rBase = rb.baseAddress, let outBase = out.baseAddress else { return }
                    codec.encode(rBase, dimension: d, into: outBase + t * bytes)
                }
            }
        }

        // 5. centroid → passage lists (passages visited in order, so each list is sorted and unique)
        let (ivf, ivfOffsets) = invertedLists(codes: codes, offsets: store.offsets, centroids: k)
        return PLAIDIndex(dimension: d, parameters: parameters, codec: codec, centroids: centroids, codes: codes,
                          residuals: residuals, ids: store.ids, offsets: store.offsets, ivf: ivf, ivfOffsets: ivfOffsets)
    }

    static func invertedLists(codes: [Int32], offsets: [Int], centroids k: Int) -> ([Int32], [Int]) {
        var counts = [Int](repeating: 0, count: k)
        var seen = [Int32](repeating: -1, count: k)
        for p in 0..<(offsets.count - 1) {
            for t in offsets[p]..<offsets[p + 1] {
                let c = Int(codes[t])
                if seen[c] != Int32(p) { seen[c] = Int32(p); counts[c] += 1 }
            }
        }
        var starts = [0]
        for c in 0..<k { starts.append(starts[c] + counts[c]) }
        var fill = Array(starts.dropLast())
        var lists = [Int32](repeating: 0, count: starts[k])
        seen = [Int32](repeating: -1, count: k)
        for p in 0..<(offsets.count - 1) {
            for t in offsets[p]..<offsets[p + 1] {
                let c = Int(codes[t])
                if seen[c] != Int32(p) { seen[c] = Int32(p); lists[fill[c]] = Int32(p); fill[c] += 1 }
            }
        }
        return (lists, starts)
    }

    /// The decompressed (approximate) token vectors of passage `p`, float32, unit length.
    public func decompressed(passage p: Int) -> [Float] {
        let lo = offsets[p], n = offsets[p + 1] - lo
        var out = [Float](repeating: 0, count: n * dimension)
        out.withUnsafeMutableBufferPointer { o in
            guard let base = o.baseAddress else { return }   // a passage without tokens
            PLAIDKernels.decompress(self, tokens: lo, count: n, into: base)
        }
        return out
    }

    /// The `k` best passages for `query`, best first. `parameters` default to PLAID's for `k`.
    public func search(_ query: QueryTokens, k: Int, parameters: PLAIDSearchParameters? = nil) throws -> [Neighbor] {
        guard query.dimension == dimension else { throw IndexError.dimensionMismatch(expected: dimension, got: query.dimension) }
        guard k >= 1 else { throw IndexError.invalidK(k) }
        let sp = parameters ?? .defaults(k: k)
        try sp.validate()
        return PLAIDKernels.search(self, query: query, k: k, parameters: sp)
    }
}
