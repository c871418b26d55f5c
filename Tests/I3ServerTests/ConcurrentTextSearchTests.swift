import Foundation
import I3Retriever
@testable import I3Server
import Testing
import TestSupport

/// Text queries that wait at once are encoded together; each still gets its own hits.
@Suite struct ConcurrentTextSearchTests {
    @Test func queriesWaitingTogetherAreEncodedInOnePassAndEachGetsItsOwnHits() async throws {
        let dir = try TemporaryDirectory()
        let index = dir.path("index")
        try ST.build(into: index, type: .hnsw)
        let r = try Retriever(directory: index, encoder: try ST.encoder())
        // One search thread and an encoder that takes 0.3 s per pass: while the first query is encoded,
        // the others arrive and wait.
        let slow = SlowEncoder(base: try ST.encoder(), delay: 0.3)
        let s = try await ST.start(index, configuration: ST.configuration { $0.searchThreads = 1; $0.maxEncodeBatch = 8 },
                                   loader: RetrieverLoader { _ in slow })
        let queries = Array(try ST.queries().prefix(12))
        let answers = try await withThrowingTaskGroup(of: (Int, SearchResponse).self) { g in
            for (i, q) in queries.enumerated() {
                g.addTask { (i, try await s.search(["query": q, "k": 5])) }
            }
            var out: [Int: SearchResponse] = [:]
            for try await (i, a) in g { out[i] = a }
            return out
        }
        for (i, q) in queries.enumerated() {
            #expect(answers[i]?.hits == (try r.search(q, k: 5).map(HitJSON.init(hit:))), "query \(q)")
        }
        // 12 queries in fewer passes than queries, none larger than 8.
        let metrics = String(decoding: try await s.request("GET", "/metrics").body, as: UTF8.self)
        let passes = try #require(Self.value(of: "i3_search_encode_batch_size_count", in: metrics))
        let encoded = try #require(Self.value(of: "i3_search_encode_batch_size_sum", in: metrics))
        let over8 = Self.value(of: #"i3_search_encode_batch_size_bucket{le="8.0"}"#, in: metrics)
        #expect(encoded == 12)
        #expect(passes < 12 && passes >= 2, "\(passes) passes")
        #expect(over8 == passes)
        try await s.stop()
    }

    static func value(of name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
