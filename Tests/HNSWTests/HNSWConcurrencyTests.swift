import Foundation
import Synchronization
@testable import HNSW
import IndexCore
import Testing
import TestSupport
import VectorKernels

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

    /// Searches aimed at the vector being inserted right now. Their greedy descent ends on the new node as
    /// soon as it is reachable on an upper level, so they see its level-0 links in whatever state the
    /// insertion has left them: they must already be in place (a node is linked bottom-up), else the
    /// level-0 search starts from a node without links and returns a single result.
    @Test func searchesAimedAtTheNodeBeingInsertedFindK() throws {
        for _ in 0..<4 { try aimAtTheNodeBeingInserted() }
    }

    private func aimAtTheNodeBeingInserted() throws {
        let d = Fixture.dimension
        // m = 4: a quarter of the nodes reach level 1, so many insertions publish upper-level links.
        let index = try HNSWIndex(dimension: d, metric: .l2, parameters: HNSWParameters(m: 4, efConstruction: 16))
        try index.add(contentsOf: Array(Fixture.base[0 ..< 200 * d]), ids: (0..<UInt64(200)).map { $0 }, threads: 1)
        try index.withGraph { g in try #require(g).reserve(2000) }
        let current = Synchronization.Mutex<Int>(200)
        let failures = Synchronization.Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 3) { worker in
            if worker == 0 {
                for i in 200..<2000 {
                    current.withLock { $0 = i }
                    do {
                        try index.add(TestData.row(Fixture.base, i, dimension: d), id: UInt64(i))
                    } catch {
                        failures.withLock { $0.append("add \(i): \(error)") }
                    }
                }
                current.withLock { $0 = -1 }
                return
            }
            while true {
                let i = current.withLock { $0 }
                if i < 0 { break }
                do {
                    let r = try index.search(TestData.row(Fixture.base, i, dimension: d), k: 10,
                                             parameters: SearchParameters(ef: 16))
                    if r.count != 10 { failures.withLock { $0.append("query = row \(i): \(r.count) results") } }
                } catch {
                    failures.withLock { $0.append("search \(i): \(error)") }
                }
            }
        }
        let seen = failures.withLock { $0 }
        #expect(seen.isEmpty, "\(seen.count) bad searches, first: \(seen.prefix(5))")
        #expect(index.count == 2000)
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
