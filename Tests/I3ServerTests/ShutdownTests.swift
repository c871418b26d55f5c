import Foundation
@testable import I3Server
import Testing
import TestSupport

@Suite struct ShutdownTests {
    /// A graceful shutdown lets the requests in flight finish with their answers, then `run` returns
    /// and the port no longer accepts connections.
    @Test func gracefulShutdownFinishesRequestsInFlight() async throws {
        let dir = try TemporaryDirectory()
        let index = dir.path("index")
        try ST.build(into: index)
        let slow = SlowEncoder(base: try ST.encoder(), delay: 0.5)
        let s = try await ST.start(index, loader: RetrieverLoader { _ in slow })
        let inFlight = Task { try await s.post("/v1/search", json: #"{"query": "ear", "k": 3}"#) }
        try await Task.sleep(for: .milliseconds(150))
        await s.server.shutdown()
        let r = try await inFlight.value
        #expect(r.status == 200)
        #expect(try JSONDecoder().decode(SearchResponse.self, from: r.body).hits.count == 3)
        try await s.task.value
        await #expect(throws: (any Error).self) { _ = try await s.request("GET", "/healthz") }
    }
}
