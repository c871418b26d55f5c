import VectorKernels
/// What the retriever needs from any vector index (flat, HNSW, IVF-PQ).
///
/// Conformers are reference types that are safe to search from many threads at once.
/// Scores follow `Metric`: higher is better. Results are sorted by score descending, ties by id.
public protocol VectorIndex: AnyObject, Sendable {
    /// Number of components of every vector.
    var dimension: Int { get }
    /// How vectors are compared.
    var metric: Metric { get }
    /// Number of live (not deleted) vectors.
    var count: Int { get }

    /// Adds or replaces the vector stored under `id`.
    func add(_ vector: [Float], id: UInt64) throws
    /// Marks `id` deleted; searches no longer return it.
    func remove(id: UInt64) throws
    /// The `k` best live vectors for `query`.
    func search(_ query: [Float], k: Int, parameters: SearchParameters) throws -> [Neighbor]
}

extension VectorIndex {
    /// The `k` best live vectors for `query` with default parameters.
    public func search(_ query: [Float], k: Int) throws -> [Neighbor] {
        try search(query, k: k, parameters: .default)
    }

    /// Checks a vector's length and finiteness against this index.
    public func validate(_ vector: [Float]) throws {
        guard vector.count == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, got: vector.count)
        }
        for (i, x) in vector.enumerated() where !x.isFinite {
            throw IndexError.nonFiniteComponent(component: i)
        }
    }
}
