import Foundation
import I3Retriever
@testable import I3Server
import IndexCore
import Testing
import TestSupport

@Suite struct ServerRouteTests {
    @Test func searchAnswersEqualInProcessRetrieverSearch() async throws {
        let dir = try TemporaryDirectory()
        let index = dir.path("index")
        try ST.build(into: index, type: .hnsw)
        let r = try Retriever(directory: index, encoder: try ST.encoder())
        let s = try await ST.start(index)
        let queries = try ST.queries()
        for q in queries {
            let expected = try r.search(q, k: 5).map(HitJSON.init(hit:))
            let answer = try await s.search(["query": q, "k": 5])
            #expect(answer.hits == expected, "query \(q)")
            #expect(answer.generation == 1)
            #expect(answer.took_ms >= 0)
            // By vector: the encoder's vector gives the same hits.
            let v = try r.encode([q])[0]
            let byVector = try await s.search(["vector": v.map(Double.init), "k": 5])
            #expect(byVector.hits == expected)
            // Index knobs reach the index: ef as i3 search --ef passes it.
            let withEf = try await s.search(["query": q, "k": 3, "ef": 7])
            #expect(withEf.hits == (try r.search(q, k: 3, parameters: SearchParameters(ef: 7)).map(HitJSON.init(hit:))))
        }
        // A batch: one list per query, in order, equal to search(batch:).
        let batchBody = try JSONSerialization.data(withJSONObject: ["queries": queries, "k": 4])
        let b = try await s.request("POST", "/v1/search", body: batchBody)
        #expect(b.status == 200)
        let batch = try JSONDecoder().decode(BatchSearchResponse.self, from: b.body)
        #expect(batch.hits == (try r.search(batch: queries, k: 4).map { $0.map(HitJSON.init(hit:)) }))
        // An id filter: only the allowed passages come back, ranked as the filtered in-process search ranks them.
        let all = try r.search(queries[0], k: 20)
        let allowed = [all[3].id, all[7].id, all[11].id]
        let filtered = try await s.search(["query": queries[0], "k": 10, "ids": allowed])
        #expect(Set(filtered.hits.map(\.id)) == Set(allowed))
        let allowedInternal = Set(all.filter { allowed.contains($0.id) }.map(\.internalID))
        #expect(filtered.hits == (try r.search(queries[0], k: 10, parameters: SearchParameters(filter: IDFilter(allowing: allowedInternal))).map(HitJSON.init(hit:))))
        try await s.stop()
    }

    @Test func passageIndexHealthAndPageRoutes() async throws {
        let dir = try TemporaryDirectory()
        let index = dir.path("index")
        try ST.build(into: index)
        let r = try Retriever(directory: index, encoder: try ST.encoder())
        let s = try await ST.start(index)

        let stored = try r.passage(internalID: 5)
        let p = try await s.request("GET", "/v1/passages/\(stored.id)")
        #expect(p.status == 200)
        let passage = try JSONDecoder().decode(PassageResponse.self, from: p.body)
        #expect(passage.id == stored.id && passage.text == stored.text && passage.title == (stored.title ?? "") && passage.generation == 1)

        let i = try await s.request("GET", "/v1/index")
        #expect(i.status == 200 && i.type.hasPrefix("application/json"))
        let info = try JSONDecoder().decode(IndexInfoResponse.self, from: i.body)
        #expect(info.passage_count == r.count && info.dimension == 256 && info.index_type == "flat")
        #expect(info.model_identity == r.manifest.modelIdentity && info.created_at == r.manifest.createdAt && info.generation == 1)

        for path in ["/healthz", "/readyz"] {
            let h = try await s.request("GET", path)
            #expect(h.status == 200, "\(path)")
            let status = try JSONDecoder().decode(StatusResponse.self, from: h.body)
            #expect(status.generation == 1 && ["ok", "ready"].contains(status.status))
        }

        let page = try await s.request("GET", "/")
        #expect(page.status == 200 && page.type.hasPrefix("text/html"))
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(html.contains("<form id=\"search\">") && html.contains("fetch(\"/v1/search\""))
        #expect(!html.contains("http://") && !html.contains("https://"), "the page loads nothing from elsewhere")
        try await s.stop()
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        let dir = try TemporaryDirectory()
        let index = dir.path("index")
        try ST.build(into: index)
        let s = try await ST.start(index)
        _ = try await s.search(["query": "snake", "k": 3])
        _ = try await s.search(["query": "ear", "k": 3])
        _ = try await s.post("/v1/search", json: #"{"k": 3}"#)
        _ = try await s.request("GET", "/no/such/route")
        let m = try await s.request("GET", "/metrics")
        #expect(m.status == 200 && m.type.hasPrefix("text/plain"))
        let text = String(decoding: m.body, as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        func value(_ prefix: String, _ labels: [String]) -> Double? {
            lines.first { $0.hasPrefix(prefix + "{") && labels.allSatisfy($0.contains) }
                .flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        }
        #expect(value("i3_http_requests_total", [#"route="/v1/search""#, #"method="POST""#, #"status="200""#]) == 2)
        #expect(value("i3_http_requests_total", [#"route="/v1/search""#, #"status="400""#]) == 1)
        #expect(value("i3_http_requests_total", [#"route="NotFound""#, #"status="404""#]) == 1)
        #expect(value("i3_http_request_duration_seconds_count", [#"route="/v1/search""#]) == 3)
        #expect(value("i3_http_request_duration_seconds_bucket", [#"route="/v1/search""#, #"le="+Inf""#]) == 3)
        #expect(lines.contains("i3_index_generation 1.0") || lines.contains("i3_index_generation 1"))
        try await s.stop()
    }
}
