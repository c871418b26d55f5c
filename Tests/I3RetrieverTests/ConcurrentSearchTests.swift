import DataSets
import Foundation
import Testing
@testable import I3Retriever
import TestSupport
import VectorKernels

@Suite struct ConcurrentSearchTests {
    @Test func concurrentSearchesEqualSerialOnes() async throws {
        let dir = try TemporaryDirectory()
        let (out, enc) = try RT.buildFixture(in: dir)
        let r = try Retriever(directory: out, encoder: enc)
        let queries = try TrecFiles.readQueries(RT.queries).map(\.text)
        let serial = try queries.map { try r.search($0, k: 10) }
        // Threads.
        let slots = SharedBuffer<Result<[SearchHit], Error>?>(count: queries.count * 8, initial: nil)
        DispatchQueue.concurrentPerform(iterations: queries.count * 8) { i in
            slots[i] = Result { try r.search(queries[i % queries.count], k: 10) }
        }
        let threaded = try (0..<slots.count).map { try #require(slots[$0]).get() }
        for (i, hits) in threaded.enumerated() { #expect(hits == serial[i % queries.count]) }
        // Tasks.
        let fromTasks = try await withThrowingTaskGroup(of: (Int, [SearchHit]).self) { g in
            for (i, q) in queries.enumerated() { g.addTask { (i, try r.search(q, k: 10)) } }
            var out = [[SearchHit]](repeating: [], count: queries.count)
            for try await (i, h) in g { out[i] = h }
            return out
        }
        #expect(fromTasks == serial)
        #expect(try r.search(batch: queries, k: 10) == serial)
    }
}
