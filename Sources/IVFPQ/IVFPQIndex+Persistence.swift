import Foundation
import IndexCore
import ShardStore
import VectorKernels

/// On-disk layout, following the index file convention (`StoredIndexHeader`, docs/shard-format.md):
/// kind `index.ivfpq`, format 1; settings (`param.*`) are the `IVFPQConfiguration` fields (`nlist`,
/// `subquantizers`, `bitsPerCode`, `useOPQ`, `trainingSampleSize` (−1 for all), `seed`, `keepFullVectors`,
/// `coarseIterations`, `pqIterations`, `threads`) and `hasVectors`. Every column is checksummed LZ4:
///
/// | column       | type    | record length | records      | content                                        |
/// |--------------|---------|---------------|--------------|------------------------------------------------|
/// | `centroids`  | float32 | d             | nlist        | coarse centroids                               |
/// | `codebooks`  | float32 | d / m         | m × 256      | PQ codewords (sub-quantizer, codeword)         |
/// | `rotation`   | float32 | d             | d or 0       | OPQ matrix (x ↦ x · R), empty without OPQ      |
/// | `list_sizes` | int64   | 1             | nlist        | live entries per list                          |
/// | `ids`        | int64   | 1             | N            | ids, list by list                              |
/// | `codes`      | uint8   | m             | N            | PQ codes, same order                           |
/// | `vectors`    | float32 | d             | N or 0       | full vectors (normalised for cosine), same order |
///
/// Deleted entries are not written (saving compacts). The L2 list terms are recomputed on open (same
/// arithmetic, so the opened index answers identically).
extension IVFPQConfiguration {
    /// The configuration as index settings (`param.*` values).
    var storedSettings: [String: String] {
        ["nlist": "\(nlist)", "subquantizers": "\(subquantizers)", "bitsPerCode": "\(bitsPerCode)",
         "useOPQ": "\(useOPQ)", "trainingSampleSize": "\(trainingSampleSize ?? -1)", "seed": "\(seed)",
         "keepFullVectors": "\(keepFullVectors)", "coarseIterations": "\(coarseIterations)",
         "pqIterations": "\(pqIterations)", "threads": "\(threads)"]
    }

    /// Reads the configuration back from stored settings.
    init(stored h: StoredIndexHeader, path: String) throws {
        let sample = try h.intParameter("trainingSampleSize", path: path)
        self.init(nlist: try h.intParameter("nlist", path: path), subquantizers: try h.intParameter("subquantizers", path: path),
                  bitsPerCode: try h.intParameter("bitsPerCode", path: path), useOPQ: try h.boolParameter("useOPQ", path: path),
                  trainingSampleSize: sample < 0 ? nil : sample, seed: try h.uint64Parameter("seed", path: path),
                  keepFullVectors: try h.boolParameter("keepFullVectors", path: path))
        coarseIterations = try h.intParameter("coarseIterations", path: path)
        pqIterations = try h.intParameter("pqIterations", path: path)
        threads = try h.intParameter("threads", path: path)
    }
}

extension IVFPQIndex {
    /// The index type of a saved IVF-PQ index (its shard-store kind is `index.ivfpq`).
    public static let storedType = "ivfpq"
    static let formatVersion = 1
    /// LZ4 block size of the `vectors` column: the unit of random access when re-ranking reads vectors
    /// from disk (a smaller block decodes faster; measured in docs/ivfpq.md). Other columns use the
    /// shard store's default and are read whole.
    static let vectorBlockBytes = 4 << 10

    /// Writes the trained index to `directory` (atomically replacing what is there).
    /// - Throws: `IndexError.notTrained` for an untrained index; shard-store errors for I/O problems.
    public func save(to directory: URL, metadata: [String: String] = [:]) throws {
        try lock.withReadLock {
            guard let cq = coarse, let p = pq else { throw IndexError.notTrained }
            let d = dimension, m = p.m
            var settings = configuration.storedSettings
            settings["hasVectors"] = "\(fullVectors != nil)"
            if let curve { settings.merge(curve.storedParameters) { _, fitted in fitted } }
            let header = StoredIndexHeader(type: Self.storedType, formatVersion: Self.formatVersion, dimension: d,
                                           metric: metric, count: lists.totalCount - tombstones.count,
                                           parameters: settings, userMetadata: metadata)
            var w = try StoredIndex.writer(directory: directory, header: header)
            try w.addColumn("centroids", type: .float32, recordLength: d)
            try w.append(floats: cq.centroids, to: "centroids")
            try w.addColumn("codebooks", type: .float32, recordLength: p.dsub)
            try w.append(floats: p.codebooks, to: "codebooks")
            try w.addColumn("rotation", type: .float32, recordLength: d)
            if let rotation { try w.append(floats: rotation.matrix, to: "rotation") }
            try w.addColumn("list_sizes", type: .int64, recordLength: 1)
            try w.addColumn("ids", type: .int64, recordLength: 1)
            try w.addColumn("codes", type: .uint8, recordLength: m)
            try w.addColumn("vectors", type: .float32, recordLength: d,
                            blockBytes: max(Self.vectorBlockBytes, d * MemoryLayout<Float>.size))
            for l in 0..<lists.listCount {
                let n = lists.count(l)
                let live = (0..<n).filter { !tombstones.contains(UInt64(l) << 32 | UInt64($0)) }
                try w.append(int64s: [Int64(live.count)], to: "list_sizes")
                try lists.withList(l) { ids, codes in
                    try w.append(int64s: live.map { Int64(bitPattern: ids[$0]) }, to: "ids")
                    if live.count == n {
                        try w.append(uint8s: codes, to: "codes")
                    } else {
                        for o in live { try w.append(uint8s: codes[o * m ..< (o + 1) * m], to: "codes") }
                    }
                }
                if let store = fullVectors {
                    for o in live {
                        try store.withVector(list: l, offset: o) { v in
                            try w.append(floats: UnsafeBufferPointer(start: v, count: d), to: "vectors")
                        }
                    }
                }
            }
            try w.commit()
        }
    }

    /// Opens an index saved by `save(to:)`.
    /// - Parameters:
    ///   - expectedDimension, expectedMetric: checked against the stored index when given.
    ///   - loadFullVectors: load the full vectors for re-ranking into memory. By default (false) they stay
    ///     on disk and re-ranking reads the `k × refineFactor` candidates through the shard store's random
    ///     access: memory stays at codes + ids, which is what IVF-PQ is for (see docs/ivfpq.md).
    /// - Throws: `IndexError.kindMismatch`, `unsupportedFormat`, `dimensionMismatch`, `metricMismatch`, `corrupt`,
    ///   or shard-store errors.
    public static func open(directory: URL, expectedDimension: Int? = nil, expectedMetric: Metric? = nil,
                            loadFullVectors: Bool = false) throws -> IVFPQIndex {
        let (reader, header) = try StoredIndex.open(directory: directory, type: storedType, supportedFormats: 1...formatVersion,
                                                    expectedDimension: expectedDimension, expectedMetric: expectedMetric)
        let path = directory.path
        let cfg = try IVFPQConfiguration(stored: header, path: path)
        let hasVectors = try header.boolParameter("hasVectors", path: path)
        let d = header.dimension
        let index: IVFPQIndex
        do { index = try IVFPQIndex(dimension: d, metric: header.metric, configuration: cfg) } catch {
            throw IndexError.corrupt(path: path, reason: "stored settings are invalid: \(error)")
        }
        let m = cfg.subquantizers, nlist = cfg.nlist

        func check(_ ok: Bool, _ reason: @autoclosure () -> String) throws {
            if !ok { throw IndexError.corrupt(path: path, reason: reason()) }
        }
        let centroids = try reader.column("centroids").allFloats()
        try check(centroids.count == nlist * d, "centroids: \(centroids.count) floats, expected \(nlist * d)")
        let codebooks = try reader.column("codebooks").allFloats()
        try check(codebooks.count == ProductQuantizer.ksub * d, "codebooks: \(codebooks.count) floats, expected \(ProductQuantizer.ksub * d)")
        let rotationValues = try reader.column("rotation").allFloats()
        try check(rotationValues.isEmpty || rotationValues.count == d * d, "rotation: \(rotationValues.count) floats")
        let sizes = try reader.column("list_sizes").allInt64s()
        try check(sizes.count == nlist && sizes.allSatisfy { $0 >= 0 }, "list_sizes: \(sizes.count) records for \(nlist) lists")
        let total = sizes.reduce(0) { $0 + Int($1) }
        try check(total == header.count, "list sizes add up to \(total), header says \(header.count)")
        let ids = try reader.column("ids").allInt64s()
        let codes = try reader.column("codes").allUInt8s()
        try check(ids.count == total && codes.count == total * m, "ids/codes: \(ids.count) ids and \(codes.count) code bytes for \(total) entries")
        try check(Set(ids).count == ids.count, "duplicate ids")
        let vectorColumn = try reader.column("vectors")
        try check(vectorColumn.recordCount == (hasVectors ? total : 0), "vectors: \(vectorColumn.recordCount) records for \(total) entries")
        for v in [centroids, codebooks, rotationValues] {
            try check(!v.contains { !$0.isFinite }, "non-finite value in the trained parameters")
        }

        let cq = CoarseQuantizer(centroids: centroids, dimension: d)
        let p = ProductQuantizer(dimension: d, m: m, codebooks: codebooks)
        var starts = [Int](repeating: 0, count: nlist + 1)
        for l in 0..<nlist { starts[l + 1] = starts[l] + Int(sizes[l]) }
        index.slotKeys.reserveCapacity(total)
        for l in 0..<nlist {
            let a = starts[l], b = starts[l + 1]
            index.lists.set(list: l, ids: ids[a ..< b].map { UInt64(bitPattern: $0) }, codes: Array(codes[a * m ..< b * m]))
            for o in 0..<(b - a) { index.slotKeys[UInt64(bitPattern: ids[a + o])] = UInt64(l) << 32 | UInt64(o) }
        }
        if hasVectors {
            if loadFullVectors {
                let all = try vectorColumn.allFloats()
                let store = FullVectorStore(listCount: nlist, dimension: d)
                for l in 0..<nlist { store.setMemory(list: l, vectors: Array(all[starts[l] * d ..< starts[l + 1] * d])) }
                index.fullVectors = store
            } else {
                index.fullVectors = FullVectorStore(listCount: nlist, dimension: d,
                                                    disk: ShardVectors(column: vectorColumn, listStarts: starts, dimension: d))
            }
        } else {
            index.fullVectors = nil
        }
        index.coarse = cq
        index.pq = p
        index.rotation = rotationValues.isEmpty ? nil : OPQRotation(dimension: d, matrix: rotationValues)
        index.listTerms = header.metric == .l2 ? p.listTerms(centroids: centroids, nlist: nlist) : []
        index.storedMetadata = header.userMetadata
        let curve = try TuningCurve(stored: header, path: path)
        if curve == nil, header.parameters["tunedNprobe"] != nil {
            // Saved between the first recall target (one tuned pair) and the curve: refuse rather than
            // silently search with untuned settings.
            throw IndexError.unsupportedFormat(path: path, reason: "its tuned search settings predate recall curves: rebuild it (`i3 index … --overwrite`)")
        }
        if let curve {
            for point in curve.points {
                guard let n = point.nprobe, let r = point.refineFactor else {
                    throw IndexError.corrupt(path: path, reason: "recall curve: a point has no nprobe or refineFactor")
                }
                if r > 1, !hasVectors {
                    throw IndexError.corrupt(path: path, reason: "recall curve re-ranks (nprobe \(n), refineFactor \(r)) but the index was saved without full vectors")
                }
            }
        }
        index.curve = curve
        return index
    }
}

/// Full vectors read on demand from the `vectors` column (block-level LZ4 random access, cached blocks).
struct ShardVectors: DiskVectors {
    let column: ColumnReader
    /// `nlist + 1` record offsets: list `l` is records `listStarts[l] ..< listStarts[l + 1]`.
    let listStarts: [Int]
    let dimension: Int

    func count(list: Int) -> Int { listStarts[list + 1] - listStarts[list] }

    func vector(list: Int, offset: Int) throws -> [Float] {
        let v = try column.floats(record: listStarts[list] + offset)
        guard v.count == dimension else {
            throw IndexError.corrupt(path: "vectors", reason: "record of \(v.count) floats, expected \(dimension)")
        }
        return v
    }
}
