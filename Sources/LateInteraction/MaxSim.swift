import Dispatch
import Foundation
import IndexCore
import VectorKernels

/// A query as a bag of token vectors: `count × dimension` floats, row-major, unit length expected.
public struct QueryTokens: Sendable {
    public let vectors: [Float]
    public let dimension: Int
    /// Number of query token vectors.
    public var count: Int { dimension > 0 ? vectors.count / dimension : 0 }

    /// - Throws: `IndexError.invalidParameter` when the values are not whole rows or there are none,
    ///   `.nonFiniteComponent` for NaN / infinity.
    public init(vectors: [Float], dimension: Int) throws {
        guard dimension > 0, !vectors.isEmpty, vectors.count % dimension == 0 else {
            throw IndexError.invalidParameter(
                name: "query", reason: "\(vectors.count) values are not a positive number of \(dimension)-component rows")
        }
        if let bad = Normalization.firstNonFinite(vectors) { throw IndexError.nonFiniteComponent(component: bad % dimension) }
        self.vectors = vectors
        self.dimension = dimension
    }
}

/// Exact late-interaction scoring over a `TokenStore`: S(q, d) = Σ over query rows of the max over
/// the passage's rows of the inner product (ColBERT's MaxSim), with the run-time dispatched SIMD kernels
/// of CVectorKernels. Brute force over every passage (the oracle) or as a re-ranker of a candidate list.
public struct ExactMaxSim: Sendable {
    public let store: TokenStore

    public init(store: TokenStore) { self.store = store }

    /// The MaxSim score of `query` against passage `p` (0 for a passage without tokens).
    public func score(_ query: QueryTokens, passage p: Int) throws -> Float {
        try check(query)
        var best = [Float](repeating: 0, count: query.count)
        return query.vectors.withUnsafeBufferPointer { q in
            best.withUnsafeMutableBufferPointer { b in
                guard let qb = q.baseAddress, let bb = b.baseAddress else { return 0 }
                return score(qb, rows: query.count, passage: p, best: bb)
            }
        }
    }

    /// The `k` passages of highest MaxSim, best first (ties by the smaller id), scoring every passage on
    /// `threads` threads (0 = all cores; the result does not depend on it).
    public func search(_ query: QueryTokens, k: Int, threads: Int = 1) throws -> [Neighbor] {
        try check(query)
        guard k >= 1 else { throw IndexError.invalidK(k) }
        let n = store.passageCount
        let workers = max(1, min(threads > 0 ? threads : activeCores(), n / 256 + 1))
        let partial = PartialHeaps(count: workers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var top = TopK(k: k)
            var best = [Float](repeating: 0, count: query.count)
            query.vectors.withUnsafeBufferPointer { q in
                best.withUnsafeMutableBufferPointer { b in
                    guard let qb = q.baseAddress, let bb = b.baseAddress else { return }
                    for p in (n * w / workers)..<(n * (w + 1) / workers) {
                        top.push(id: store.ids[p], score: score(qb, rows: query.count, passage: p, best: bb))
                    }
                }
            }
            partial.set(w, top)
        }
        return partial.merged(k: k)
    }

    /// Scores the passages at `positions` (indices into the store, e.g. a dense retriever's candidates
    /// mapped through `TokenStore.ids`) and returns the `k` best, best first.
    public func rerank(_ query: QueryTokens, positions: [Int], k: Int) throws -> [Neighbor] {
        try check(query)
        guard k >= 1 else { throw IndexError.invalidK(k) }
        var top = TopK(k: k)
        var best = [Float](repeating: 0, count: query.count)
        try query.vectors.withUnsafeBufferPointer { q in
            try best.withUnsafeMutableBufferPointer { b in
                guard let qb = q.baseAddress, let bb = b.baseAddress else { return }
                for p in positions {
                    guard p >= 0, p < store.passageCount else {
                        throw IndexError.invalidParameter(name: "positions", reason: "\(p) is not a passage of the store")
                    }
                    top.push(id: store.ids[p], score: score(qb, rows: query.count, passage: p, best: bb))
                }
            }
        }
        return top.sorted().map { Neighbor(id: $0.id, score: $0.score) }
    }

    private func check(_ query: QueryTokens) throws {
        guard query.dimension == store.dimension else {
            throw IndexError.dimensionMismatch(expected: store.dimension, got: query.dimension)
        }
    }

    func score(_ q: UnsafePointer<Float>, rows: Int, passage p: Int, best: UnsafeMutablePointer<Float>) -> Float {
        MaxSimKernels.score(q, rows: rows, store: store, passage: p, best: best)
    }
}

func activeCores() -> Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

/// One `TopK` per worker thread, written at disjoint indices, merged in worker order.
struct PartialHeaps: Sendable {
    private let heaps: SharedBuffer<TopK>

    init(count: Int) { heaps = SharedBuffer(count: count, initial: TopK(k: 0)) }

    func set(_ i: Int, _ top: TopK) { heaps[i] = top }

    func merged(k: Int) -> [Neighbor] {
        var all = TopK(k: k)
        for i in 0..<heaps.count { for e in heaps[i].sorted() { all.push(id: e.id, score: e.score) } }
        return all.sorted().map { Neighbor(id: $0.id, score: $0.score) }
    }
}
