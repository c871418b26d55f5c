@testable import HNSW
import IndexCore
import Testing

@Suite struct HNSWValidationTests {
    @Test func badInputGivesClearErrors() throws {
        let index = try HNSWIndex(dimension: 4, metric: .l2)
        #expect(throws: IndexError.dimensionMismatch(expected: 4, got: 3)) { try index.add([1, 2, 3], id: 1) }
        #expect(throws: IndexError.nonFiniteComponent(component: 2)) { try index.add([1, 2, .nan, 4], id: 1) }
        #expect(throws: IndexError.nonFiniteComponent(component: 0)) { try index.add([.infinity, 2, 3, 4], id: 1) }
        #expect(throws: IndexError.nonFiniteComponent(component: 1)) {
            try index.add(contentsOf: [1, 2, 3, 4, 5, -.infinity, 7, 8], ids: [1, 2])
        }
        #expect(index.count == 0)   // a bad batch adds nothing
        #expect(throws: IndexError.dimensionMismatch(expected: 8, got: 7)) {
            try index.add(contentsOf: [1, 2, 3, 4, 5, 6, 7], ids: [1, 2])
        }
        // Empty index: an empty result, not an error.
        #expect(try index.search([1, 2, 3, 4], k: 3).isEmpty)
        try index.add([1, 2, 3, 4], id: 1)
        #expect(throws: IndexError.invalidK(0)) { try index.search([1, 2, 3, 4], k: 0) }
        #expect(throws: IndexError.invalidK(-2)) { try index.search([1, 2, 3, 4], k: -2) }
        #expect(throws: IndexError.dimensionMismatch(expected: 4, got: 5)) { try index.search([1, 2, 3, 4, 5], k: 1) }
        #expect(throws: IndexError.nonFiniteComponent(component: 3)) { try index.search([1, 2, 3, .nan], k: 1) }
        #expect(throws: IndexError.self) { try index.search([1, 2, 3, 4], k: 1, parameters: SearchParameters(ef: 0)) }
        #expect(throws: IndexError.self) { try HNSWIndex(dimension: 0, metric: .l2) }
        #expect(throws: IndexError.self) { try HNSWIndex(dimension: 4, metric: .l2, parameters: HNSWParameters(m: 1)) }
        #expect(throws: IndexError.self) { try index.search(batch: [1, 2, 3], k: 1) }
        #expect(throws: IndexError.incompleteVectors(floats: 3, dimension: 4)) { try index.search(batch: [1, 2, 3], k: 1) }
        // A bad query in a batch fails with its own error, not a generic one.
        #expect(throws: IndexError.nonFiniteComponent(component: 2)) {
            try index.search(batch: [1, 2, 3, 4, 1, 2, .nan, 4], k: 1, threads: 2)
        }
        let int8 = try HNSWIndex(dimension: 4, metric: .l2, parameters: HNSWParameters(storage: .int8))
        #expect(throws: IndexError.incompleteVectors(floats: 6, dimension: 4)) { try int8.train([1, 2, 3, 4, 5, 6]) }
        #expect(throws: IndexError.invalidK(0)) { try index.search(batch: [1, 2, 3, 4], k: 0) }
        #expect("\(IndexError.nonFiniteComponent(component: 3))".contains("NaN"))
    }

    @Test func level0StrideMatchesTheDocumentedLayout() throws {
        // 4 B count + 2·M × 4 B links + dimension × bytes per component, rounded up to 4 B.
        let f32 = try HNSWIndex(dimension: 32, metric: .l2, parameters: HNSWParameters(m: 16))
        #expect(f32.level0Stride == 4 + 32 * 4 + 32 * 4)
        let f16 = try HNSWIndex(dimension: 33, metric: .l2, parameters: HNSWParameters(m: 8, storage: .float16))
        #expect(f16.level0Stride == 4 + 16 * 4 + 68)
        let i8 = try HNSWIndex(dimension: 50, metric: .l2, parameters: HNSWParameters(m: 12, storage: .int8))
        #expect(i8.level0Stride == 4 + 24 * 4 + 52)
        // Vectors really sit at that stride: slot s's vector starts at s · stride + 4 + 8·M.
        try f32.add(contentsOf: Fixture.base, ids: Fixture.ids, threads: 1)
        f32.withGraph { g in
            guard let g else { Issue.record("no graph"); return }
            let store = g.store
            #expect(store.stride == f32.level0Stride)
            for s in [0, 1, 999, 1999] {
                let raw = store.level0 + s * store.stride + 4 + 4 * 32
                let v = raw.assumingMemoryBound(to: Float.self)
                #expect((0..<32).allSatisfy { v[$0] == Fixture.base[s * 32 + $0] })
                #expect(store.vector(UInt32(s)) == raw)
            }
        }
    }
}
