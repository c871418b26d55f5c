@testable import HNSW
import IndexCore
import Testing
import TestSupport
import VectorKernels

@Suite struct HNSWFilterAndDeleteTests {
    @Test func filterNeverReturnsExcludedIdsAndStillFindsK() throws {
        let index = try Fixture.build(metric: .l2)
        let allowed = Set((0..<UInt64(2000)).filter { $0 % 50 == 3 })   // 40 allowed ids
        let params = SearchParameters(ef: 20, filter: IDFilter(allowing: allowed))
        for q in 0..<20 {
            let query = TestData.row(Fixture.queries, q, dimension: Fixture.dimension)
            let found = try index.search(query, k: 10, parameters: params)
            #expect(found.count == 10)
            #expect(found.allSatisfy { allowed.contains($0.id) })
            // The filtered result is the exact top 10 among the allowed ids (40 allowed, so it must be).
            let flat = try FlatIndex(dimension: Fixture.dimension, metric: .l2)
            for id in allowed { try flat.add(TestData.row(Fixture.base, Int(id), dimension: Fixture.dimension), id: id) }
            #expect(found.map(\.id) == (try flat.search(query, k: 10)).map(\.id))
        }
        // Fewer allowed ids than k: all of them and nothing else.
        let three = SearchParameters(filter: IDFilter { $0 == 5 || $0 == 1500 || $0 == 1999 })
        let few = try index.search(TestData.row(Fixture.queries, 0, dimension: 32), k: 10, parameters: three)
        #expect(Set(few.map(\.id)) == [5, 1500, 1999])
    }

    @Test func removedIdsAreSkippedAndReinsertReplaces() throws {
        let index = try Fixture.build(metric: .l2)
        let target = TestData.row(Fixture.base, 123, dimension: 32)
        #expect(try index.search(target, k: 1).first?.id == 123)
        try index.remove(id: 123)
        #expect(index.count == 1999)
        #expect(index.tombstoneCount == 1)
        #expect(try index.search(target, k: 10).allSatisfy { $0.id != 123 })
        #expect(throws: IndexError.unknownID(123)) { try index.remove(id: 123) }
        // Re-insert under the same id with a new vector: found at the new place.
        let moved = TestData.row(Fixture.base, 7, dimension: 32).map { $0 + 0.001 }
        try index.add(moved, id: 123)
        #expect(index.count == 2000)
        let near7 = try index.search(moved, k: 2).map(\.id)
        #expect(near7.contains(123) && near7.contains(7))
        // Replacing a live id tombstones its old vector.
        try index.add(target, id: 7)
        #expect(index.tombstoneCount == 2)
        #expect(try index.search(target, k: 1).first?.id == 7)
        #expect(index.count == 2000)
    }

    @Test func compactDropsTombstonesAndKeepsAnswers() throws {
        let index = try Fixture.build(metric: .cosine)
        for id in stride(from: UInt64(0), to: 2000, by: 3) { try index.remove(id: id) }
        #expect(index.tombstoneCount == 667)
        let before = try index.search(batch: Fixture.queries, k: 10, parameters: SearchParameters(ef: 200))
        let memoryBefore = index.memoryBytes
        try index.compact()
        #expect(index.tombstoneCount == 0)
        #expect(index.count == 1333)
        #expect(index.memoryBytes < memoryBefore)
        let after = try index.search(batch: Fixture.queries, k: 10, parameters: SearchParameters(ef: 200))
        #expect(after.allSatisfy { $0.allSatisfy { $0.id % 3 != 0 } })
        // High ef: both graphs find (almost) the exact answers, so they agree.
        #expect(TestData.recall(after.map { $0.map(\.id) }, truth: before.map { $0.map(\.id) }, k: 10) >= 0.98)
    }

    @Test func deletingEverythingGivesEmptyResults() throws {
        let index = try HNSWIndex(dimension: 3, metric: .l2)
        try index.add([1, 2, 3], id: 1)
        try index.add([3, 2, 1], id: 2)
        try index.remove(id: 1)
        try index.remove(id: 2)
        #expect(try index.search([1, 2, 3], k: 5).isEmpty)
        try index.compact()
        #expect(index.count == 0 && index.tombstoneCount == 0)
        #expect(try index.search([1, 2, 3], k: 5).isEmpty)
        try index.add([0, 0, 1], id: 9)
        #expect(try index.search([1, 2, 3], k: 5).map(\.id) == [9])
    }
}
