import Foundation
import I3Retriever
@testable import I3Server
import Testing
import TestSupport

@Suite struct HotReloadTests {
    /// While clients search, the live directory is replaced by `IndexBuilder` (as `i3 index --overwrite`
    /// does) with an index of other ids, and also reloaded through the admin route. Every answer is 200
    /// and comes whole from the one generation it names: its hits are exactly what that generation's
    /// index answers in process, and a generation never answers with both indexes.
    @Test func answersNeverMixGenerationsDuringReloads() async throws {
        let dir = try TemporaryDirectory()
        let a = ST.collection
        let b = try ST.prefixedCollection("B-", in: dir)
        try ST.build(a, into: dir.path("a"))
        try ST.build(b, into: dir.path("b"))
        let enc = try ST.encoder()
        let ra = try Retriever(directory: dir.path("a"), encoder: enc)
        let rb = try Retriever(directory: dir.path("b"), encoder: enc)
        let queries = try ST.queries()
        let expectedA = try queries.map { try ra.search($0, k: 5).map(HitJSON.init(hit:)) }
        let expectedB = try queries.map { try rb.search($0, k: 5).map(HitJSON.init(hit:)) }

        let live = dir.path("live")
        try ST.build(a, into: live)
        let s = try await ST.start(live, configuration: ST.configuration { $0.watchInterval = .milliseconds(20) })

        let answers = try await withThrowingTaskGroup(of: [(generation: Int, index: Character, ok: Bool)].self) { g in
            for client in 0 ..< 4 {
                g.addTask {
                    var seen: [(Int, Character, Bool)] = []
                    for i in 0 ..< 60 {
                        let qi = (i + client) % queries.count
                        if i % 5 == 4 {
                            let body = try JSONSerialization.data(withJSONObject: ["queries": queries, "k": 5])
                            let r = try await s.request("POST", "/v1/search", body: body)
                            guard r.status == 200 else { throw TestFailure("batch: status \(r.status)") }
                            let batch = try JSONDecoder().decode(BatchSearchResponse.self, from: r.body)
                            let which: Character = batch.hits == expectedA ? "A" : batch.hits == expectedB ? "B" : "?"
                            seen.append((batch.generation, which, which != "?"))
                        } else {
                            let r = try await s.search(["query": queries[qi], "k": 5])
                            let which: Character = r.hits == expectedA[qi] ? "A" : r.hits == expectedB[qi] ? "B" : "?"
                            seen.append((r.generation, which, which != "?"))
                        }
                    }
                    return seen
                }
            }
            g.addTask {
                for round in 0 ..< 6 {
                    try ST.build(round % 2 == 0 ? b : a, into: live)
                    try await Task.sleep(for: .milliseconds(60))
                    if round % 3 == 2 { _ = try await s.request("POST", "/v1/admin/reload") }
                }
                return []
            }
            var all: [(generation: Int, index: Character, ok: Bool)] = []
            for try await x in g { all += x }
            return all
        }
        #expect(answers.count == 240)
        let whole = answers.filter { $0.ok }.count
        #expect(whole == answers.count, "an answer matched neither index whole")
        var indexOfGeneration: [Int: Set<Character>] = [:]
        for x in answers { indexOfGeneration[x.generation, default: []].insert(x.index) }
        #expect(indexOfGeneration.values.allSatisfy { $0.count == 1 }, "a generation answered from both indexes: \(indexOfGeneration)")
        #expect(s.server.store.current.number >= 7, "6 replacements and 2 admin reloads")
        // Answers after the last replacement (A) come from it.
        try await Task.sleep(for: .milliseconds(100))
        let last = try await s.search(["query": queries[0], "k": 5])
        #expect(last.hits == expectedA[0] && last.generation == s.server.store.current.number)
        try await s.stop()
    }

    /// The admin route and the watcher: a reload of an unchanged directory by the watcher does nothing,
    /// the admin route always opens a new generation, and a broken directory leaves the old one serving.
    @Test func reloadOutcomes() async throws {
        let dir = try TemporaryDirectory()
        let live = dir.path("live")
        try ST.build(into: live)
        let s = try await ST.start(live)
        #expect(try s.server.store.reload(onlyIfChanged: true) == ReloadOutcome(previous: 1, current: 1))
        let r = try await s.request("POST", "/v1/admin/reload")
        #expect(r.status == 200)
        let o = try JSONDecoder().decode(ReloadResponse.self, from: r.body)
        #expect(o.previous_generation == 1 && o.generation == 2 && o.swapped)
        // A corrupt replacement: reload fails with 409, generation 2 keeps answering.
        try Data("{ not a manifest".utf8).write(to: live.appendingPathComponent("retriever.json"))
        let bad = try await s.request("POST", "/v1/admin/reload")
        #expect(bad.status == 409)
        #expect(try JSONDecoder().decode(ErrorBody.self, from: bad.body).error.code == "reload_failed")
        let still = try await s.search(["query": "ear", "k": 3])
        #expect(still.generation == 2 && still.hits.count == 3)
        let metrics = String(decoding: try await s.request("GET", "/metrics").body, as: UTF8.self)
        #expect(metrics.contains(#"i3_index_reloads_total{result="failed"} 1"#))
        try await s.stop()
    }
}
