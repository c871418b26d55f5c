import IndexCore
import Testing
import TestSupport
import VectorKernels

@Suite struct FlatIndexTests {
    @Test(arguments: Metric.allCases) func exactSearchMatchesNaiveScoring(metric: Metric) throws {
        let d = 13, n = 300
        let base = TestData.gaussian(count: n, dimension: d, seed: 1)
        let index = try FlatIndex(dimension: d, metric: metric)
        for i in 0..<n { try index.add(TestData.row(base, i, dimension: d), id: UInt64(1000 + i)) }
        let q = TestData.gaussian(count: 1, dimension: d, seed: 2)
        let hits = try index.search(q, k: 5)
        #expect(hits.count == 5)
        // naive scoring
        func norm(_ v: [Float]) -> [Float] { let s = v.reduce(0) { $0 + $1 * $1 }.squareRoot(); return v.map { $0 / s } }
        var scored: [(UInt64, Float)] = []
        for i in 0..<n {
            var x = TestData.row(base, i, dimension: d), y = q
            if metric == .cosine { x = norm(x); y = norm(y) }
            var s: Float = 0
            for j in 0..<d { s += metric == .l2 ? -(x[j] - y[j]) * (x[j] - y[j]) : x[j] * y[j] }
            scored.append((UInt64(1000 + i), s))
        }
        scored.sort { $0.1 > $1.1 }
        #expect(hits.map(\.id) == scored.prefix(5).map(\.0))
        for (h, s) in zip(hits, scored) { #expect(abs(h.score - s.1) < 1e-4) }
    }

    @Test func removeReplaceAndFilter() throws {
        let index = try FlatIndex(dimension: 2, metric: .innerProduct)
        try index.add([1, 0], id: 1)
        try index.add([2, 0], id: 2)
        try index.add([3, 0], id: 3)
        #expect(try index.search([1, 0], k: 1).first?.id == 3)
        try index.remove(id: 3)
        #expect(index.count == 2)
        #expect(try index.search([1, 0], k: 3).map(\.id) == [2, 1])
        try index.add([5, 0], id: 1)  // replace
        #expect(try index.search([1, 0], k: 1).first == Neighbor(id: 1, score: 5))
        let only2 = SearchParameters(filter: IDFilter(allowing: [2]))
        #expect(try index.search([1, 0], k: 3, parameters: only2).map(\.id) == [2])
        #expect(throws: IndexError.unknownID(3)) { try index.remove(id: 3) }
    }

    @Test func badInputIsRejected() throws {
        let index = try FlatIndex(dimension: 3, metric: .l2)
        #expect(throws: IndexError.dimensionMismatch(expected: 3, got: 2)) { try index.add([1, 2], id: 0) }
        #expect(throws: IndexError.nonFiniteComponent(component: 1)) { try index.add([1, .nan, 2], id: 0) }
        #expect(throws: IndexError.invalidK(0)) { try index.search([1, 2, 3], k: 0) }
        #expect(try index.search([1, 2, 3], k: 4).isEmpty)
    }
}
