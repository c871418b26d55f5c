import Foundation
import IndexCore
import ShardStore

/// Saving and opening a PLAID-style index as a shard-store directory on the index file convention
/// (`StoredIndexHeader`, type `plaid`, format 1; `index.count` = passages, metric ip).
///
/// | column        | type                 | records                                         |
/// |---------------|----------------------|-------------------------------------------------|
/// | `centroids`   | float16 × d          | K                                               |
/// | `buckets`     | float32, variable    | record 0: the 2^b − 1 cutoffs, record 1: the 2^b weights |
/// | `codes`       | int32 × 1            | one centroid id per token                       |
/// | `residuals`   | uint8 × d·b/8        | one per token                                   |
/// | `ids`         | int64 × 1            | one per passage                                 |
/// | `offsets`     | int64 × 1            | passages + 1 token offsets                      |
/// | `ivf`         | int32 × 1            | concatenated centroid → passage lists           |
/// | `ivf.offsets` | int64 × 1            | K + 1 list offsets                              |
///
/// Settings (`param.*`): `bits`, `centroids`, `tokens`, `ivf.entries`, `kmeansIterations`, `seed`,
/// `bucketSampleTokens`. Checksums are verified as the columns are read and every stored value is
/// range-checked (codes, list entries, list order).
extension PLAIDIndex {
    static let type = "plaid"
    static let formatVersion = 1

    /// Writes the index to `directory`, atomically replacing what is there.
    public func save(to directory: URL, metadata: [String: String] = [:]) throws {
        let settings = [
            "bits": "\(codec.bits)", "centroids": "\(centroidCount)", "tokens": "\(tokenCount)",
            "ivf.entries": "\(ivf.count)", "kmeansIterations": "\(parameters.kmeansIterations)",
            "seed": "\(parameters.seed)", "bucketSampleTokens": "\(parameters.bucketSampleTokens)",
        ]
        let header = StoredIndexHeader(type: Self.type, formatVersion: Self.formatVersion, dimension: dimension,
                                       metric: .innerProduct, count: passageCount, parameters: settings,
                                       userMetadata: metadata)
        var w = try StoredIndex.writer(directory: directory, header: header)
        try w.addColumn("centroids", type: .float16, recordLength: dimension)
        try w.addColumn("buckets", type: .float32)
        try w.addColumn("codes", type: .int32, recordLength: 1)
        try w.addColumn("residuals", type: .uint8, recordLength: codec.bytesPerToken(dimension: dimension))
        try w.addColumn("ids", type: .int64, recordLength: 1)
        try w.addColumn("offsets", type: .int64, recordLength: 1)
        try w.addColumn("ivf", type: .int32, recordLength: 1)
        try w.addColumn("ivf.offsets", type: .int64, recordLength: 1)
        try w.append(float16s: centroids.map { Float16($0) }, to: "centroids")
        try w.appendRecord(floats: codec.cutoffs, to: "buckets")
        try w.appendRecord(floats: codec.weights, to: "buckets")
        let step = 1 << 20
        for lo in stride(from: 0, to: codes.count, by: step) {
            try w.append(int32s: codes[lo..<min(codes.count, lo + step)], to: "codes")
        }
        for lo in stride(from: 0, to: residuals.count, by: step) {
            try w.append(uint8s: residuals[lo..<min(residuals.count, lo + step)], to: "residuals")
        }
        try w.append(int64s: ids.map { Int64(bitPattern: $0) }, to: "ids")
        try w.append(int64s: offsets.map(Int64.init), to: "offsets")
        for lo in stride(from: 0, to: ivf.count, by: step) {
            try w.append(int32s: ivf[lo..<min(ivf.count, lo + step)], to: "ivf")
        }
        try w.append(int64s: ivfOffsets.map(Int64.init), to: "ivf.offsets")
        try w.commit()
    }

    /// Opens an index saved with `save`; returns it with the caller's metadata.
    /// - Throws: `IndexError.kindMismatch`, `.unsupportedFormat`, `.dimensionMismatch` against `expectedDimension`, `.corrupt`
    ///   naming what is inconsistent; `ShardStoreError` for missing, truncated or checksum-failing files.
    public static func open(directory: URL, expectedDimension: Int? = nil) throws -> (index: PLAIDIndex, metadata: [String: String]) {
        let o = try StoredObject(directory: directory, type: type, format: formatVersion, expectedDimension: expectedDimension)
        let d = o.header.dimension, bits = try o.int("bits"), k = try o.int("centroids")
        let n = o.header.count, tokens = try o.int("tokens"), entries = try o.int("ivf.entries")
        guard d > 0, k >= 1, n >= 0, tokens >= 0, entries >= 0, ResidualCodec.supportedBits.contains(bits),
              (d * bits) % 8 == 0, n < Int(Int32.max), k < Int(Int32.max) else {
            throw o.corrupt("dimension, bits, centroids, passages or tokens out of range")
        }
        let seed = try o.header.uint64Parameter("seed", path: o.path)
        let parameters = PLAIDBuildParameters(bits: bits, centroids: k, kmeansIterations: try o.int("kmeansIterations"),
                                              seed: seed, bucketSampleTokens: try o.int("bucketSampleTokens"))

        let centroids = try o.column("centroids", records: k, length: d).allFloat16s().map { Float($0) }
        guard centroids.allSatisfy(\.isFinite) else { throw o.corrupt("a centroid has a non-finite component") }
        let buckets = try o.column("buckets", records: 2, length: nil)
        let codec: ResidualCodec
        do { codec = try ResidualCodec(bits: bits, cutoffs: try buckets.floats(record: 0), weights: try buckets.floats(record: 1)) }
        catch let e as IndexError { throw o.corrupt("buckets: \(e)") }
        let codes = try o.column("codes", records: tokens, length: 1).allInt32s()
        if let bad = codes.firstIndex(where: { $0 < 0 || Int($0) >= k }) {
            throw o.corrupt("token \(bad) has centroid \(codes[bad]), outside 0..<\(k)")
        }
        let residuals = try o.column("residuals", records: tokens, length: codec.bytesPerToken(dimension: d)).allUInt8s()
        let ids = try o.column("ids", records: n, length: 1).allInt64s().map { UInt64(bitPattern: $0) }
        guard Set(ids).count == ids.count else { throw o.corrupt("passage ids are not unique") }
        let offsets = try o.offsets("offsets", count: n, total: tokens)
        let ivf = try o.column("ivf", records: entries, length: 1).allInt32s()
        let ivfOffsets = try o.offsets("ivf.offsets", count: k, total: entries)
        for c in 0..<k {
            var previous: Int32 = -1
            for j in ivfOffsets[c]..<ivfOffsets[c + 1] {
                guard ivf[j] > previous, Int(ivf[j]) < n else {
                    throw o.corrupt("the list of centroid \(c) holds \(ivf[j]): not an ascending passage position below \(n)")
                }
                previous = ivf[j]
            }
        }
        let index = PLAIDIndex(dimension: d, parameters: parameters, codec: codec, centroids: centroids, codes: codes,
                               residuals: residuals, ids: ids, offsets: offsets, ivf: ivf, ivfOffsets: ivfOffsets)
        return (index, o.header.userMetadata)
    }
}
