import Foundation
import IndexCore
import ShardStore

/// Saving and opening a token store as a shard-store directory on the index file convention
/// (`StoredIndexHeader`, type `late-tokens`, format 1; `index.count` = passages, metric ip).
///
/// | column    | type                  | records                                   |
/// |-----------|-----------------------|-------------------------------------------|
/// | `ids`     | int64 × 1             | one per passage (external id)             |
/// | `offsets` | int64 × 1             | passages + 1 row offsets                  |
/// | `vectors` | float32/float16 × d   | one per token                             |
///
/// Settings: `param.precision`, `param.tokens`. Checksums are verified as the columns are read.
extension TokenStore {
    static let type = "late-tokens"
    static let formatVersion = 1

    /// Writes the store to `directory`, atomically replacing what is there; `metadata` comes back from `open`.
    public func save(to directory: URL, metadata: [String: String] = [:]) throws {
        let header = StoredIndexHeader(type: Self.type, formatVersion: Self.formatVersion, dimension: dimension,
                                       metric: .innerProduct, count: passageCount,
                                       parameters: ["precision": precision.rawValue, "tokens": "\(tokenCount)"],
                                       userMetadata: metadata)
        var w = try StoredIndex.writer(directory: directory, header: header)
        try write(into: &w, prefix: "")
        try w.commit()
    }
    /// Adds the store's columns (names prefixed `prefix`) to an open writer.
    func write(into w: inout ShardWriter, prefix: String) throws {
        try w.addColumn(prefix + "ids", type: .int64, recordLength: 1)
        try w.addColumn(prefix + "offsets", type: .int64, recordLength: 1)
        try w.append(int64s: ids.map { Int64(bitPattern: $0) }, to: prefix + "ids")
        try w.append(int64s: offsets.map(Int64.init), to: prefix + "offsets")
        switch precision {
        case .float32:
            try w.addColumn(prefix + "vectors", type: .float32, recordLength: dimension)
            let step = max(1, (1 << 20) / dimension) * dimension
            for lo in stride(from: 0, to: float32.count, by: step) {
                try w.append(floats: float32[lo..<min(float32.count, lo + step)], to: prefix + "vectors")
            }
        case .float16:
            try w.addColumn(prefix + "vectors", type: .float16, recordLength: dimension)
            let step = max(1, (1 << 20) / dimension) * dimension
            for lo in stride(from: 0, to: float16.count, by: step) {
                try w.append(float16s: float16[lo..<min(float16.count, lo + step)].map { Float16(bitPattern: $0) },
                             to: prefix + "vectors")
            }
        }
    }

    /// Opens a store saved with `save`; returns it with the caller's metadata.
    /// - Throws: `IndexError.kindMismatch`, `.unsupportedFormat`, `.corrupt` (inconsistent settings or
    ///   columns, non-finite values), `.dimensionMismatch` against `expectedDimension`; `ShardStoreError`
    ///   for missing, truncated or checksum-failing files.
    public static func open(directory: URL, expectedDimension: Int? = nil) throws -> (store: TokenStore, metadata: [String: String]) {
        let o = try StoredObject(directory: directory, type: type, format: formatVersion, expectedDimension: expectedDimension)
        guard let precision = TokenPrecision(rawValue: try o.string("precision")) else { throw o.corrupt("unknown precision") }
        return (try read(o, prefix: "", dimension: o.header.dimension, precision: precision, passages: o.header.count,
                         tokens: try o.int("tokens")), o.header.userMetadata)
    }

    /// Reads the store's columns (names prefixed `prefix`) from an opened object.
    static func read(_ o: StoredObject, prefix: String, dimension d: Int, precision: TokenPrecision,
                     passages: Int, tokens: Int) throws -> TokenStore {
        guard d > 0, passages >= 0, tokens >= 0 else { throw o.corrupt("dimension, passages or tokens out of range") }
        let ids = try o.column(prefix + "ids", records: passages, length: 1).allInt64s().map { UInt64(bitPattern: $0) }
        let offsets = try o.offsets(prefix + "offsets", count: passages, total: tokens)
        let v = try o.column(prefix + "vectors", records: tokens, length: d)
        do {
            switch precision {
            case .float32:
                return try TokenStore(vectors: try v.allFloats(), offsets: offsets, ids: ids, dimension: d, precision: .float32)
            case .float16:
                return try TokenStore(float16: try v.allFloat16s().map(\.bitPattern), offsets: offsets, ids: ids, dimension: d)
            }
        } catch let e as IndexError {
            throw o.corrupt("stored tokens are inconsistent: \(e)")
        }
    }
}
