import Foundation
import IndexCore
import Testing
import TestSupport
@testable import IVFPQ
import VectorKernels

/// Small fixed data: 5,000 × 32-d clustered Gaussian vectors, 50 queries.
enum IVFPQFixture {
    static let d = 32
    static let base = TestData.clustered(count: 5000, dimension: d, clusters: 40, spread: 4, seed: 21).vectors
    static let queries = TestData.clustered(count: 50, dimension: d, clusters: 40, spread: 4, seed: 21).vectors
        .enumerated().map { $0.element + 0.3 * Float(($0.offset * 7919) % 13 - 6) / 6 }

    static func build(_ metric: Metric, nlist: Int = 16, m: Int = 8, keepFull: Bool = true) throws -> IVFPQIndex {
        let index = try IVFPQIndex(dimension: d, metric: metric,
                                   configuration: IVFPQConfiguration(nlist: nlist, subquantizers: m, keepFullVectors: keepFull))
        try index.train(base)
        try index.add(contentsOf: base, ids: (0..<5000).map { UInt64($0) })
        return index
    }

    static func recall(_ index: IVFPQIndex, metric: Metric, k: Int, parameters: SearchParameters) throws -> Double {
        let truth = try TestData.groundTruth(base: base, queries: queries, dimension: d, metric: metric, k: k)
        let got = try (0..<50).map { q in
            try index.search(TestData.row(queries, q, dimension: d), k: k, parameters: parameters).map(\.id)
        }
        return TestData.recall(got, truth: truth, k: k)
    }
}

@Suite struct IVFPQIndexTests {
    @Test(arguments: Metric.allCases)
    func recallWithReRankingAtFullProbe(metric: Metric) throws {
        let index = try IVFPQFixture.build(metric)
        let plain = try IVFPQFixture.recall(index, metric: metric, k: 10, parameters: .init(nprobe: 16))
        let refined = try IVFPQFixture.recall(index, metric: metric, k: 10, parameters: .init(nprobe: 16, refineFactor: 10))
        print("IVFPQ fixture \(metric): recall@10 PQ \(plain), re-ranked \(refined)")
        #expect(refined >= 0.95, "\(metric): recall@10 with re-ranking \(refined)")
        #expect(refined >= plain)
        #expect(plain > 0.3, "\(metric): PQ-only recall@10 \(plain)")
        #expect(index.count == 5000)
    }

    @Test func moreProbesGiveAtLeastAsGoodRecall() throws {
        let index = try IVFPQFixture.build(.l2)
        let one = try IVFPQFixture.recall(index, metric: .l2, k: 10, parameters: .init(nprobe: 1, refineFactor: 10))
        let all = try IVFPQFixture.recall(index, metric: .l2, k: 10, parameters: .init(nprobe: 16, refineFactor: 10))
        #expect(all >= one)
        #expect(all > one || one >= 0.99)
    }

    @Test func addAfterTrainWithoutRetraining() throws {
        let d = IVFPQFixture.d
        let index = try IVFPQIndex(dimension: d, metric: .l2, configuration: .init(nlist: 8, subquantizers: 8))
        try index.train(Array(IVFPQFixture.base.prefix(2000 * d)))
        try index.add(contentsOf: Array(IVFPQFixture.base.prefix(2500 * d)), ids: (0..<2500).map { UInt64($0) })
        for i in 2500..<2600 { try index.add(TestData.row(IVFPQFixture.base, i, dimension: d), id: UInt64(i)) }
        #expect(index.count == 2600)
        for i in stride(from: 0, to: 2600, by: 97) {
            let r = try index.search(TestData.row(IVFPQFixture.base, i, dimension: d), k: 1, parameters: .init(nprobe: 8, refineFactor: 20))
            #expect(r.first?.id == UInt64(i))
        }
    }

    @Test func deleteAndReplace() throws {
        let index = try IVFPQFixture.build(.l2)
        let d = IVFPQFixture.d
        let v7 = TestData.row(IVFPQFixture.base, 7, dimension: d)
        let before = try index.search(v7, k: 5, parameters: .init(nprobe: 16, refineFactor: 10))
        try index.remove(id: before[0].id)
        #expect(index.count == 4999)
        let after = try index.search(v7, k: 5, parameters: .init(nprobe: 16, refineFactor: 10))
        #expect(!after.map(\.id).contains(before[0].id))
        #expect(throws: IndexError.unknownID(before[0].id)) { try index.remove(id: before[0].id) }
        // Re-adding replaces: id 3 now holds vector 7's value.
        try index.add(v7, id: 3)
        #expect(index.count == 4999)
        let again = try index.search(v7, k: 10, parameters: .init(nprobe: 16, refineFactor: 10))
        #expect(again.map(\.id).contains(3))
        #expect(again.filter { $0.id == 3 }.count == 1)
    }

    @Test func filterIsAppliedDuringSearch() throws {
        let index = try IVFPQFixture.build(.l2)
        let even = IDFilter { $0 % 2 == 0 }
        let r = try index.search(TestData.row(IVFPQFixture.queries, 0, dimension: IVFPQFixture.d), k: 10,
                                 parameters: .init(nprobe: 16, refineFactor: 4, filter: even))
        #expect(r.count == 10)
        #expect(r.allSatisfy { $0.id % 2 == 0 })
    }

    @Test func sameSeedSameAnswers() throws {
        let a = try IVFPQFixture.build(.cosine), b = try IVFPQFixture.build(.cosine)
        for q in 0..<10 {
            let query = TestData.row(IVFPQFixture.queries, q, dimension: IVFPQFixture.d)
            #expect(try a.search(query, k: 10, parameters: .init(nprobe: 4)) == b.search(query, k: 10, parameters: .init(nprobe: 4)))
        }
    }

    @Test func memoryAccounting() throws {
        let index = try IVFPQFixture.build(.l2, nlist: 16, m: 8)
        #expect(index.bytesPerVector == 16)
        // centroids 16×32 + codebooks 256×32 + L2 list terms 16×8×256 floats.
        #expect(index.fixedBytes == (16 * 32 + 256 * 32 + 16 * 8 * 256) * 4)
        #expect(index.idMapBytes >= 5000 * 16)
        #expect(index.memoryBytes == index.fixedBytes + 5000 * 16 + 5000 * 32 * 4 + index.idMapBytes)
    }

    @Test func badInputIsAClearError() throws {
        let d = IVFPQFixture.d
        #expect(throws: IndexError.self) { try IVFPQIndex(dimension: 30, metric: .l2, configuration: .init(nlist: 4, subquantizers: 8)) }
        let index = try IVFPQIndex(dimension: d, metric: .l2, configuration: .init(nlist: 64, subquantizers: 8))
        #expect(throws: IndexError.notTrained) { try index.search([Float](repeating: 0, count: d), k: 3) }
        #expect(throws: IndexError.notTrained) { try index.add([Float](repeating: 0, count: d), id: 1) }
        do {
            try index.train(Array(IVFPQFixture.base.prefix(40 * d)))
            Issue.record("training 40 vectors for 64 lists must fail")
        } catch let IndexError.trainingFailed(reason) {
            #expect(reason.contains("nlist"))
        }
        var bad = Array(IVFPQFixture.base.prefix(1000 * d))
        bad[5 * d + 3] = .nan
        #expect(throws: IndexError.nonFiniteComponent(component: 3)) { try index.train(bad) }
        #expect(!index.isTrained)
        try index.train(Array(IVFPQFixture.base.prefix(1000 * d)))
        #expect(index.isTrained)
        #expect(throws: IndexError.dimensionMismatch(expected: d, got: 5)) { try index.search([1, 2, 3, 4, 5], k: 3) }
        #expect(throws: IndexError.invalidK(0)) { try index.search([Float](repeating: 0, count: d), k: 0) }
        #expect(throws: IndexError.self) { try index.search([Float](repeating: 0, count: d), k: 3, parameters: .init(nprobe: 0)) }
        let noFull = try IVFPQIndex(dimension: d, metric: .l2, configuration: .init(nlist: 4, subquantizers: 8, keepFullVectors: false))
        try noFull.train(Array(IVFPQFixture.base.prefix(1000 * d)))
        #expect(throws: IndexError.self) { try noFull.search([Float](repeating: 0, count: d), k: 3, parameters: .init(refineFactor: 4)) }
    }
}
