import Foundation
import ShardStore
import VectorKernels

/// Saving and opening a `FlatIndex`, following the index file convention (`StoredIndexHeader`,
/// docs/shard-format.md): kind `index.flat`, format 1, no settings, and
///
/// - column `vectors`: float32, `dimension` per record, in slot order (L2-normalised for cosine);
/// - column `ids`: int64, one per record (the external UInt64 id's bit pattern).
extension FlatIndex {
    /// The index type of a saved flat index (its shard-store kind is `index.flat`).
    public static let storedType = "flat"
    static let formatVersion = 1

    /// Writes the index to `directory`, atomically replacing what is there (a crash leaves the previous
    /// version). `metadata` (any keys, for example the model that made the vectors) is stored with it and
    /// returned by `open(...).metadata`.
    /// - Throws: `ShardStoreError` for I/O failures.
    public func save(to directory: URL, metadata: [String: String] = [:]) throws {
        let (ids, vectors) = storedContents()
        let header = StoredIndexHeader(type: Self.storedType, formatVersion: Self.formatVersion, dimension: dimension,
                                       metric: metric, count: ids.count, userMetadata: metadata)
        var writer = try StoredIndex.writer(directory: directory, header: header)
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
        self.metadata = metadata
    }

    /// Opens an index saved with `save(to:metadata:)`.
    /// - Parameters:
    ///   - expectedDimension: when given, the stored dimension must equal it.
    ///   - expectedMetric: when given, the stored metric must equal it.
    /// - Throws: `IndexError.kindMismatch` (not a flat index), `.unsupportedFormat` (an older or newer format),
    ///   `.dimensionMismatch`, `.metricMismatch`, `.corrupt` (inconsistent contents: column layout, duplicate
    ///   ids, non-finite values); `ShardStoreError` for missing or damaged files (it names the file).
    public static func open(directory: URL, expectedDimension: Int? = nil, expectedMetric: Metric? = nil) throws -> FlatIndex {
        let (reader, header) = try StoredIndex.open(directory: directory, type: storedType, supportedFormats: 1...formatVersion,
                                                    expectedDimension: expectedDimension, expectedMetric: expectedMetric)
        let path = directory.path, d = header.dimension
        let vectorsColumn = try reader.column("vectors")
        let idsColumn = try reader.column("ids")
        guard vectorsColumn.elementType == .float32, vectorsColumn.recordLength == d else {
            throw IndexError.corrupt(path: path, reason: "column vectors is not float32 × \(d)")
        }
        guard idsColumn.elementType == .int64, idsColumn.recordLength == 1 else {
            throw IndexError.corrupt(path: path, reason: "column ids is not int64 × 1")
        }
        guard idsColumn.recordCount == vectorsColumn.recordCount, idsColumn.recordCount == header.count else {
            throw IndexError.corrupt(path: path, reason: "\(idsColumn.recordCount) ids for \(vectorsColumn.recordCount) vectors "
                                        + "(the header says \(header.count))")
        }
        let vectors = try vectorsColumn.allFloats()
        if let bad = vectors.firstIndex(where: { !$0.isFinite }) {
            throw IndexError.corrupt(path: path, reason: "vector \(bad / d) has a NaN or infinite component")
        }
        let ids = try idsColumn.allInt64s().map { UInt64(bitPattern: $0) }
        guard Set(ids).count == ids.count else { throw IndexError.corrupt(path: path, reason: "duplicate ids") }
        let index = try FlatIndex(dimension: d, metric: header.metric)
        index.replaceContents(ids: ids, vectors: vectors)
        index.metadata = header.userMetadata
        return index
    }
}
