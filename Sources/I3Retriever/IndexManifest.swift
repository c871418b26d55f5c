import Foundation
import IndexCore
import VectorKernels

/// Which vector index an index directory holds.
public enum IndexType: String, Codable, Sendable, CaseIterable {
    /// Exact search over all vectors (loaded from `vectors/` when opened).
    case flat
    /// HNSW graph (`hnsw/`).
    case hnsw
    /// IVF-PQ (`ivfpq/`).
    case ivfpq
}

/// `retriever.json`: what made an index directory, so it can be reopened with the same encoder.
///
/// Directory layout: `retriever.json`, `passages/` (shard-store object with the columns `ids`,
/// `titles`, `texts`; record *i* is the passage with internal id *i*), `vectors/` (column `vectors`,
/// float32 × dimension, same order) and the index folder named by `indexType` (none for flat).
public struct IndexManifest: Codable, Sendable, Equatable {
    /// Version of this layout.
    public var formatVersion: Int
    /// The encoder's fingerprint (hash of the weights, plus head).
    public var modelIdentity: String
    /// Human-readable encoder name.
    public var modelName: String
    /// Model directory used at build time (a hint for reopening; may be nil for built-in encoders).
    public var modelPath: String?
    /// Projection head file used at build time, if any.
    public var headPath: String?
    /// Index metric (`ip`, `cosine`, `l2`).
    public var metric: Metric
    /// Vector length.
    public var dimension: Int
    /// Which index is stored.
    public var indexType: IndexType
    /// Number of passages (= vectors).
    public var passageCount: Int
    /// Malformed lines skipped at build time (0 unless built with skipping).
    public var skippedLines: Int
    /// The collection file that was indexed.
    public var source: String
    /// When the build finished (ISO 8601).
    public var createdAt: String
    /// Index build settings (for example `M`, `efConstruction`, `nlist`, `subquantizers`).
    public var indexSettings: [String: String]
    /// A fresh id of the build that wrote the directory; `passages/`, `vectors/` and the index carry it in
    /// their metadata (`generationKey`), so a reader can tell that all parts come from one build.
    public var generation: String? = nil

    /// The metadata key of the build generation in every part of an index directory.
    public static let generationKey = "i3.generation"

    /// The file name inside an index directory.
    public static let fileName = "retriever.json"
    /// The layout version written by this code.
    public static let currentVersion = 1

    /// Reads `retriever.json` from `directory`.
    public static func read(from directory: URL) throws -> IndexManifest {
        let url = directory.appendingPathComponent(fileName)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw RetrieverError.corruptIndex(directory: directory.path, reason: "cannot read \(fileName): \(error.localizedDescription)")
        }
        return try decode(data, directory: directory)
    }

    /// Decodes and checks the contents of a `retriever.json` read from `directory`.
    public static func decode(_ data: Data, directory: URL) throws -> IndexManifest {
        let m: IndexManifest
        do { m = try JSONDecoder().decode(IndexManifest.self, from: data) } catch {
            throw RetrieverError.corruptIndex(directory: directory.path, reason: "\(fileName) is not valid: \(error)")
        }
        guard m.formatVersion == currentVersion else {
            throw RetrieverError.corruptIndex(directory: directory.path,
                                              reason: "layout version \(m.formatVersion) is not supported (this build reads \(currentVersion))")
        }
        guard m.dimension > 0, m.passageCount >= 0 else {
            throw RetrieverError.corruptIndex(directory: directory.path, reason: "\(fileName) has dimension \(m.dimension), \(m.passageCount) passages")
        }
        return m
    }

    /// Writes `retriever.json` into `directory`.
    public func write(to directory: URL) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = directory.appendingPathComponent(Self.fileName)
        do { try enc.encode(self).write(to: url, options: .atomic) } catch {
            throw RetrieverError.io(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    /// Throws `encoderMismatch` when `encoder` is not the one that built this index.
    public func check(encoder: any TextEncoding, directory: URL) throws {
        if encoder.identity != modelIdentity {
            throw RetrieverError.encoderMismatch(directory: directory.path, field: "model (weights hash)",
                                                 stored: "\(modelIdentity) [\(modelName)]",
                                                 given: "\(encoder.identity) [\(encoder.displayName)]")
        }
        if encoder.dimension != dimension {
            throw RetrieverError.encoderMismatch(directory: directory.path, field: "dimension",
                                                 stored: String(dimension), given: String(encoder.dimension))
        }
        if encoder.metric != metric {
            throw RetrieverError.encoderMismatch(directory: directory.path, field: "metric",
                                                 stored: metric.rawValue, given: encoder.metric.rawValue)
        }
    }
}
