import Foundation
import IndexCore
import ShardStore
import Testing
import TestSupport
@testable import IVFPQ
import VectorKernels

@Suite struct IVFPQPersistenceTests {
    @Test(arguments: Metric.allCases)
    func savedIndexAnswersIdentically(metric: Metric) throws {
        let index = try IVFPQFixture.build(metric)
        try index.remove(id: 11)
        let dir = try TemporaryDirectory()
        let url = dir.path("ivfpq")
        try index.save(to: url, metadata: ["corpus": "fixture"])
        let onDisk = try IVFPQIndex.open(directory: url, expectedDimension: IVFPQFixture.d, expectedMetric: metric)
        let loaded = try IVFPQIndex.open(directory: url, loadFullVectors: true)
        #expect(onDisk.metadata["corpus"] == "fixture")
        #expect(onDisk.count == 4999 && loaded.count == 4999)
        #expect(onDisk.isTrained)
        for q in 0..<20 {
            let query = TestData.row(IVFPQFixture.queries, q, dimension: IVFPQFixture.d)
            for p in [SearchParameters(nprobe: 4), SearchParameters(nprobe: 16, refineFactor: 10)] {
                let want = try index.search(query, k: 10, parameters: p)
                #expect(try onDisk.search(query, k: 10, parameters: p) == want)
                #expect(try loaded.search(query, k: 10, parameters: p) == want)
            }
        }
        // Full vectors on disk use no memory; loaded ones do.
        #expect(loaded.memoryBytes - onDisk.memoryBytes == 4999 * IVFPQFixture.d * 4)
        // The opened index knows where each id lives: removing and replacing ids works without a list scan.
        try loaded.remove(id: 12)
        #expect(throws: IndexError.unknownID(11)) { try loaded.remove(id: 11) }
        let q0 = TestData.row(IVFPQFixture.queries, 0, dimension: IVFPQFixture.d)
        try loaded.add(q0, id: 13)
        #expect(loaded.count == 4998)
        if metric != .innerProduct {   // a query is its own nearest neighbour under L2 and cosine
            #expect(try loaded.search(q0, k: 1, parameters: SearchParameters(nprobe: 16, refineFactor: 10)).first?.id == 13)
        }
    }

    @Test func openedIndexTakesAdditionsAndDeletions() throws {
        let d = IVFPQFixture.d
        let index = try IVFPQFixture.build(.l2)
        let dir = try TemporaryDirectory()
        try index.save(to: dir.path("a"))
        let opened = try IVFPQIndex.open(directory: dir.path("a"))
        let v = TestData.row(IVFPQFixture.base, 42, dimension: d).map { $0 + 0.01 }
        try opened.add(v, id: 90_000)
        try opened.remove(id: 42)
        let r = try opened.search(v, k: 3, parameters: .init(nprobe: 16, refineFactor: 10))
        #expect(r.first?.id == 90_000)
        #expect(!r.map(\.id).contains(42))
        // Re-saving the opened index (disk vectors + memory vectors) round-trips too.
        try opened.save(to: dir.path("b"))
        let again = try IVFPQIndex.open(directory: dir.path("b"), loadFullVectors: true)
        #expect(again.count == 5000)
        #expect(try again.search(v, k: 3, parameters: .init(nprobe: 16, refineFactor: 10)) == r)
    }

    @Test func wrongExpectationsAndWrongKindAreClearErrors() throws {
        let index = try IVFPQFixture.build(.l2, keepFull: false)
        let dir = try TemporaryDirectory()
        try index.save(to: dir.path("ix"))
        #expect(throws: IndexError.dimensionMismatch(expected: 64, got: 32)) {
            try IVFPQIndex.open(directory: dir.path("ix"), expectedDimension: 64)
        }
        #expect(throws: IndexError.metricMismatch(expected: .cosine, stored: .l2)) {
            try IVFPQIndex.open(directory: dir.path("ix"), expectedMetric: .cosine)
        }
        var w = try ShardWriter(directory: dir.path("other"), kind: "hnsw-index")
        try w.addColumn("x", type: .int64, recordLength: 1)
        try w.commit()
        #expect(throws: IndexError.kindMismatch(expected: "index.ivfpq", stored: "hnsw-index")) {
            try IVFPQIndex.open(directory: dir.path("other"))
        }
        let untrained = try IVFPQIndex(dimension: 8, metric: .l2, configuration: .init(nlist: 2, subquantizers: 2))
        #expect(throws: IndexError.notTrained) { try untrained.save(to: dir.path("u")) }
        // Without full vectors the opened index refuses to re-rank.
        let opened = try IVFPQIndex.open(directory: dir.path("ix"))
        #expect(throws: IndexError.self) {
            try opened.search([Float](repeating: 0, count: 32), k: 2, parameters: .init(refineFactor: 3))
        }
    }
}
