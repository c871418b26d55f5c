import DataSets
import Foundation
import IndexCore
import ShardStore
import VectorKernels

/// One search result.
public struct SearchHit: Sendable, Hashable {
    /// 1-based rank.
    public var rank: Int
    /// The passage id from the collection file.
    public var id: String
    /// Similarity score (higher is better).
    public var score: Float
    /// The passage title ("" when the collection had none).
    public var title: String
    /// The passage text.
    public var text: String
    /// The internal id the vector index uses.
    public var internalID: UInt64
}

/// A persistent index directory opened for searching.
///
/// ```swift
/// let retriever = try Retriever(directory: indexURL, encoder: encoder)
/// for hit in try retriever.search("a small venomous snake", k: 5) {
///     print(hit.rank, hit.id, hit.score, hit.text)
/// }
/// ```
///
/// All search methods are safe to call from many threads or tasks at once: the encoder, the index
/// and the passage store are immutable or internally synchronised.
public final class Retriever: Sendable {
    /// What built the directory.
    public let manifest: IndexManifest
    /// The directory.
    public let directory: URL
    /// The query encoder.
    public let encoder: any TextEncoding
    /// The vector index.
    public let index: any VectorIndex
    private let ids: ColumnReader
    private let titles: ColumnReader
    private let texts: ColumnReader

    /// Opens `directory` (made by `IndexBuilder`) with the encoder that built it.
    /// Throws `RetrieverError.encoderMismatch` when `encoder` is another model, dimension or metric.
    public convenience init(directory: URL, encoder: any TextEncoding) throws {
        try self.init(directory: directory, manifest: nil, encoder: encoder)
    }

    /// Opens `directory` whose `retriever.json` the caller has already read (for example to choose the
    /// encoder it records), so that it is read once. Throws like `init(directory:encoder:)`.
    ///
    /// The retriever is one snapshot: `retriever.json`, `passages/`, `vectors/` and the index all come from
    /// the same build (their generation ids agree), even while `IndexBuilder` replaces the directory.
    public init(directory: URL, manifest given: IndexManifest?, encoder: any TextEncoding) throws {
        let snapshot = try IndexSnapshot.open(directory: directory, manifest: given) {
            try $0.check(encoder: encoder, directory: directory)
        }
        let m = snapshot.manifest
        ids = try snapshot.passages.column("ids")
        titles = try snapshot.passages.column("titles")
        texts = try snapshot.passages.column("texts")
        index = snapshot.index
        manifest = m
        self.directory = directory
        self.encoder = encoder
    }

    /// Number of passages.
    public var count: Int { manifest.passageCount }

    /// Bytes the vector index holds in memory (passage texts stay on disk and are read per hit).
    public var indexMemoryBytes: Int { IndexBackends.memoryBytes(index) }

    /// The `k` best passages for `query`.
    public func search(_ query: String, k: Int = 10, parameters: SearchParameters = .default) throws -> [SearchHit] {
        let v = try encode([query])
        return try search(vector: v[0], k: k, parameters: parameters)
    }

    /// The `k` best passages for each query (queries are encoded together, searched in parallel).
    public func search(batch queries: [String], k: Int = 10, parameters: SearchParameters = .default) throws -> [[SearchHit]] {
        guard !queries.isEmpty else { return [] }
        return try search(vectors: try encode(queries), k: k, parameters: parameters)
    }

    /// The `k` best passages for an already encoded query vector.
    public func search(vector: [Float], k: Int = 10, parameters: SearchParameters = .default) throws -> [SearchHit] {
        let neighbors = try index.search(vector, k: min(k, max(1, count)), parameters: parameters)
        return try neighbors.enumerated().map { i, n in try hit(n, rank: i + 1) }
    }

    /// The `k` best passages for each query vector, searched in parallel.
    public func search(vectors: [[Float]], k: Int = 10, parameters: SearchParameters = .default) throws -> [[SearchHit]] {
        let results = SharedBuffer<Result<[SearchHit], Error>?>(count: vectors.count, initial: nil)
        DispatchQueue.concurrentPerform(iterations: vectors.count) { i in
            results[i] = Result { try self.search(vector: vectors[i], k: k, parameters: parameters) }
        }
        return try (0..<vectors.count).map { i in
            guard let r = results[i] else { throw RetrieverError.invalidArgument("search \(i) of the batch did not complete") }
            return try r.get()
        }
    }

    /// Encodes queries with the index's encoder.
    /// - Throws: `RetrieverError.invalidArgument` for an empty or whitespace-only query (it would
    ///   encode to [CLS][SEP] and return arbitrary passages), `.encoding` when the encoder fails.
    public func encode(_ queries: [String]) throws -> [[Float]] {
        try Self.encode(queries, with: encoder)
    }

    /// Encodes queries with `encoder` (an index's encoder, without opening the index), refusing
    /// empty queries like `encode(_:)`.
    public static func encode(_ queries: [String], with encoder: any TextEncoding) throws -> [[Float]] {
        if let i = queries.firstIndex(where: { $0.allSatisfy(\.isWhitespace) }) {
            throw RetrieverError.invalidArgument(queries.count == 1 ? "the query is empty"
                                                 : "query \(i) of the batch is empty")
        }
        let v: [[Float]]
        do { v = try encoder.encodeQueries(queries) } catch { throw RetrieverError.encoding("queries: \(error)") }
        guard v.count == queries.count else {
            throw RetrieverError.encoding("the encoder returned \(v.count) vectors for \(queries.count) queries")
        }
        return v
    }

    /// The stored passage with internal id `internalID`.
    public func passage(internalID: UInt64) throws -> Passage {
        let r = Int(internalID)
        guard internalID < UInt64(count) else { throw RetrieverError.invalidArgument("no passage with internal id \(internalID)") }
        let t = try titles.string(record: r)
        return Passage(id: try ids.string(record: r), title: t.isEmpty ? nil : t, text: try texts.string(record: r))
    }

    private func hit(_ n: Neighbor, rank: Int) throws -> SearchHit {
        let r = Int(n.id)
        guard n.id < UInt64(count) else {
            throw RetrieverError.corruptIndex(directory: directory.path, reason: "the index returned unknown id \(n.id)")
        }
        return SearchHit(rank: rank, id: try ids.string(record: r), score: n.score, title: try titles.string(record: r),
                         text: try texts.string(record: r), internalID: n.id)
    }
}
