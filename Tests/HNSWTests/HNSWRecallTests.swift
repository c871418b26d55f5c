@testable import HNSW
import IndexCore
import Testing
import TestSupport
import VectorKernels

@Suite struct HNSWRecallTests {
    @Test(arguments: Metric.allCases)
    func recallAt10AgainstBruteForce(metric: Metric) throws {
        let index = try Fixture.build(metric: metric)
        #expect(index.count == 2000)
        let r = try Fixture.recall(index, metric: metric, ef: 64)
        #expect(r >= 0.95, "recall@10 \(r) for \(metric)")
    }

    @Test func scoresMatchTheMetricAndAreSortedWithTiesById() throws {
        let index = try HNSWIndex(dimension: 2, metric: .l2)
        // Four points at the same distance from the query, added in shuffled id order.
        for (id, v) in [(7, [1, 0]), (3, [0, 1]), (9, [-1, 0]), (1, [0, -1]), (5, [3, 3])] as [(UInt64, [Float])] {
            try index.add(v, id: id)
        }
        let r = try index.search([0, 0], k: 5, parameters: .default)
        #expect(r.map(\.id) == [1, 3, 7, 9, 5])
        #expect(r[0].score == -1 && r[4].score == -18)
        let ip = try HNSWIndex(dimension: 3, metric: .innerProduct)
        try ip.add([1, 2, 3], id: 1)
        try ip.add([0, 0, 1], id: 2)
        #expect(try ip.search([1, 1, 1], k: 2) == [Neighbor(id: 1, score: 6), Neighbor(id: 2, score: 1)])
        let cos = try HNSWIndex(dimension: 2, metric: .cosine)
        try cos.add([10, 0], id: 4)
        let c = try cos.search([3, 0], k: 1)
        #expect(c.count == 1 && abs(c[0].score - 1) < 1e-6)
    }

    @Test func fewerThanKVectorsGivesAllOfThem() throws {
        let index = try HNSWIndex(dimension: 4, metric: .l2)
        try index.add([1, 2, 3, 4], id: 10)
        try index.add([4, 3, 2, 1], id: 11)
        #expect(try index.search([1, 2, 3, 4], k: 10).map(\.id) == [10, 11])
    }

    @Test func higherEfNeverLowersRecallMuch() throws {
        let index = try Fixture.build(metric: .l2, m: 8)
        let low = try Fixture.recall(index, metric: .l2, ef: 10)
        let high = try Fixture.recall(index, metric: .l2, ef: 200)
        #expect(high >= low)
        #expect(high >= 0.99)
    }
}
