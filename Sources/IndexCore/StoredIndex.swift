import Foundation
import ShardStore
import VectorKernels

/// The one file convention of every saved index (flat, HNSW, IVF-PQ, late interaction): a shard-store
/// object (see docs/shard-format.md, "Index objects") whose
///
/// - kind is `index.<type>` (`index.flat`, `index.hnsw`, `index.ivfpq`, ...);
/// - metadata holds `index.format` (the type's integer format version), `index.dimension`,
///   `index.metric` (`ip`, `cosine`, `l2`) and `index.count` (live vectors); the algorithm's own
///   settings as `param.<name>`; and the caller's keys as `user.<name>` (any key, returned unprefixed);
/// - columns are the type's own, each checksummed: every column an index loads into memory is read
///   whole (file and content checksums checked), columns kept on disk are checked block by block as
///   they are read.
///
/// A directory written by an earlier version (kinds `flat-index`, `hnsw`, `ivfpq-index`) or in a format
/// newer than the reader is refused with `IndexError.unsupportedFormat`, which says how to rebuild it.
public struct StoredIndexHeader: Sendable, Equatable {
    /// The index type: the kind without its `index.` prefix (`flat`, `hnsw`, `ivfpq`).
    public var type: String
    /// The type's format version.
    public var formatVersion: Int
    /// Vector length.
    public var dimension: Int
    /// How vectors are compared.
    public var metric: Metric
    /// Live vectors in the index.
    public var count: Int
    /// The algorithm's settings (stored as `param.<name>`).
    public var parameters: [String: String]
    /// The caller's metadata (stored as `user.<name>`), for example the encoder's identity.
    public var userMetadata: [String: String]

    /// Creates a header.
    public init(type: String, formatVersion: Int, dimension: Int, metric: Metric, count: Int,
                parameters: [String: String] = [:], userMetadata: [String: String] = [:]) {
        self.type = type
        self.formatVersion = formatVersion
        self.dimension = dimension
        self.metric = metric
        self.count = count
        self.parameters = parameters
        self.userMetadata = userMetadata
    }

    /// The shard-store kind: `index.<type>`.
    public var kind: String { StoredIndex.kindPrefix + type }
}

/// Writing and opening objects that follow the index file convention (`StoredIndexHeader`).
public enum StoredIndex {
    static let kindPrefix = "index."
    static let formatKey = "index.format", dimensionKey = "index.dimension"
    static let metricKey = "index.metric", countKey = "index.count"
    static let parameterPrefix = "param.", userPrefix = "user."
    /// Kinds written before the convention, and the type each one was.
    static let legacyKinds = ["flat-index": "flat", "hnsw": "hnsw", "ivfpq-index": "ivfpq"]

    /// The manifest metadata that stores `header`.
    public static func metadata(of header: StoredIndexHeader) -> [String: String] {
        var m: [String: String] = [
            formatKey: String(header.formatVersion), dimensionKey: String(header.dimension),
            metricKey: header.metric.rawValue, countKey: String(header.count),
        ]
        for (k, v) in header.parameters { m[parameterPrefix + k] = v }
        for (k, v) in header.userMetadata { m[userPrefix + k] = v }
        return m
    }

    /// A writer for a new version of the index at `directory` (committing replaces it atomically).
    public static func writer(directory: URL, header: StoredIndexHeader) throws -> ShardWriter {
        try ShardWriter(directory: directory, kind: header.kind, metadata: metadata(of: header))
    }

    /// Opens the index object at `directory` and checks its convention: the kind is `index.<type>`,
    /// the format is one this reader knows (`supportedFormats`), the header values are valid and,
    /// when given, equal to `expectedDimension` / `expectedMetric`.
    /// - Throws: `IndexError.kindMismatch` (another kind of object), `.unsupportedFormat` (an older or
    ///   newer format), `.corrupt` (missing or invalid header values), `.dimensionMismatch`,
    ///   `.metricMismatch`; `ShardStoreError` for missing or damaged files.
    public static func open(directory: URL, type: String, supportedFormats: ClosedRange<Int>,
                            expectedDimension: Int? = nil, expectedMetric: Metric? = nil)
        throws -> (reader: ShardReader, header: StoredIndexHeader) {
        let reader = try ShardReader(directory: directory)
        let header = try header(of: reader, type: type, supportedFormats: supportedFormats)
        if let e = expectedDimension, e != header.dimension { throw IndexError.dimensionMismatch(expected: e, got: header.dimension) }
        if let e = expectedMetric, e != header.metric { throw IndexError.metricMismatch(expected: e, stored: header.metric) }
        return (reader, header)
    }

    /// Reads and checks the header of an opened object (see `open`).
    public static func header(of reader: ShardReader, type: String, supportedFormats: ClosedRange<Int>) throws -> StoredIndexHeader {
        let path = reader.directory.path
        let expectedKind = kindPrefix + type
        guard reader.kind == expectedKind else {
            if let legacy = legacyKinds[reader.kind], legacy == type {
                throw IndexError.unsupportedFormat(
                    path: path, reason: "this \(type) index was written by an earlier version of I3Retriever "
                        + "(kind \"\(reader.kind)\", before format 1 of \(expectedKind)); rebuild it from its "
                        + "collection or vectors")
            }
            throw IndexError.kindMismatch(expected: expectedKind, stored: reader.kind)
        }
        let meta = reader.metadata
        func corrupt(_ reason: String) -> IndexError { .corrupt(path: path, reason: reason) }
        func int(_ key: String) throws -> Int {
            guard let s = meta[key], let v = Int(s) else { throw corrupt("metadata \"\(key)\" is missing or not an integer") }
            return v
        }
        let format = try int(formatKey)
        guard supportedFormats.contains(format) else {
            let known = "this reader knows \(supportedFormats.lowerBound)...\(supportedFormats.upperBound)"
            throw IndexError.unsupportedFormat(
                path: path, reason: format > supportedFormats.upperBound
                    ? "\(expectedKind) format \(format) was written by a newer I3Retriever (\(known)); open it with "
                        + "that version, or rebuild it from its collection or vectors"
                    : "\(expectedKind) format \(format) is older than \(known); rebuild it from its collection or vectors")
        }
        let dimension = try int(dimensionKey)
        guard dimension > 0 else { throw corrupt("dimension \(dimension) is not positive") }
        guard let metricName = meta[metricKey], let metric = Metric(rawValue: metricName) else {
            throw corrupt("metadata \"\(metricKey)\" is missing or unknown")
        }
        let count = try int(countKey)
        guard count >= 0 else { throw corrupt("count \(count) is negative") }
        var parameters: [String: String] = [:], user: [String: String] = [:]
        for (k, v) in meta {
            if k.hasPrefix(parameterPrefix) { parameters[String(k.dropFirst(parameterPrefix.count))] = v }
            if k.hasPrefix(userPrefix) { user[String(k.dropFirst(userPrefix.count))] = v }
        }
        return StoredIndexHeader(type: type, formatVersion: format, dimension: dimension, metric: metric,
                                 count: count, parameters: parameters, userMetadata: user)
    }
}

extension StoredIndexHeader {
    /// The integer setting `name`, or `IndexError.corrupt` naming it and `path`.
    public func intParameter(_ name: String, path: String) throws -> Int {
        guard let s = parameters[name], let v = Int(s) else {
            throw IndexError.corrupt(path: path, reason: "setting \"\(name)\" is missing or not an integer")
        }
        return v
    }

    /// The unsigned 64-bit setting `name`, or `IndexError.corrupt`.
    public func uint64Parameter(_ name: String, path: String) throws -> UInt64 {
        guard let s = parameters[name], let v = UInt64(s) else {
            throw IndexError.corrupt(path: path, reason: "setting \"\(name)\" is missing or not an unsigned integer")
        }
        return v
    }

    /// The boolean setting `name` (`true`/`false`), or `IndexError.corrupt`.
    public func boolParameter(_ name: String, path: String) throws -> Bool {
        guard let s = parameters[name], let v = Bool(s) else {
            throw IndexError.corrupt(path: path, reason: "setting \"\(name)\" is missing or not true/false")
        }
        return v
    }

    /// The string setting `name`, or `IndexError.corrupt`.
    public func stringParameter(_ name: String, path: String) throws -> String {
        guard let s = parameters[name] else { throw IndexError.corrupt(path: path, reason: "setting \"\(name)\" is missing") }
        return s
    }
}
