import Foundation
@testable import HNSW
import IndexCore
import Testing
import TestSupport

@Suite struct HNSWConcurrencyTests {
    /// Searches on several threads while other threads insert, replace and remove: every search
    /// returns well-formed results, and the final index holds exactly what was written.
    @Test func searchesRunSafelyDuringInsertsAndRemovals() throws {
        let d = Fixture.dimension
        let index = try HNSWIndex(dimension: d, metric: .l2, parameters: HNSWParameters(m: 8, efConstruction: 40))
        try index.add(contentsOf: Array(Fixture.base[0 ..< 500 * d]), ids: (0..<UInt64(500)).map { $0 }, threads: 1)
        let bad = UnsafeSendableCounter()
        DispatchQueue.concurrentPerform(iterations: 6) { worker in
            do {
                switch worker {
                case 0, 1:
                    // Writers: rows 500..<2000 one at a time (forcing storage growth), interleaved.
                    for i in stride(from: 500 + worker, to: 2000, by: 2) {
                        try index.add(TestData.row(Fixture.base, i, dimension: d), id: UInt64(i))
                    }
                case 2:
                    for id in stride(from: UInt64(0), to: 500, by: 5) { try index.remove(id: id) }
                default:
                    for round in 0..<150 {
                        let q = TestData.row(Fixture.queries, (round + worker) % 100, dimension: d)
                        let r = try index.search(q, k: 10, parameters: SearchParameters(ef: 32))
                        let sorted = zip(r, r.dropFirst()).allSatisfy { !Neighbor.ranksBefore($1, $0) }
                        if r.count != 10 || !sorted || Set(r.map(\.id)).count != r.count {
                            bad.increment()
                            Issue.record("query \((round + worker) % 100): \(r.count) results, sorted \(sorted), ids \(r.map(\.id))")
                        }
                    }
                }
            } catch {
                bad.increment()
                Issue.record("worker \(worker): \(error)")
            }
        }
        #expect(bad.value == 0)
        #expect(index.count == 2000 - 100)
        #expect(index.tombstoneCount == 100)
        // Concurrent batch builds and searches give a usable graph.
        #expect(try Fixture.recall(index, metric: .l2, ef: 128) >= 0.85)
    }

    @Test func batchSearchEqualsSequentialSearch() throws {
        let index = try Fixture.build(metric: .cosine)
        let batch = try index.search(batch: Fixture.queries, k: 5, threads: 3)
        for q in 0..<100 {
            #expect(batch[q] == (try index.search(TestData.row(Fixture.queries, q, dimension: 32), k: 5)))
        }
    }
}

/// A thread-safe counter for the concurrency tests.
final class UnsafeSendableCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
