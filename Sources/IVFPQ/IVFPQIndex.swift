import CBLAS
import Foundation
import IndexCore
import KMeans
import VectorKernels

/// An inverted-file index with product-quantized residuals (IVF-PQ, Jégou et al. 2011; faiss
/// `IndexIVFPQ` with `by_residual`): vectors are grouped into `nlist` lists by a coarse quantizer and
/// stored as `m`-byte PQ codes of their residual to the list centroid. A search probes `nprobe` lists,
/// scores codes by asymmetric distance computation and optionally re-ranks the best `k × refineFactor`
/// exactly with the full vectors.
///
/// Composition: `CoarseQuantizer` + `ProductQuantizer` (+ `OPQRotation`) + `InvertedLists` +
/// `FullVectorStore`; a `ListScanner` per query. Thread-safe: concurrent searches, exclusive writes.
/// Deleting marks a tombstone; `save` writes only live entries.
public final class IVFPQIndex: VectorIndex, @unchecked Sendable {
    public let dimension: Int
    public let metric: Metric
    public let configuration: IVFPQConfiguration

    let lock = ReadWriteLock()
    var coarse: CoarseQuantizer?
    var pq: ProductQuantizer?
    var rotation: OPQRotation?
    /// L2 only: precomputed list terms (`nlist × m × 256`).
    var listTerms: [Float] = []
    var lists: InMemoryInvertedLists
    var fullVectors: FullVectorStore?
    /// Slot keys (`list << 32 | offset`) of deleted entries.
    var tombstones: Set<UInt64> = []
    /// The slot key of every live id, so that replacing or deleting an id does not scan the lists.
    var slotKeys: [UInt64: UInt64] = [:]
    var storedMetadata: [String: String] = [:]
    /// `nprobe` and re-ranking fitted to recall targets by `tune` (saved with the index); nil before tuning.
    var curve: TuningCurve?

    /// Default number of probed lists when `SearchParameters.nprobe` is nil.
    public static let defaultNprobe = 8

    /// An empty, untrained index.
    /// - Throws: `IndexError.invalidParameter` when `dimension`, `nlist`, `m` or `bitsPerCode` is unusable
    ///   (`m` must divide `dimension`; only 8-bit codes are supported).
    public init(dimension: Int, metric: Metric, configuration: IVFPQConfiguration) throws {
        guard dimension > 0 else { throw IndexError.invalidParameter(name: "dimension", reason: "must be positive, got \(dimension)") }
        let c = configuration
        guard c.nlist >= 1, c.nlist < Int(UInt32.max) else {
            throw IndexError.invalidParameter(name: "nlist", reason: "must be at least 1, got \(c.nlist)")
        }
        guard c.subquantizers >= 1 else {
            throw IndexError.invalidParameter(name: "subquantizers", reason: "must be at least 1, got \(c.subquantizers)")
        }
        guard dimension % c.subquantizers == 0 else {
            throw IndexError.invalidParameter(name: "subquantizers",
                reason: "m = \(c.subquantizers) does not divide the dimension \(dimension); pick a divisor of \(dimension) or pad the vectors")
        }
        guard c.bitsPerCode == 8 else {
            throw IndexError.invalidParameter(name: "bitsPerCode", reason: "only 8-bit codes (256 codewords) are supported, got \(c.bitsPerCode)")
        }
        guard c.coarseIterations >= 1, c.pqIterations >= 1 else {
            throw IndexError.invalidParameter(name: "iterations", reason: "k-means iterations must be at least 1")
        }
        if let s = c.trainingSampleSize, s < 1 {
            throw IndexError.invalidParameter(name: "trainingSampleSize", reason: "must be positive, got \(s)")
        }
        self.dimension = dimension
        self.metric = metric
        self.configuration = c
        self.lists = InMemoryInvertedLists(listCount: c.nlist, codeSize: c.subquantizers)
        self.fullVectors = c.keepFullVectors ? FullVectorStore(listCount: c.nlist, dimension: dimension) : nil
    }

    /// True once `train` has run (or the index was opened from disk).
    public var isTrained: Bool { lock.withReadLock { pq != nil } }

    /// Live vectors.
    public var count: Int { lock.withReadLock { lists.totalCount - tombstones.count } }

    /// The (`nprobe`, `refineFactor`) pairs fitted to recall targets by `tune(targetRecall:)`, which
    /// searches use for the settings `SearchParameters` leaves nil; nil before tuning (then
    /// `defaultNprobe` lists and no re-ranking).
    public var tuningCurve: TuningCurve? { lock.withReadLock { curve } }

    /// Metadata given to `save` (or read by `open`).
    public var metadata: [String: String] { lock.withReadLock { storedMetadata } }

    // MARK: Training

    /// Trains the coarse quantizer, the optional OPQ rotation and the product quantizer on `sample`
    /// (row-major, `dimension` floats per vector). Training again replaces them and requires an empty index.
    /// - Throws: `IndexError.trainingFailed` with fewer vectors than `nlist` or than 256 (PQ codewords);
    ///   `dimensionMismatch`, `nonFiniteComponent` for bad input.
    public func train(_ sample: [Float]) throws {
        guard sample.count % dimension == 0 else {
            throw IndexError.incompleteVectors(floats: sample.count, dimension: dimension)
        }
        if let bad = Normalization.firstNonFinite(sample) {
            throw IndexError.nonFiniteComponent(component: bad % dimension)
        }
        let blas = i3blas_status().pointee
        guard blas.loaded != 0 else { throw IndexError.trainingFailed("BLAS unavailable: \(String(cString: blas.error))") }
        let cfg = configuration
        var n = sample.count / dimension
        guard n >= cfg.nlist else {
            throw IndexError.trainingFailed("\(n) training vectors for nlist = \(cfg.nlist) lists: need at least as many vectors as lists")
        }
        guard n >= ProductQuantizer.ksub else {
            throw IndexError.trainingFailed("\(n) training vectors: the product quantizer needs at least \(ProductQuantizer.ksub) (one per codeword)")
        }
        var x = sample
        if let cap = cfg.trainingSampleSize, n > cap {
            guard cap >= max(cfg.nlist, ProductQuantizer.ksub) else {
                throw IndexError.trainingFailed("trainingSampleSize \(cap) is smaller than nlist (\(cfg.nlist)) or 256")
            }
            x = Self.sampleRows(x, dimension: dimension, count: cap, seed: cfg.seed)
            n = cap
        }
        if metric == .cosine { Normalization.normalizeRows(&x, dimension: dimension) }

        var rot: OPQRotation? = nil
        if cfg.useOPQ {
            let r = try OPQRotation.train(x, dimension: dimension, m: cfg.subquantizers, seed: cfg.seed, threads: cfg.threads)
            x = r.apply(x)
            rot = r
        }
        let cq = try CoarseQuantizer.train(x, dimension: dimension, nlist: cfg.nlist, metric: metric,
                                           iterations: cfg.coarseIterations, seed: cfg.seed, threads: cfg.threads)
        // Residuals of (at most 256 × 256, as faiss) training vectors to their list centroids.
        let pqCap = 256 * ProductQuantizer.ksub
        let px = n > pqCap ? Self.sampleRows(x, dimension: dimension, count: pqCap, seed: cfg.seed &+ 1) : x
        let residuals = Self.residuals(px, labels: cq.assign(px, threads: cfg.threads), centroids: cq.centroids, dimension: dimension)
        let q = try ProductQuantizer.train(residuals, dimension: dimension, m: cfg.subquantizers,
                                           iterations: cfg.pqIterations, seed: cfg.seed, threads: cfg.threads)
        let terms = metric == .l2 ? q.listTerms(centroids: cq.centroids, nlist: cfg.nlist) : []
        try lock.withWriteLock {
            guard lists.totalCount == 0 else {
                throw IndexError.trainingFailed("the index already holds vectors; train a new index instead")
            }
            coarse = cq
            pq = q
            rotation = rot
            listTerms = terms
        }
    }

    // MARK: Adding and removing

    /// Adds (or replaces) the vector of `id`. The index must be trained.
    public func add(_ vector: [Float], id: UInt64) throws {
        try add(contentsOf: vector, ids: [id])
    }

    /// Adds many vectors given as one row-major buffer of `ids.count × dimension` floats. An id already
    /// in the index (or repeated in the batch) is replaced by its last vector.
    public func add(contentsOf vectors: [Float], ids newIDs: [UInt64]) throws {
        guard vectors.count == newIDs.count * dimension else {
            throw IndexError.dimensionMismatch(expected: newIDs.count * dimension, got: vectors.count)
        }
        if let bad = Normalization.firstNonFinite(vectors) {
            throw IndexError.nonFiniteComponent(component: bad % dimension)
        }
        guard !newIDs.isEmpty else { return }
        let (cq, q, rot) = try lock.withReadLock { () throws -> (CoarseQuantizer, ProductQuantizer, OPQRotation?) in
            guard let c = coarse, let p = pq else { throw IndexError.notTrained }
            return (c, p, rotation)
        }
        // Last occurrence of each id in the batch wins.
        var lastRow = [UInt64: Int](minimumCapacity: newIDs.count)
        for (r, id) in newIDs.enumerated() { lastRow[id] = r }
        var x = vectors
        if metric == .cosine { Normalization.normalizeRows(&x, dimension: dimension) }
        let full = x
        if let rot { x = rot.apply(x) }
        let n = newIDs.count
        let labels = cq.assign(x, threads: configuration.threads)
        let res = Self.residuals(x, labels: labels, centroids: cq.centroids, dimension: dimension)
        let codes = q.encode(res, count: n, threads: configuration.threads)
        let m = q.m, d = dimension
        lock.withWriteLock {
            tombstoneLive(Set(lastRow.keys))
            codes.withUnsafeBufferPointer { cp in
                full.withUnsafeBufferPointer { fp in
                    for r in 0..<n where lastRow[newIDs[r]] == r {
                        let l = Int(labels[r])
                        let o = lists.append(list: l, id: newIDs[r], code: UnsafeBufferPointer(rebasing: cp[r * m ..< (r + 1) * m]))
                        slotKeys[newIDs[r]] = UInt64(l) << 32 | UInt64(o)
                        fullVectors?.append(list: l, vector: UnsafeBufferPointer(rebasing: fp[r * d ..< (r + 1) * d]))
                    }
                }
            }
        }
    }

    /// Marks `id` deleted. - Throws: `IndexError.unknownID` when it is not in the index.
    public func remove(id: UInt64) throws {
        try lock.withWriteLock {
            guard tombstoneLive([id]) > 0 else { throw IndexError.unknownID(id) }
        }
    }

    /// Tombstones the live entry of every id in `ids` (through the id map: O(ids), no list scan);
    /// returns how many were live. Call with the write lock held.
    @discardableResult
    func tombstoneLive(_ ids: Set<UInt64>) -> Int {
        var marked = 0
        for id in ids {
            guard let key = slotKeys.removeValue(forKey: id) else { continue }
            if tombstones.insert(key).inserted { marked += 1 }
        }
        return marked
    }

    /// Bytes of the id → slot map (keys and values of its buckets).
    var idMapBytes: Int { slotKeys.capacity * 2 * MemoryLayout<UInt64>.size }

    // MARK: Search

    /// The `k` best live vectors for `query`: probes `parameters.nprobe` lists (at most `nlist`), scores
    /// the codes, and with `refineFactor` R > 1 re-scores the best `k × R` exactly. Nil settings come
    /// from the recall curve's point for `parameters.targetRecall` (or for its default target) when
    /// the index was tuned, else 8 lists and no re-ranking.
    /// - Throws: `notTrained`, `invalidK`, `dimensionMismatch`, `nonFiniteComponent`, and
    ///   `invalidParameter` for `nprobe` < 1, `refineFactor` < 1, re-ranking without full vectors, a
    ///   target outside (0, 1], or a target asked of an index without a curve.
    public func search(_ query: [Float], k: Int, parameters: SearchParameters) throws -> [Neighbor] {
        guard k >= 1 else { throw IndexError.invalidK(k) }
        try validate(query)
        if let n = parameters.nprobe, n < 1 { throw IndexError.invalidParameter(name: "nprobe", reason: "must be at least 1, got \(n)") }
        if let r = parameters.refineFactor, r < 1 {
            throw IndexError.invalidParameter(name: "refineFactor", reason: "must be at least 1, got \(r)")
        }
        var q = metric == .cosine ? Normalization.normalized(query) : query
        return try lock.withReadLock {
            guard let cq = coarse, let p = pq else { throw IndexError.notTrained }
            // Nil settings: the tuned ones (validated when tuned or opened), read under the lock already held.
            let tuned = parameters.nprobe == nil || parameters.refineFactor == nil ? try parameters.tunedPoint(of: curve) : nil
            let nprobeWanted = parameters.nprobe ?? tuned?.nprobe ?? Self.defaultNprobe
            let refine = parameters.refineFactor ?? tuned?.refineFactor ?? 1
            if refine > 1 && fullVectors == nil {
                throw IndexError.invalidParameter(name: "refineFactor",
                    reason: "re-ranking needs the full vectors: build with keepFullVectors = true")
            }
            let exactQuery = q
            if let rotation { q = rotation.apply(q) }
            let candidates = k * refine
            var heap = TopK(k: max(1, candidates))
            try q.withUnsafeBufferPointer { qp in
                guard let qb = qp.baseAddress else { throw IndexError.dimensionMismatch(expected: dimension, got: 0) }
                var scanner = ListScanner(query: qb, pq: p, metric: metric, listTerms: listTerms,
                                          tombstones: tombstones, filter: parameters.filter)
                let probes = cq.probe(qb, nprobe: min(nprobeWanted, cq.nlist), metric: metric)
                if let first = probes.first { scanner.prefetch(list: first.list) }
                for (i, probe) in probes.enumerated() {
                    if i + 1 < probes.count { scanner.prefetch(list: probes[i + 1].list) }
                    scanner.scan(list: probe.list, coarseTerm: probe.term, lists: lists, into: &heap)
                }
            }
            if refine > 1, let store = fullVectors {
                return try exactTopK(candidates: heap, k: k, query: exactQuery, store: store)
            }
            return heap.sorted().prefix(k).map { Neighbor(id: id(list: Int($0.id >> 32), offset: Int($0.id & 0xFFFF_FFFF)), score: $0.score) }
                .sorted(by: Neighbor.ranksBefore)
        }
    }

    /// Re-ranking: the exact scores of the candidates (slot keys), best `k`. Candidates are visited list
    /// by list in storage order, so the vectors are read front to back (and prefetched).
    private func exactTopK(candidates heap: TopK, k: Int, query: [Float], store: FullVectorStore) throws -> [Neighbor] {
        var keys = heap.unsortedEntries.map(\.id)   // slot keys: list << 32 | offset
        keys.sort()
        var exact = TopK(k: k)
        var scores: [Float] = []
        scores.reserveCapacity(keys.count)
        var offsets = [UInt32](repeating: 0, count: keys.count)
        for (i, key) in keys.enumerated() { offsets[i] = UInt32(truncatingIfNeeded: key) }
        try query.withUnsafeBufferPointer { qp in
            guard let qb = qp.baseAddress else { return }
            var i = 0
            while i < keys.count {
                let list = Int(keys[i] >> 32)
                var j = i + 1
                while j < keys.count, Int(keys[j] >> 32) == list { j += 1 }
                scores.removeAll(keepingCapacity: true)
                try store.scores(list: list, offsets: offsets[i ..< j], query: qb, metric: metric, into: &scores)
                let ids = lists.ids[list]
                for (t, s) in scores.enumerated() { exact.push(id: ids[Int(offsets[i + t])], score: s) }
                i = j
            }
        }
        return exact.sorted().map { Neighbor(id: $0.id, score: $0.score) }
    }

    private func id(list: Int, offset: Int) -> UInt64 { lists.withList(list) { ids, _ in ids[offset] } }

    // MARK: Memory

    /// Bytes per stored vector in memory: the `m`-byte code and the 8-byte id (faiss's accounting).
    public var bytesPerVector: Int { configuration.subquantizers + MemoryLayout<UInt64>.size }

    /// Bytes independent of the number of vectors: coarse centroids, PQ codebooks, the L2 precomputed
    /// list terms and the OPQ rotation.
    public var fixedBytes: Int {
        lock.withReadLock {
            let f = MemoryLayout<Float>.size
            return (configuration.nlist * dimension + ProductQuantizer.ksub * dimension + listTerms.count) * f
                + (rotation.map { $0.matrix.count * f } ?? 0)
        }
    }

    /// Everything held in memory: fixed costs, codes and ids of all entries (deleted ones until saved),
    /// tombstones and full vectors kept in memory for re-ranking.
    public var memoryBytes: Int {
        let fixed = fixedBytes
        return lock.withReadLock {
            fixed + lists.totalCount * bytesPerVector + tombstones.count * MemoryLayout<UInt64>.size
                + idMapBytes + (fullVectors?.memoryBytes ?? 0)
        }
    }

    // MARK: Helpers

    static func residuals(_ x: [Float], labels: [Int32], centroids: [Float], dimension d: Int) -> [Float] {
        var out = x
        for (i, l) in labels.enumerated() {
            let c = Int(l) * d
            for j in 0..<d { out[i * d + j] -= centroids[c + j] }
        }
        return out
    }

    static func sampleRows(_ x: [Float], dimension d: Int, count: Int, seed: UInt64) -> [Float] {
        let n = x.count / d
        var rng = SeededRandom(seed: seed)
        let perm = rng.sampleIndices(count: count, from: n)
        var out = [Float](repeating: 0, count: perm.count * d)
        for r in 0..<perm.count {
            let s = perm[r] * d
            for j in 0..<d { out[r * d + j] = x[s + j] }
        }
        return out
    }
}
