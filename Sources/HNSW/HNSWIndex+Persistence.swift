import Foundation
import IndexCore
import ShardStore
import VectorKernels

/// Saving and opening an HNSW index, following the index file convention (`StoredIndexHeader`,
/// docs/shard-format.md): kind `index.hnsw`, format 1.
///
/// Columns, one record per slot (deleted slots included, so a loaded graph is the same graph):
///
/// | column          | type                       | record                                              |
/// |-----------------|----------------------------|-----------------------------------------------------|
/// | `ids`           | int64 × 1                  | external id                                          |
/// | `levels`        | uint8 × 1                  | top level of the node                                |
/// | `deleted`       | uint8 × 1                  | 1 for a tombstone                                    |
/// | `vectors`       | float32/float16/uint8 × d  | the stored vector (normalised for cosine)            |
/// | `links.level0`  | int32, variable            | level-0 neighbour slots                              |
/// | `links.upper`   | int32, variable            | for levels 1…top: a count, then that many slots      |
/// | `quantizer`     | float32 × d (int8 only)    | record 0: per-dimension minimums, record 1: steps    |
///
/// Settings (`param.*`): `m`, `efConstruction`, `seed`, `storage`, `defaultEf`, `slots`, `entry.slot`,
/// `entry.level` (−1 when empty). `index.count` is the number of live (not deleted) vectors.
extension HNSWIndex {
    /// The index type of a saved HNSW index (its shard-store kind is `index.hnsw`).
    public static let storedType = "hnsw"
    static let formatVersion = 1

    /// Writes the index to `directory` (replacing it atomically) with the caller's `metadata`
    /// (for example the encoder's identity), which `open(...).metadata` returns.
    public func save(to directory: URL, metadata: [String: String] = [:]) throws {
        try withGraph { graph in
            let slots = graph?.slotCount ?? 0
            let top = graph?.entryPoint
            var settings: [String: String] = [
                "m": "\(parameters.m)", "efConstruction": "\(parameters.efConstruction)", "seed": "\(parameters.seed)",
                "storage": parameters.storage.rawValue, "defaultEf": "\(parameters.defaultEf)", "slots": "\(slots)",
                "entry.slot": "\(top.map { Int($0.slot) } ?? -1)", "entry.level": "\(top?.level ?? -1)",
            ]
            if let curve { settings.merge(curve.storedParameters) { _, fitted in fitted } }
            let header = StoredIndexHeader(type: Self.storedType, formatVersion: Self.formatVersion, dimension: dimension,
                                           metric: metric, count: graph?.liveCount ?? 0, parameters: settings,
                                           userMetadata: metadata)
            var w = try StoredIndex.writer(directory: directory, header: header)
            let d = dimension
            try w.addColumn("ids", type: .int64, recordLength: 1)
            try w.addColumn("levels", type: .uint8, recordLength: 1)
            try w.addColumn("deleted", type: .uint8, recordLength: 1)
            let vectorType: ElementType = switch parameters.storage {
            case .float32: .float32
            case .float16: .float16
            case .int8: .uint8
            }
            try w.addColumn("vectors", type: vectorType, recordLength: d)
            try w.addColumn("links.level0", type: .int32)
            try w.addColumn("links.upper", type: .int32)
            if parameters.storage == .int8 { try w.addColumn("quantizer", type: .float32, recordLength: d) }

            if let g = graph {
                let store = g.store
                try w.append(int64s: (0..<slots).map { Int64(bitPattern: store.labels[$0]) }, to: "ids")
                try w.append(uint8s: UnsafeBufferPointer(start: store.levels, count: slots), to: "levels")
                try w.append(uint8s: (0..<slots).map { store.isDeleted(UInt32($0)) ? UInt8(1) : 0 }, to: "deleted")
                for s in 0..<slots {
                    let raw = UnsafeRawPointer(store.vector(UInt32(s)))
                    switch parameters.storage {
                    case .float32:
                        try w.append(floats: UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Float.self), count: d), to: "vectors")
                    case .float16:
                        try w.append(float16s: UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Float16.self), count: d), to: "vectors")
                    case .int8:
                        try w.append(uint8s: UnsafeBufferPointer(start: raw.assumingMemoryBound(to: UInt8.self), count: d), to: "vectors")
                    }
                    try w.appendRecord(int32s: g.links(of: UInt32(s), level: 0).map { Int32(bitPattern: $0) }, to: "links.level0")
                    var upper: [Int32] = []
                    let top = Int(store.levels[s])
                    if top > 0 {
                        for l in 1...top {
                            let links = g.links(of: UInt32(s), level: l)
                            upper.append(Int32(links.count))
                            upper.append(contentsOf: links.map { Int32(bitPattern: $0) })
                        }
                    }
                    try w.appendRecord(int32s: upper, to: "links.upper")
                }
                if parameters.storage == .int8 {
                    try w.append(floats: g.codec.mins, to: "quantizer")
                    try w.append(floats: g.codec.scales, to: "quantizer")
                }
            }   // an untrained int8 index stores an empty quantizer column and opens untrained again
            try w.commit()
        }
        setMetadata(metadata)
    }

    /// Opens an index saved with `save`. Checks every stored value (link targets, levels, counts,
    /// checksums) and, when given, that the index has `expectedDimension` and `expectedMetric`.
    /// Throws `IndexError` (`kindMismatch`, `unsupportedFormat`, `dimensionMismatch`, `metricMismatch`,
    /// `corrupt`) or the shard store's `ShardStoreError` for unreadable files.
    public static func open(directory: URL, expectedDimension: Int? = nil, expectedMetric: Metric? = nil) throws -> HNSWIndex {
        let (reader, header) = try StoredIndex.open(directory: directory, type: storedType, supportedFormats: 1...formatVersion,
                                                    expectedDimension: expectedDimension, expectedMetric: expectedMetric)
        let path = directory.path
        func corrupt(_ reason: String) -> IndexError { .corrupt(path: path, reason: reason) }
        func int(_ key: String) throws -> Int { try header.intParameter(key, path: path) }
        let dimension = header.dimension, metric = header.metric
        guard let storage = VectorStorage(rawValue: try header.stringParameter("storage", path: path)) else {
            throw corrupt("setting \"storage\" is not float32, float16 or int8")
        }
        let seed = try header.uint64Parameter("seed", path: path)
        let parameters = HNSWParameters(m: try int("m"), efConstruction: try int("efConstruction"), seed: seed,
                                        storage: storage, defaultEf: try int("defaultEf"))
        do { try parameters.validate() } catch { throw corrupt("stored parameters are invalid: \(error)") }
        let user = header.userMetadata
        let curve = try TuningCurve(stored: header, path: path)
        if let curve, curve.points.contains(where: { $0.ef == nil }) { throw corrupt("recall curve: a point has no ef") }

        let slots = try int("slots")
        let entrySlot = try int("entry.slot"), entryLevel = try int("entry.level")
        guard slots >= 0, slots < Int(UInt32.max) else { throw corrupt("slot count \(slots) is out of range") }

        let codec: VectorCodec
        if storage == .int8 {
            let q = try reader.column("quantizer")
            guard q.recordCount == 2, q.recordLength == dimension else {
                if slots == 0 { return HNSWIndex(untrainedDimension: dimension, metric: metric, parameters: parameters, metadata: user) }
                throw corrupt("quantizer column must hold 2 records of \(dimension) floats")
            }
            do {
                codec = try VectorCodec(storage: .int8, dimension: dimension, metric: metric,
                                        mins: try q.floats(record: 0), scales: try q.floats(record: 1))
            } catch let e as IndexError { throw corrupt("quantizer: \(e)") }
        } else {
            codec = try VectorCodec(storage: storage, dimension: dimension, metric: metric)
        }

        let ids = try reader.column("ids"), levels = try reader.column("levels"), deleted = try reader.column("deleted")
        let vectors = try reader.column("vectors"), links0 = try reader.column("links.level0")
        let upper = try reader.column("links.upper")
        for c in [ids, levels, deleted, vectors, links0, upper] where c.recordCount != slots {
            throw corrupt("column \(c.name) has \(c.recordCount) records, expected \(slots)")
        }
        guard vectors.recordLength == dimension else {
            throw corrupt("vectors have \(vectors.recordLength ?? 0) components, expected \(dimension)")
        }
        let graph = HNSWGraph(dimension: dimension, metric: metric, parameters: parameters, codec: codec,
                              capacity: max(slots, 1))
        let store = graph.store
        let labels = try ids.allInt64s(), levelValues = try levels.allUInt8s(), deletedFlags = try deleted.allUInt8s()
        // The upper-link arena gets exactly the blocks the stored levels need, in one chunk.
        store.upper.reserve(blocks: levelValues.reduce(0) { $0 + Int($1) })
        for s in 0..<slots {
            let level = Int(levelValues[s])
            guard level <= 63 else { throw corrupt("slot \(s) has level \(level) (at most 63)") }
            let label = UInt64(bitPattern: labels[s])
            guard store.initializeNode(s, label: label, level: level) == level else {
                throw corrupt("the stored levels need more upper-link blocks than an index can address (2^32)")
            }
            if deletedFlags[s] != 0 { store.markDeleted(UInt32(s)) }
        }
        // Vectors, copied shard by shard into the level-0 records.
        let rowBytes = codec.vectorBytes
        try vectors.forEachShard { _, range in
            let bytes: [UInt8]
            switch storage {
            case .float32: bytes = try vectors.floats(records: range).withUnsafeBytes { Array($0) }
            case .float16: bytes = try vectors.float16s(records: range).withUnsafeBytes { Array($0) }
            case .int8: bytes = try vectors.uint8s(records: range)
            }
            guard bytes.count == range.count * rowBytes else { throw corrupt("vector shard has \(bytes.count) bytes") }
            bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                for (i, s) in range.enumerated() {
                    store.vector(UInt32(s)).copyMemory(from: base + i * rowBytes, byteCount: rowBytes)
                }
            }
        }
        if storage == .float32 {
            for s in 0..<slots {
                let v = store.vector(UInt32(s)).assumingMemoryBound(to: Float.self)
                for j in 0..<dimension where !v[j].isFinite { throw corrupt("vector of slot \(s) has a non-finite component") }
            }
        }
        // Links: every target must be a slot whose level reaches the list's level.
        func install(_ targets: ArraySlice<Int32>, slot s: Int, level l: Int) throws {
            guard targets.count <= store.maxLinks(l) else {
                throw corrupt("slot \(s) has \(targets.count) links on level \(l), at most \(store.maxLinks(l))")
            }
            let list = store.linkList(UInt32(s), level: l)
            for (i, t) in targets.enumerated() {
                guard t >= 0, Int(t) < slots, Int(t) != s, Int(levelValues[Int(t)]) >= l else {
                    throw corrupt("slot \(s) links to \(t) on level \(l), which is not a valid neighbour")
                }
                list[1 + i] = UInt32(t)
            }
            list[0] = UInt32(targets.count)
        }
        for s in 0..<slots {
            let l0 = try links0.int32s(record: s)
            try install(l0[...], slot: s, level: 0)
            let up = try upper.int32s(record: s)
            var at = 0
            let top = Int(levelValues[s])
            if top > 0 {
                for l in 1...top {
                    guard at < up.count, up[at] >= 0, at + 1 + Int(up[at]) <= up.count else {
                        throw corrupt("upper links of slot \(s) end early on level \(l)")
                    }
                    let n = Int(up[at])
                    try install(up[(at + 1)..<(at + 1 + n)], slot: s, level: l)
                    at += 1 + n
                }
            }
            guard at == up.count else { throw corrupt("upper links of slot \(s) have \(up.count - at) extra values") }
        }
        if slots > 0 {
            guard entrySlot >= 0, entrySlot < slots, entryLevel == Int(levelValues[entrySlot]) else {
                throw corrupt("entry point \(entrySlot) at level \(entryLevel) does not match the stored levels")
            }
            graph.setEntryPoint(slot: UInt32(entrySlot), level: entryLevel)
        } else if entrySlot != -1 {
            throw corrupt("empty index with entry point \(entrySlot)")
        }
        if let twice = graph.restoreBookkeeping(slotCount: slots) { throw corrupt("id \(twice) is stored on two live slots") }
        guard graph.liveCount == header.count else {
            throw corrupt("\(graph.liveCount) live vectors, the header says \(header.count)")
        }
        let index = HNSWIndex(graph: graph, metadata: user)
        index.curve = curve
        return index
    }
}
