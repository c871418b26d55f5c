import Foundation
@testable import I3Server
import Testing
import TestSupport

@Suite struct OpenAPIDocumentTests {
    static var committed: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/I3Server/Resources/openapi.json")
    }

    /// The served document is the committed one; its paths and methods are exactly the server's routes,
    /// each of which the live server answers (not 404/405); every `$ref` resolves.
    @Test func documentMatchesTheLiveRoutes() async throws {
        let dir = try TemporaryDirectory()
        let index = dir.path("index")
        try ST.build(into: index)
        let s = try await ST.start(index)
        let served = try await s.request("GET", "/openapi.json")
        #expect(served.status == 200)
        let file = try Data(contentsOf: Self.committed)
        #expect(served.body == file)

        let doc = try #require(try JSONSerialization.jsonObject(with: file) as? [String: Any])
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, ops) in paths { for method in ops.keys { documented.insert(method.uppercased() + " " + path) } }
        let routes = Set(SearchAPI.routes.map { $0.method + " " + $0.path })
        #expect(documented == routes)

        for route in SearchAPI.routes {
            let path = route.path.replacingOccurrences(of: "{id}", with: "gc008339")
            let body: Data? = route.method == "POST" && route.path == "/v1/search" ? Data(#"{"query":"ear"}"#.utf8) : nil
            let r = try await s.request(route.method, path, body: body)
            #expect(r.status == 200, "\(route.method) \(route.path) answered \(r.status)")
        }

        let schemas = try #require((doc["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let text = String(decoding: file, as: UTF8.self)
        let refs = text.components(separatedBy: "\"$ref\": \"#/components/schemas/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(!refs.isEmpty)
        for ref in refs { #expect(schemas[ref] != nil, "unresolved $ref \(ref)") }
        try await s.stop()
    }
}
