import Foundation
import IndexCore
import VectorKernels

/// A Hierarchical Navigable Small World index (Malkov & Yashunin 2018) over `dimension`-component
/// vectors, with caller-chosen `UInt64` ids.
///
/// - Metrics: inner product, cosine (vectors and queries are L2-normalised), squared L2.
/// - Storage: float32, float16 or int8 scalar-quantized (`HNSWParameters.storage`).
/// - Insert or replace (`add`), parallel batch build (`add(contentsOf:ids:threads:)`; `threads: 1` is
///   deterministic), tombstone deletes (`remove`), `compact()`, filtered and batch search, persistence
///   through the shard store (`save`, `open`).
///
/// Thread safety: any number of searches run concurrently, also with insertions and removals
/// (they share a read lock and synchronise on per-node stripe locks and atomics); growing the storage,
/// `compact`, `train` and `save` take the write lock.
public final class HNSWIndex: VectorIndex, @unchecked Sendable {
    public let dimension: Int
    public let metric: Metric
    public let parameters: HNSWParameters

    let lock = ReadWriteLock()
    /// Replaced (under the write lock) by `compact`, `train` and `open`; nil for an untrained int8 index.
    var graph: HNSWGraph?
    private var storedMetadata: [String: String] = [:]
    /// `ef` fitted to recall targets by `tune` (saved with the index); nil before tuning.
    var curve: TuningCurve?

    /// An empty index. Throws `IndexError.invalidParameter` for a non-positive dimension or bad parameters.
    public init(dimension: Int, metric: Metric, parameters: HNSWParameters = .init()) throws {
        guard dimension > 0 else {
            throw IndexError.invalidParameter(name: "dimension", reason: "must be positive, got \(dimension)")
        }
        try parameters.validate()
        self.dimension = dimension
        self.metric = metric
        self.parameters = parameters
        if parameters.storage != .int8 {
            graph = HNSWGraph(dimension: dimension, metric: metric, parameters: parameters,
                              codec: try VectorCodec(storage: parameters.storage, dimension: dimension, metric: metric))
        }
    }

    /// An untrained int8 index (opening one that was saved before any vector was added).
    init(untrainedDimension: Int, metric: Metric, parameters: HNSWParameters, metadata: [String: String]) {
        dimension = untrainedDimension
        self.metric = metric
        self.parameters = parameters
        graph = nil
        storedMetadata = metadata
    }

    init(graph: HNSWGraph, metadata: [String: String]) {
        dimension = graph.dimension
        metric = graph.metric
        parameters = graph.parameters
        self.graph = graph
        storedMetadata = metadata
    }

    // MARK: - State

    /// Number of live (not deleted) vectors.
    public var count: Int { lock.withReadLock { graph?.liveCount ?? 0 } }

    /// Number of deleted or replaced vectors still held in the graph (they route searches but are never
    /// returned); `compact()` drops them.
    public var tombstoneCount: Int { lock.withReadLock { graph?.tombstones ?? 0 } }

    /// Bytes of the index in memory: level-0 records (links + vectors), upper links, ids, levels,
    /// tombstones, the id map, locks and idle search scratch.
    public var memoryBytes: Int { lock.withReadLock { graph?.memoryBytes ?? 0 } }

    /// The metadata stored by `save` (or given to the last `save`), e.g. the encoder's identity.
    public var metadata: [String: String] { lock.withReadLock { storedMetadata } }

    /// The `ef` values fitted to recall targets by `tune(targetRecall:k:sampleSize:seed:)`, saved with
    /// the index; nil for an index never tuned (searches then use `parameters.defaultEf`).
    public var tuningCurve: TuningCurve? { lock.withReadLock { curve } }

    /// True once an int8 index has its per-dimension ranges (always true for float32/float16).
    public var isTrained: Bool { lock.withReadLock { graph != nil } }

    /// Bytes of one level-0 record: link count, `2·m` links and the stored vector (see docs/hnsw.md).
    public var level0Stride: Int {
        NodeStore.stride(maxM0: 2 * parameters.m, vectorBytes: dimension * parameters.storage.bytesPerComponent)
    }

    // MARK: - Training (int8)

    /// Trains the int8 per-dimension ranges on `sample` (row-major). Only for an empty int8 index; the
    /// first `add(contentsOf:ids:)` trains on its batch when this was not called. No-op for other storage.
    public func train(_ sample: [Float]) throws {
        guard parameters.storage == .int8 else { return }
        guard !sample.isEmpty, sample.count % dimension == 0 else {
            throw IndexError.incompleteVectors(floats: sample.count, dimension: dimension)
        }
        let rows = try prepareRows(sample)
        try lock.withWriteLock {
            if let g = graph, g.liveCount + g.tombstones > 0 {
                throw IndexError.invalidParameter(name: "train", reason: "the index already holds vectors")
            }
            graph = try makeTrainedGraph(rows)
        }
    }

    private func makeTrainedGraph(_ rows: [Float]) throws -> HNSWGraph {
        let ranges = rows.withUnsafeBufferPointer { VectorCodec.trainRanges($0, dimension: dimension) }
        let codec = try VectorCodec(storage: .int8, dimension: dimension, metric: metric,
                                    mins: ranges.mins, scales: ranges.scales)
        return HNSWGraph(dimension: dimension, metric: metric, parameters: parameters, codec: codec)
    }

    // MARK: - Insertion

    /// Checks rows (length, finiteness) and returns them normalised for cosine.
    private func prepareRows(_ rows: [Float]) throws -> [Float] {
        if let bad = Normalization.firstNonFinite(rows) {
            throw IndexError.nonFiniteComponent(component: bad % dimension)
        }
        guard metric == .cosine else { return rows }
        var out = rows
        out.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            for r in 0..<(p.count / dimension) { Normalization.normalize(base + r * dimension, count: dimension) }
        }
        return out
    }

    /// Adds `vector` under `id`, replacing the vector `id` had (the old one becomes a tombstone).
    /// An int8 index must be trained first (`train(_:)` or a first batch): else `IndexError.notTrained`.
    public func add(_ vector: [Float], id: UInt64) throws {
        try validate(vector)
        guard isTrained else { throw IndexError.notTrained }
        try add(contentsOf: vector, ids: [id], threads: 1)
    }

    /// Adds `ids.count` vectors given row-major in `vectors`, linking them on `threads` threads
    /// (0: all cores; 1: in order, so the same seed and order give the same graph). The batch is
    /// checked before anything is added. An untrained int8 index trains its ranges on this batch.
    public func add(contentsOf vectors: [Float], ids: [UInt64], threads: Int = 0) throws {
        guard vectors.count == ids.count * dimension else {
            throw IndexError.dimensionMismatch(expected: ids.count * dimension, got: vectors.count)
        }
        guard threads >= 0 else { throw IndexError.invalidParameter(name: "threads", reason: "must be ≥ 0, got \(threads)") }
        guard !ids.isEmpty else { return }
        let rows = try prepareRows(vectors)
        let workers = threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : threads
        while true {
            // Insert under the read lock, so that searches and other insertions proceed concurrently;
            // when there is no room (or an int8 index is untrained), fix that under the write lock and retry.
            let inserted = lock.withReadLock { () -> Bool in
                guard let g = graph else { return false }
                return rows.withUnsafeBufferPointer { r in
                    ids.withUnsafeBufferPointer { i in g.insert(rows: r, ids: i, threads: workers) }
                }
            }
            if inserted { return }
            try lock.withWriteLock {
                if graph == nil { graph = try makeTrainedGraph(rows) }
                if let g = graph, g.freeSlots < ids.count { g.reserve(g.store.capacity - g.freeSlots + ids.count) }
            }
        }
    }

    // MARK: - Capacity

    /// Makes room for `count` vectors in all (deleted ones count until `compact()`), so that adding up to
    /// that many allocates no more node memory, like hnswlib's `max_elements`. Never shrinks. A batch
    /// `add` into an empty index already reserves exactly its size; later growth is by 1.5×.
    public func reserveCapacity(_ count: Int) throws {
        guard count >= 0 else { throw IndexError.invalidParameter(name: "count", reason: "must be ≥ 0, got \(count)") }
        lock.withWriteLock {
            guard let g = graph, count > g.store.capacity else { return }
            g.setCapacity(count)
        }
    }

    /// Releases unused capacity: the node buffers and the id map shrink to the vectors held, the
    /// upper-level links move into one exactly sized block. Searches wait meanwhile (write lock).
    public func shrinkToFit() {
        lock.withWriteLock { graph?.setCapacity(0) }
    }

    // MARK: - Removal

    /// Marks `id` deleted: searches skip it (it still routes them) until `compact()`.
    /// Throws `IndexError.unknownID` when `id` is not live.
    public func remove(id: UInt64) throws {
        let removed = lock.withReadLock { graph?.remove(id: id) ?? false }
        guard removed else { throw IndexError.unknownID(id) }
    }

    /// Rebuilds the graph from the live vectors only (in slot order, on all cores), dropping tombstones.
    public func compact() throws {
        try lock.withWriteLock {
            guard let old = graph, old.tombstones > 0 else { return }
            let fresh = HNSWGraph(dimension: dimension, metric: metric, parameters: parameters, codec: old.codec,
                                  capacity: max(1, old.liveCount))
            let (rows, ids) = old.liveVectors()
            let ok = rows.withUnsafeBufferPointer { r in
                ids.withUnsafeBufferPointer { i in
                    fresh.insert(rows: r, ids: i, threads: ProcessInfo.processInfo.activeProcessorCount)
                }
            }
            guard ok else { throw IndexError.capacityExceeded(ids.count) }
            graph = fresh
        }
    }

    // MARK: - Search

    /// The `k` nearest live vectors to `query`, best first (score descending, ties by id).
    /// The candidate list is `parameters.ef` when given; else the `ef` of the recall curve's point for
    /// `parameters.targetRecall` (or of its default target) when the index was tuned; else
    /// `HNSWParameters.defaultEf`; always at least `k`. `parameters.filter` restricts results during
    /// the search. An empty index gives `[]`.
    /// - Throws: `invalidK`, `dimensionMismatch`, `nonFiniteComponent`; `invalidParameter` for `ef` < 1,
    ///   a target outside (0, 1], or a target asked of an index without a curve.
    public func search(_ query: [Float], k: Int, parameters search: SearchParameters) throws -> [Neighbor] {
        guard k >= 1 else { throw IndexError.invalidK(k) }
        try validate(query)
        if let ef = search.ef, ef < 1 { throw IndexError.invalidParameter(name: "ef", reason: "must be at least 1, got \(ef)") }
        var q = query
        if metric == .cosine { q = Normalization.normalized(q) }
        return try lock.withReadLock {
            let tuned = search.ef == nil ? try search.tunedPoint(of: curve)?.ef : nil
            let ef = max(search.ef ?? tuned ?? parameters.defaultEf, k)
            guard let g = graph else { return [] }
            return q.withUnsafeBufferPointer { p in
                guard let base = p.baseAddress else { return [] }
                return g.search(base, k: k, ef: ef, filter: search.filter)
            }
        }
    }

    /// Searches every row of `queries` (row-major), spread over `threads` threads (0: all cores).
    public func search(batch queries: [Float], k: Int, parameters search: SearchParameters = .default,
                       threads: Int = 0) throws -> [[Neighbor]] {
        guard k >= 1 else { throw IndexError.invalidK(k) }
        guard queries.count % dimension == 0 else {
            throw IndexError.incompleteVectors(floats: queries.count, dimension: dimension)
        }
        guard threads >= 0 else { throw IndexError.invalidParameter(name: "threads", reason: "must be ≥ 0, got \(threads)") }
        let n = queries.count / dimension
        let results = SharedBuffer<Result<[Neighbor], any Error>>(count: n, initial: .success([]))
        let workers = max(1, min(n, threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : threads))
        let d = dimension
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: n, by: workers) {
                results[i] = Result { try self.search(Array(queries[i * d ..< (i + 1) * d]), k: k, parameters: search) }
            }
        }
        // The first failing query's own error, as a single search would throw it.
        return try (0..<n).map { try results[$0].get() }
    }

    // MARK: - Internals for persistence and tests

    func withGraph<T>(_ body: (HNSWGraph?) throws -> T) rethrows -> T {
        try lock.withWriteLock { try body(graph) }
    }

    func setMetadata(_ m: [String: String]) { lock.withWriteLock { storedMetadata = m } }
}
