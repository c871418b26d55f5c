import Foundation

/// Settings of `IndexBuilder.build`.
public struct IndexBuildOptions: Sendable {
    /// Which vector index to build.
    public var indexType: IndexType = .hnsw
    /// Passages per encoder call.
    public var batchSize = 64
    /// Passages per work shard: the unit of resumption and the bound on memory during encoding.
    public var shardPassages = 4096
    /// Skip malformed lines (and write a report) instead of stopping.
    public var skipMalformed = false
    /// Continue a build interrupted earlier from `<out>.partial/`.
    public var resume = false
    /// Replace an existing index directory (atomically) instead of refusing.
    public var overwrite = false
    /// Lines longer than this many bytes are malformed.
    public var maxLineBytes = 1 << 20
    /// Threads for index construction (0: all cores).
    public var threads = 0
    /// HNSW: graph degree `M` and `efConstruction` (nil: library defaults).
    public var hnswM: Int? = nil
    public var hnswEfConstruction: Int? = nil
    /// IVF-PQ: number of lists (nil: about 4·√n) and sub-quantizers (nil: dimension / 8 when it divides).
    public var ivfLists: Int? = nil
    public var ivfSubquantizers: Int? = nil
    /// IVF-PQ: at most this many vectors are used to train the quantizers.
    public var ivfTrainingSample = 50_000
    /// HNSW and IVF-PQ: after the vectors are added, fit the index's search settings (`ef`; `nprobe` and
    /// the re-ranking depth) to this recall@`tuningDepth` against exact search, on 256 pseudo-queries
    /// drawn from the collection, and store the recall curve (`HNSWIndex.tune`, `IVFPQIndex.tune`);
    /// nil leaves the library defaults (HNSW `ef` 64; IVF-PQ 8 lists, no re-ranking). Ignored by flat.
    public var targetRecall: Double? = 0.99
    /// The `k` recall targets are fitted at: 100, or one less than the passages when there are fewer.
    public static func tuningDepth(passages: Int) -> Int { min(100, passages - 1) }
    /// Model directory and head, recorded in `retriever.json` so search can reopen the same encoder.
    public var modelPath: String? = nil
    public var headPath: String? = nil

    /// An index directory built by the same encoder whose vectors are reused for passages with the same
    /// id, title and text (for example to build another index type without encoding again).
    public var reuseVectorsFrom: URL? = nil

    public init() {}
}
