import Foundation
import I3Retriever

/// One hit in a search answer.
public struct HitJSON: Codable, Sendable, Equatable {
    public var rank: Int
    public var id: String
    public var score: Float
    public var title: String
    public var text: String

    init(_ h: SearchHit) {
        rank = h.rank
        id = h.id
        score = h.score
        title = h.title
        text = h.text
    }
}

/// The answer to a single query (`query` or `vector`).
public struct SearchResponse: Codable, Sendable {
    public var hits: [HitJSON]
    /// Milliseconds spent encoding and searching (excludes waiting for a search thread).
    public var took_ms: Double
    /// The index generation that answered.
    public var generation: Int
}

/// The answer to a batch (`queries`): one hit list per query, in order.
public struct BatchSearchResponse: Codable, Sendable {
    public var hits: [[HitJSON]]
    public var took_ms: Double
    public var generation: Int
}

/// `GET /v1/passages/{id}`.
public struct PassageResponse: Codable, Sendable {
    public var id: String
    public var title: String
    public var text: String
    public var generation: Int
}

/// `GET /v1/index`: what is being served.
public struct IndexInfoResponse: Codable, Sendable {
    public var directory: String
    public var generation: Int
    public var loaded_at: String
    public var model_name: String
    public var model_identity: String
    public var index_type: String
    public var metric: String
    public var dimension: Int
    public var passage_count: Int
    public var skipped_lines: Int
    public var source: String
    public var created_at: String
    public var index_settings: [String: String]
    public var index_memory_bytes: Int

    init(_ g: IndexGeneration) {
        let m = g.retriever.manifest
        directory = g.retriever.directory.path
        generation = g.number
        loaded_at = ISO8601DateFormatter().string(from: g.loadedAt)
        model_name = m.modelName
        model_identity = m.modelIdentity
        index_type = m.indexType.rawValue
        metric = m.metric.rawValue
        dimension = m.dimension
        passage_count = m.passageCount
        skipped_lines = m.skippedLines
        source = m.source
        created_at = m.createdAt
        index_settings = m.indexSettings
        index_memory_bytes = g.retriever.indexMemoryBytes
    }
}

/// `POST /v1/admin/reload`.
public struct ReloadResponse: Codable, Sendable {
    public var previous_generation: Int
    public var generation: Int
    public var swapped: Bool
}

/// `GET /healthz` and `GET /readyz`.
public struct StatusResponse: Codable, Sendable {
    public var status: String
    public var generation: Int
}
