import Foundation
@testable import I3Server
import Testing
import TestSupport

@Suite struct ServerErrorTests {
    /// Every bad request gets a 4xx with a JSON body naming the field; none gets a 500.
    @Test func badRequestsAre4xxNamingTheField() async throws {
        let dir = try TemporaryDirectory()
        let index = dir.path("index")
        try ST.build(into: index)
        let s = try await ST.start(index, configuration: ST.configuration { $0.maxBodyBytes = 64 << 10; $0.maxK = 100 })
        let v256 = Array(repeating: "0.1", count: 256)
        var nan = v256
        nan[3] = "\"NaN\""
        var huge = v256
        huge[0] = "1e39"
        let cases: [(body: String, status: Int, field: String, code: String)] = [
            ("{not json", 400, "body", "malformed_json"),
            ("", 400, "body", "malformed_json"),
            ("[1, 2]", 400, "body", "malformed_json"),
            ("{}", 400, "query", "invalid_field"),
            (#"{"query": "   "}"#, 400, "query", "invalid_field"),
            (#"{"query": 5}"#, 400, "query", "invalid_field"),
            (#"{"query": null, "k": 3}"#, 400, "query", "invalid_field"),
            (#"{"query": "ear", "k": 0}"#, 400, "k", "invalid_field"),
            (#"{"query": "ear", "k": 101}"#, 400, "k", "invalid_field"),
            (#"{"query": "ear", "k": "ten"}"#, 400, "k", "invalid_field"),
            (#"{"query": "ear", "k": 2.5}"#, 400, "k", "invalid_field"),
            (#"{"query": "ear", "ef": 0}"#, 400, "ef", "invalid_field"),
            (#"{"query": "ear", "nprobe": -1}"#, 400, "nprobe", "invalid_field"),
            (#"{"query": "ear", "refine": 0}"#, 400, "refine", "invalid_field"),
            (#"{"query": "ear", "queries": ["ear"]}"#, 400, "queries", "invalid_field"),
            (#"{"queries": []}"#, 400, "queries", "invalid_field"),
            (#"{"queries": ["ear", ""]}"#, 400, "queries[1]", "invalid_field"),
            (#"{"queries": ["ear", 7]}"#, 400, "queries[1]", "invalid_field"),
            (#"{"vector": [0.1, 0.2, 0.3]}"#, 400, "vector", "invalid_field"),
            (#"{"vector": []}"#, 400, "vector", "invalid_field"),
            ("{\"vector\": [\(nan.joined(separator: ","))]}", 400, "vector[3]", "invalid_field"),
            ("{\"vector\": [\(huge.joined(separator: ","))]}", 400, "vector[0]", "invalid_field"),
            (#"{"query": "ear", "ids": ["gc008339", "no-such-id"]}"#, 400, "ids[1]", "invalid_field"),
            (#"{"query": "ear", "ids": []}"#, 400, "ids", "invalid_field"),
            (#"{"query": "ear", "kk": 3}"#, 400, "kk", "invalid_field"),
            (#"{"query": "\#(String(repeating: "x", count: 9000))"}"#, 400, "query", "invalid_field"),
            ("{\"query\": \"\(String(repeating: "x", count: 70_000))\"}", 413, "body", "body_too_large"),
        ]
        for c in cases {
            let r = try await s.post("/v1/search", json: c.body)
            #expect(r.status == c.status, "\(c.body.prefix(80))")
            #expect(r.type.hasPrefix("application/json"))
            let e = try JSONDecoder().decode(ErrorBody.self, from: r.body)
            #expect(e.error.field == c.field, "\(c.body.prefix(80)): \(e.error.message)")
            #expect(e.error.code == c.code && e.error.status == c.status && !e.error.message.isEmpty)
        }
        // Invalid UTF-8 inside a string.
        var bytes = Data(#"{"query": "ab"#.utf8)
        bytes.append(contentsOf: [0xFF, 0xFE])
        bytes.append(contentsOf: Data(#"cd"}"#.utf8))
        let u = try await s.request("POST", "/v1/search", body: bytes)
        #expect(u.status == 400)
        #expect(try JSONDecoder().decode(ErrorBody.self, from: u.body).error.field == "body")
        // Unknown passage and route.
        let p = try await s.request("GET", "/v1/passages/no-such-id")
        #expect(p.status == 404)
        #expect(try JSONDecoder().decode(ErrorBody.self, from: p.body).error.field == "id")
        let nf = try await s.request("GET", "/v2/nothing")
        #expect(nf.status == 404)
        #expect(try JSONDecoder().decode(ErrorBody.self, from: nf.body).error.code == "not_found")
        // The server still answers normally afterwards.
        #expect(try await s.search(["query": "ear", "k": 2]).hits.count == 2)
        try await s.stop()
    }

    /// A search that cannot get a thread within the request timeout is answered 503 `timeout`, not left
    /// hanging (text queries not batched here: a batch would answer all three in one slow pass).
    @Test func searchesWaitingPastTheTimeoutGet503() async throws {
        let dir = try TemporaryDirectory()
        let index = dir.path("index")
        try ST.build(into: index)
        let slow = SlowEncoder(base: try ST.encoder(), delay: 0.4)
        let s = try await ST.start(index, configuration: ST.configuration { $0.searchThreads = 1; $0.requestTimeout = .milliseconds(50); $0.maxEncodeBatch = 1 },
                                   loader: RetrieverLoader { _ in slow })
        let statuses = try await withThrowingTaskGroup(of: (Int, String).self) { g in
            for _ in 0 ..< 3 {
                g.addTask {
                    let r = try await s.post("/v1/search", json: #"{"query": "ear", "k": 2}"#)
                    let code = r.status == 200 ? "" : (try JSONDecoder().decode(ErrorBody.self, from: r.body).error.code)
                    return (r.status, code)
                }
            }
            var out: [(Int, String)] = []
            for try await x in g { out.append(x) }
            return out
        }
        #expect(statuses.filter { $0.0 == 200 }.count >= 1)
        #expect(statuses.contains { $0 == (503, "timeout") })
        #expect(statuses.allSatisfy { $0.0 == 200 || $0 == (503, "timeout") })
        try await s.stop()
    }
}
