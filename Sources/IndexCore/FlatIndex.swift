import VectorKernels

/// Exact brute-force index: every query is scored against every live vector.
///
/// It is the oracle the approximate indexes are tested against, and the `flat` index of the
/// retriever. Vectors live in one contiguous row-major buffer; deleting swaps the last row into the
/// hole, so storage stays dense. Thread-safe: concurrent searches, exclusive writes.
public final class FlatIndex: VectorIndex, @unchecked Sendable {
    public let dimension: Int
    public let metric: Metric

    private let lock = ReadWriteLock()
    private var vectors: [Float] = []       // count × dimension, row-major
    private var ids: [UInt64] = []           // slot -> external id
    private var slotOf: [UInt64: Int] = [:]  // external id -> slot
    private var storedMetadata: [String: String] = [:]

    /// An empty index of `dimension`-component vectors compared by `metric`.
    public init(dimension: Int, metric: Metric) throws {
        guard dimension > 0 else { throw IndexError.invalidParameter(name: "dimension", reason: "must be positive, got \(dimension)") }
        self.dimension = dimension
        self.metric = metric
    }

    public var count: Int { lock.withReadLock { ids.count } }

    /// The ids and row-major vectors in slot order, as stored (normalised for cosine). For persistence.
    func storedContents() -> (ids: [UInt64], vectors: [Float]) {
        lock.withReadLock { (ids, vectors) }
    }

    /// The caller's metadata given to the last `save` or read by `open` (for example the encoder's identity).
    public var metadata: [String: String] {
        get { lock.withReadLock { storedMetadata } }
        set { lock.withWriteLock { storedMetadata = newValue } }
    }

    /// Replaces the contents with stored ones (already validated: unique ids, `ids.count × dimension` finite floats).
    func replaceContents(ids newIDs: [UInt64], vectors newVectors: [Float]) {
        var slots: [UInt64: Int] = [:]
        slots.reserveCapacity(newIDs.count)
        for (s, id) in newIDs.enumerated() { slots[id] = s }
        lock.withWriteLock {
            ids = newIDs
            vectors = newVectors
            slotOf = slots
        }
    }

    /// All live ids in slot order.
    public var allIDs: [UInt64] { lock.withReadLock { ids } }

    /// The stored vector of `id` (normalised for cosine), or nil.
    public func vector(for id: UInt64) -> [Float]? {
        lock.withReadLock {
            guard let s = slotOf[id] else { return nil }
            return Array(vectors[s * dimension ..< (s + 1) * dimension])
        }
    }

    public func add(_ vector: [Float], id: UInt64) throws {
        try validate(vector)
        let v = metric == .cosine ? Normalization.normalized(vector) : vector
        lock.withWriteLock {
            if let s = slotOf[id] {
                vectors.replaceSubrange(s * dimension ..< (s + 1) * dimension, with: v)
            } else {
                slotOf[id] = ids.count
                ids.append(id)
                vectors.append(contentsOf: v)
            }
        }
    }

    /// Adds many vectors given as one row-major buffer of `ids.count × dimension` floats.
    public func add(contentsOf batch: [Float], ids newIDs: [UInt64]) throws {
        guard batch.count == newIDs.count * dimension else {
            throw IndexError.dimensionMismatch(expected: newIDs.count * dimension, got: batch.count)
        }
        for (r, id) in newIDs.enumerated() {
            try add(Array(batch[r * dimension ..< (r + 1) * dimension]), id: id)
        }
    }

    public func remove(id: UInt64) throws {
        try lock.withWriteLock {
            guard let s = slotOf.removeValue(forKey: id) else { throw IndexError.unknownID(id) }
            let last = ids.count - 1
            if s != last {
                let movedID = ids[last]
                ids[s] = movedID
                slotOf[movedID] = s
                for j in 0..<dimension { vectors[s * dimension + j] = vectors[last * dimension + j] }
            }
            ids.removeLast()
            vectors.removeLast(dimension)
        }
    }

    public func search(_ query: [Float], k: Int, parameters: SearchParameters) throws -> [Neighbor] {
        guard k >= 1 else { throw IndexError.invalidK(k) }
        try validate(query)
        let q = metric == .cosine ? Normalization.normalized(query) : query
        return lock.withReadLock {
            var top = TopK(k: k)
            let d = dimension
            let filter = parameters.filter
            q.withUnsafeBufferPointer { qp in
                vectors.withUnsafeBufferPointer { vp in
                    guard let qb = qp.baseAddress, let vb = vp.baseAddress else { return }
                    for s in 0..<ids.count {
                        let id = ids[s]
                        if let f = filter, !f.allows(id) { continue }
                        top.push(id: id, score: metric.score(qb, vb + s * d, count: d))
                    }
                }
            }
            return top.sorted().map { Neighbor(id: $0.id, score: $0.score) }
        }
    }
}
