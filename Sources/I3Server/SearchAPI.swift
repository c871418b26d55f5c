import Foundation
import Hummingbird
import I3Retriever
import IndexCore
import Synchronization

/// The routes of the search service and what each answers. Every handler takes one generation from
/// the store at its start and uses only that one.
struct SearchAPI: Sendable {
    let store: GenerationStore
    let executor: SearchExecutor
    let metrics: ServerMetrics
    let configuration: ServerConfiguration
    let readiness: Readiness
    let reload: @Sendable () async throws -> ReloadOutcome

    /// Every route the server answers (method, path pattern), as the OpenAPI test compares them.
    static let routes: [(method: String, path: String)] = [
        ("GET", "/"), ("GET", "/openapi.json"), ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"),
        ("GET", "/v1/index"), ("GET", "/v1/passages/{id}"), ("POST", "/v1/search"), ("POST", "/v1/admin/reload"),
    ]

    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorAndMetricsMiddleware(metrics: metrics))
        router.get("/") { _, _ in Self.bytes(EmbeddedResources.searchPage, type: "text/html; charset=utf-8") }
        router.get("/openapi.json") { _, _ in Self.bytes(EmbeddedResources.openAPIDocument, type: "application/json") }
        router.get("/healthz") { _, _ in try Self.json(StatusResponse(status: "ok", generation: store.current.number)) }
        router.get("/readyz") { _, _ in
            let g = store.current.number
            guard readiness.isReady else {
                return try Self.json(StatusResponse(status: "shutting_down", generation: g), status: .serviceUnavailable)
            }
            return try Self.json(StatusResponse(status: "ready", generation: g))
        }
        router.get("/metrics") { _, _ in
            Self.bytes(Array(metrics.text().utf8), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/v1/index") { _, _ in try Self.json(IndexInfoResponse(store.current)) }
        router.get("/v1/passages/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            let g = store.current
            guard let internalID = g.internalID(of: id) else {
                throw APIError(.notFound, code: "unknown_id", field: "id", message: "no passage with id \"\(id)\" in generation \(g.number)")
            }
            let p = try g.retriever.passage(internalID: internalID)
            return try Self.json(PassageResponse(id: p.id, title: p.title ?? "", text: p.text, generation: g.number))
        }
        router.post("/v1/search") { request, _ in try await search(request) }
        router.post("/v1/admin/reload") { _, _ in
            let o = try await reload()
            return try Self.json(ReloadResponse(previous_generation: o.previous, generation: o.current, swapped: o.swapped))
        }
        return router
    }

    private func search(_ request: Request) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > configuration.maxBodyBytes {
            throw APIError(.contentTooLarge, code: "body_too_large", field: "body",
                           message: "the body has \(length) bytes; at most \(configuration.maxBodyBytes)")
        }
        var request = request
        let buffer = try await request.collectBody(upTo: configuration.maxBodyBytes)
        let req = try SearchRequest.decode(Data(buffer: buffer), limits: configuration)
        let g = store.current
        let parameters = try Self.parameters(req, generation: g)
        if case let .vector(v) = req.input, v.count != g.retriever.manifest.dimension {
            throw APIError.invalid("vector", "has \(v.count) numbers; this index has dimension \(g.retriever.manifest.dimension)")
        }
        let r = g.retriever
        let k = req.k
        let body: Data
        do {
            switch req.input {
            case let .text(q):
                // Encoded together with other text queries waiting for this generation's encoder.
                body = try await executor.runText(q, encoderKey: ObjectIdentifier(r), encode: { try r.encode($0) }) { v, start in
                    let hits = try r.search(vector: v, k: k, parameters: parameters).map(HitJSON.init)
                    return try JSONCoding.encoder.encode(SearchResponse(hits: hits, took_ms: Self.milliseconds(since: start), generation: g.number))
                }
            case let .vector(v):
                body = try await executor.run {
                    let start = ContinuousClock.now
                    let hits = try r.search(vector: v, k: k, parameters: parameters).map(HitJSON.init)
                    return try JSONCoding.encoder.encode(SearchResponse(hits: hits, took_ms: Self.milliseconds(since: start), generation: g.number))
                }
            case let .batch(qs):
                body = try await executor.run {
                    let start = ContinuousClock.now
                    let hits = try r.search(batch: qs, k: k, parameters: parameters).map { $0.map(HitJSON.init) }
                    return try JSONCoding.encoder.encode(BatchSearchResponse(hits: hits, took_ms: Self.milliseconds(since: start), generation: g.number))
                }
            }
        } catch let RetrieverError.invalidArgument(why) {
            throw APIError(.badRequest, code: "invalid_request", message: why)
        } catch let e as IndexError {
            throw APIError(.badRequest, code: "invalid_request", message: "\(e)")
        }
        return Self.bytes(Array(body), type: "application/json")
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    /// The index knobs and the id filter (ids resolved in generation `g`; an unknown id is a 400 naming it).
    static func parameters(_ req: SearchRequest, generation g: IndexGeneration) throws -> SearchParameters {
        var p = SearchParameters(ef: req.ef, nprobe: req.nprobe, refineFactor: req.refine, targetRecall: req.targetRecall)
        if let ids = req.ids {
            var allowed = Set<UInt64>()
            allowed.reserveCapacity(ids.count)
            for (i, id) in ids.enumerated() {
                guard let internalID = g.internalID(of: id) else {
                    throw APIError.invalid("ids[\(i)]", "unknown passage id \"\(id)\" (generation \(g.number))")
                }
                allowed.insert(internalID)
            }
            p.filter = IDFilter(allowing: allowed)
        }
        return p
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        bytes(Array(try JSONCoding.encoder.encode(value)), type: "application/json", status: status)
    }

    static func bytes(_ b: [UInt8], type: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: b)))
    }
}

/// Whether the server takes new work (false once a graceful shutdown began); `/readyz` reports it.
final class Readiness: Sendable {
    private let ready = Mutex(true)
    var isReady: Bool { ready.withLock { $0 } }
    func stop() { ready.withLock { $0 = false } }
}
