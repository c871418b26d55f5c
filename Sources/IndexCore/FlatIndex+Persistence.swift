import Foundation
import ShardStore

/// Saving and opening a `FlatIndex` as a shard-store object (see docs/shard-format.md):
///
/// - kind `"flat-index"`;
/// - column `vectors`: float32, `dimension` per record, in slot order (L2-normalised for cosine);
/// - column `ids`: int64, one per record (the external UInt64 id's bit pattern);
/// - metadata `dimension`, `metric` (`ip`, `cosine`, `l2`) and `count`, plus the caller's own keys.
extension FlatIndex {
    /// The shard-store `kind` of a saved flat index.
    public static let storeKind = "flat-index"

    /// Writes the index to `directory`, atomically replacing what is there (a crash leaves the previous
    /// version). `metadata` is stored alongside (for example the model that made the vectors); the keys
    /// `dimension`, `metric` and `count` are reserved.
    /// - Throws: `IndexError.invalidParameter` for a reserved metadata key; `ShardStoreError` for I/O failures.
    public func save(to directory: URL, metadata: [String: String] = [:]) throws {
        let reserved = ["dimension", "metric", "count"]
        if let key = reserved.first(where: { metadata[$0] != nil }) {
            throw IndexError.invalidParameter(name: "metadata", reason: "the key \"\(key)\" is reserved")
        }
        let (ids, vectors) = storedContents()
        var all = metadata
        all["dimension"] = String(dimension)
        all["metric"] = metric.rawValue
        all["count"] = String(ids.count)
        var writer = try ShardWriter(directory: directory, kind: FlatIndex.storeKind, metadata: all)
        try writer.addColumn("vectors", type: .float32, recordLength: dimension)
        try writer.addColumn("ids", type: .int64, recordLength: 1)
        let rowsPerAppend = max(1, (1 << 20) / (4 * dimension))
        var row = 0
        while row < ids.count {
            let end = min(ids.count, row + rowsPerAppend)
            try writer.append(floats: vectors[row * dimension ..< end * dimension], to: "vectors")
            try writer.append(int64s: ids[row ..< end].map { Int64(bitPattern: $0) }, to: "ids")
            row = end
        }
        try writer.commit()
    }

    /// Opens an index saved with `save(to:metadata:)`.
    /// - Parameters:
    ///   - expectedDimension: when given, the stored dimension must equal it.
    ///   - expectedMetric: when given, the stored metric must equal it.
    /// - Throws: `IndexError.kindMismatch` (not a flat index), `.dimensionMismatch`, `.metricMismatch`,
    ///   `.corrupt` (inconsistent contents: column layout, duplicate ids, non-finite values); `ShardStoreError`
    ///   for missing or damaged files (it names the file).
    public static func open(directory: URL, expectedDimension: Int? = nil, expectedMetric: Metric? = nil) throws -> FlatIndex {
        let reader = try ShardReader(directory: directory)
        let path = directory.path
        guard reader.kind == storeKind else { throw IndexError.kindMismatch(expected: storeKind, stored: reader.kind) }
        guard let d = reader.metadata["dimension"].flatMap({ Int($0) }), d > 0 else {
            throw IndexError.corrupt(path: path, reason: "metadata has no valid dimension")
        }
        guard let metricName = reader.metadata["metric"], let metric = Metric(rawValue: metricName) else {
            throw IndexError.corrupt(path: path, reason: "metadata has no valid metric")
        }
        if let e = expectedDimension, e != d { throw IndexError.dimensionMismatch(expected: e, got: d) }
        if let e = expectedMetric, e != metric { throw IndexError.metricMismatch(expected: e, stored: metric) }
        let vectorsColumn = try reader.column("vectors")
        let idsColumn = try reader.column("ids")
        guard vectorsColumn.elementType == .float32, vectorsColumn.recordLength == d else {
            throw IndexError.corrupt(path: path, reason: "column vectors is not float32 × \(d)")
        }
        guard idsColumn.elementType == .int64, idsColumn.recordLength == 1 else {
            throw IndexError.corrupt(path: path, reason: "column ids is not int64 × 1")
        }
        guard idsColumn.recordCount == vectorsColumn.recordCount else {
            throw IndexError.corrupt(path: path, reason: "\(idsColumn.recordCount) ids for \(vectorsColumn.recordCount) vectors")
        }
        let vectors = try vectorsColumn.allFloats()
        if let bad = vectors.firstIndex(where: { !$0.isFinite }) {
            throw IndexError.corrupt(path: path, reason: "vector \(bad / d) has a NaN or infinite component")
        }
        let ids = try idsColumn.allInt64s().map { UInt64(bitPattern: $0) }
        guard Set(ids).count == ids.count else { throw IndexError.corrupt(path: path, reason: "duplicate ids") }
        let index = try FlatIndex(dimension: d, metric: metric)
        index.replaceContents(ids: ids, vectors: vectors)
        return index
    }
}
