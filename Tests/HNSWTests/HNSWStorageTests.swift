@testable import HNSW
import IndexCore
import Testing
import TestSupport
import VectorKernels

@Suite struct HNSWStorageTests {
    @Test(arguments: [VectorStorage.float16, .int8], Metric.allCases)
    func compressedStorageKeepsRecallAndSavesMemory(storage: VectorStorage, metric: Metric) throws {
        let full = try Fixture.build(metric: metric, threads: 1)
        let small = try Fixture.build(metric: metric, storage: storage, threads: 1)
        let r = try Fixture.recall(small, metric: metric, ef: 64)
        #expect(r >= (storage == .float16 ? 0.95 : 0.85), "\(storage) \(metric) recall \(r)")
        #expect(small.memoryBytes < full.memoryBytes)
        #expect(small.level0Stride < full.level0Stride)
    }

    @Test func float16ScoresAreCloseToExact() throws {
        let index = try HNSWIndex(dimension: 32, metric: .innerProduct, parameters: HNSWParameters(storage: .float16))
        try index.add(contentsOf: Fixture.base, ids: Fixture.ids)
        let q = TestData.row(Fixture.queries, 0, dimension: 32)
        for n in try index.search(q, k: 5, parameters: SearchParameters(ef: 100)) {
            let exact = zip(q, TestData.row(Fixture.base, Int(n.id), dimension: 32)).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            #expect(abs(n.score - exact) < 0.02 * max(1, abs(exact)))
        }
    }

    @Test func int8NeedsTrainingBeforeSingleAdds() throws {
        let index = try HNSWIndex(dimension: 4, metric: .l2, parameters: HNSWParameters(storage: .int8))
        #expect(!index.isTrained)
        #expect(try index.search([1, 2, 3, 4], k: 1).isEmpty)
        // One vector cannot give ranges: a single add needs `train` (or a first batch) first.
        #expect(throws: IndexError.notTrained) { try index.add([1, 2, 3, 4], id: 1) }
        try index.train([0, 0, 0, 0, 10, 10, 10, 10])
        #expect(index.isTrained)
        try index.add([5, 5, 5, 5], id: 1)
        try index.add([1, 1, 1, 1], id: 2)
        let r = try index.search([4.9, 5, 5, 5.1], k: 2)
        #expect(r.map(\.id) == [1, 2])
        #expect(abs(r[0].score - -0.02) < 0.01)
        #expect(throws: IndexError.self) { try index.train([0, 0, 0, 0]) }   // not empty any more
    }
}
