import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import I3Retriever
import IndexCore
import VectorKernels
@testable import I3Server
import Logging
import TestSupport

/// Shared helpers of the server tests: tiny fixture indexes (hashed bag-of-words encoder, no model
/// needed), a server on 127.0.0.1 with an ephemeral port, and a small HTTP client.
enum ST {
    static var collection: URL { FixturePaths.root.appendingPathComponent("retriever/collection.tsv") }
    static var queriesFile: URL { FixturePaths.root.appendingPathComponent("retriever/queries.tsv") }

    static func encoder() throws -> any TextEncoding { try HashedBagOfWordsEncoder(dimension: 256) }

    /// The fixture queries' texts.
    static func queries() throws -> [String] {
        try String(contentsOf: queriesFile, encoding: .utf8).split(separator: "\n").compactMap { line in
            line.split(separator: "\t", maxSplits: 1).last.map(String.init)
        }
    }

    /// Builds `collection` into `output` (replacing it, as `i3 index --overwrite` does).
    static func build(_ collection: URL = ST.collection, into output: URL, type: IndexType = .flat) throws {
        var o = IndexBuildOptions()
        o.indexType = type
        o.shardPassages = 16
        o.batchSize = 8
        o.overwrite = true
        try IndexBuilder.build(collection: collection, output: output, encoder: try encoder(), options: o)
    }

    /// The fixture collection with every id prefixed (`B-gc006637`), written into `dir`: a second index
    /// whose answers can be told apart from the first one's.
    static func prefixedCollection(_ prefix: String, in dir: TemporaryDirectory) throws -> URL {
        let lines = try String(contentsOf: collection, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        let url = dir.path("collection-\(prefix).tsv")
        try lines.map { prefix + $0 }.joined(separator: "\n").appending("\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static var quietLogger: Logger {
        var l = Logger(label: "i3.serve.test")
        l.logLevel = .critical
        return l
    }

    /// A configuration for tests: ephemeral port, no SIGHUP handler (tests share one process), fast watching.
    static func configuration(_ change: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var c = ServerConfiguration()
        c.port = 0
        c.reloadOnSIGHUP = false
        c.searchThreads = 2
        c.watchInterval = nil
        change(&c)
        return c
    }

    /// Starts a server on `directory` and waits until it listens.
    static func start(_ directory: URL, configuration: ServerConfiguration = configuration(),
                      loader: RetrieverLoader? = nil) async throws -> RunningServer {
        let enc = try encoder()
        let server = try SearchServer(directory: directory, configuration: configuration,
                                      loader: loader ?? RetrieverLoader { _ in enc }, logger: quietLogger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run(gracefulShutdownSignals: []) { continuation.yield($0) } }
        var port = 0
        for await p in ports { port = p; break }
        return RunningServer(server: server, port: port, task: task)
    }
}

/// A started server.
struct RunningServer: Sendable {
    let server: SearchServer
    let port: Int
    let task: Task<Void, any Error>

    var base: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Graceful shutdown, then waits for `run` to return.
    func stop() async throws {
        await server.shutdown()
        try await task.value
    }

    /// Sends a request; returns status, body and content type.
    func request(_ method: String, _ path: String, body: Data? = nil) async throws -> (status: Int, body: Data, type: String) {
        var r = URLRequest(url: base.appendingPathComponent(path))
        if path == "/" { r = URLRequest(url: base) }
        r.httpMethod = method
        r.httpBody = body
        r.timeoutInterval = 30
        if body != nil { r.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await URLSession.shared.data(for: r)
        let http = response as! HTTPURLResponse
        return (http.statusCode, data, http.value(forHTTPHeaderField: "Content-Type") ?? "")
    }

    func post(_ path: String, json: String) async throws -> (status: Int, body: Data, type: String) {
        try await request("POST", path, body: Data(json.utf8))
    }

    /// POSTs `body` to /v1/search and decodes the single-query answer.
    func search(_ body: [String: Any]) async throws -> SearchResponse {
        let data = try JSONSerialization.data(withJSONObject: body)
        let r = try await request("POST", "/v1/search", body: data)
        guard r.status == 200 else { throw TestFailure("status \(r.status): \(String(decoding: r.body, as: UTF8.self))") }
        return try JSONDecoder().decode(SearchResponse.self, from: r.body)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// The error body the server sends.
struct ErrorBody: Decodable {
    struct Detail: Decodable {
        var status: Int
        var code: String
        var field: String?
        var message: String
    }
    var error: Detail
}

/// An encoder that behaves like another (same identity) but takes `delay` per call: makes requests
/// last long enough to be in flight during a shutdown or to wait past a timeout.
struct SlowEncoder: TextEncoding {
    let base: any TextEncoding
    let delay: TimeInterval
    var identity: String { base.identity }
    var dimension: Int { base.dimension }
    var metric: Metric { base.metric }
    var displayName: String { "slow " + base.displayName }
    func encodeQueries(_ t: [String]) throws -> [[Float]] { Thread.sleep(forTimeInterval: delay); return try base.encodeQueries(t) }
    func encodePassages(_ t: [String]) throws -> [[Float]] { try base.encodePassages(t) }
}

extension HitJSON {
    /// The hit as the retriever returned it, for comparing with in-process search.
    init(hit h: SearchHit) { self.init(h) }
}
