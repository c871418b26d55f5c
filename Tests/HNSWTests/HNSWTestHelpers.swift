@testable import HNSW
import IndexCore
import TestSupport
import VectorKernels

/// Small fixed data sets and helpers shared by the HNSW tests.
enum Fixture {
    static let dimension = 32
    /// 2,000 × 32 standard-normal vectors (ids = row numbers) and 100 independent queries: no cluster
    /// structure, so the graph has to work for its recall (a hard case for 32 dimensions).
    static let base: [Float] = TestData.gaussian(count: 2000, dimension: 32, seed: 1)
    static let queries: [Float] = TestData.gaussian(count: 100, dimension: 32, seed: 2)
    static var ids: [UInt64] { (0..<UInt64(2000)).map { $0 } }

    static func build(metric: Metric, storage: VectorStorage = .float32, threads: Int = 0, m: Int = 16) throws -> HNSWIndex {
        let index = try HNSWIndex(dimension: dimension, metric: metric,
                                  parameters: HNSWParameters(m: m, efConstruction: 100, storage: storage))
        try index.add(contentsOf: base, ids: ids, threads: threads)
        return index
    }

    static func recall(_ index: HNSWIndex, metric: Metric, ef: Int, k: Int = 10) throws -> Double {
        let truth = try TestData.groundTruth(base: base, queries: queries, dimension: dimension, metric: metric, k: k)
        let found = try index.search(batch: queries, k: k, parameters: SearchParameters(ef: ef), threads: 2)
        return TestData.recall(found.map { $0.map(\.id) }, truth: truth, k: k)
    }

    /// Every slot's links on every level, for graph equality.
    static func linkDump(_ index: HNSWIndex) -> [[UInt32]] {
        index.withGraph { g in
            guard let g else { return [] }
            var out: [[UInt32]] = []
            for s in 0..<g.slotCount {
                for l in 0...Int(g.store.levels[s]) { out.append([UInt32(s), UInt32(l)] + g.links(of: UInt32(s), level: l)) }
            }
            return out
        }
    }
}
