/// One measured point of an ANN benchmark curve: an index with one setting of its search parameters.
///
/// The JSON form (written by `I3Bench ann` and by `tools/ann/peers.py`, read by `I3Bench ann-report`)
/// uses the snake_case keys below; optional fields may be missing or null.
public struct BenchmarkPoint: Codable, Sendable, Equatable {
    /// Data set name (the data directory's last path component).
    public var dataset: String
    /// Who built the index: `i3` (this package), `hnswlib` or `faiss`.
    public var library: String
    /// The algorithm: `hnsw`, `ivfpq`, `ivfpq+refine` or `flat`. Curves with the same index are compared.
    public var index: String
    /// `single` (one query per call, the compared figure) or `batch` (all queries in one call; reference only).
    public var mode: String
    /// Build and search parameters, e.g. `M`, `efConstruction`, `ef`, `nlist`, `m`, `nbits`, `nprobe`, `refine`.
    public var params: [String: Double]
    /// Mean recall@10 over the queries.
    public var recallAt10: Double
    /// Queries per second.
    public var qps: Double
    /// Peers only: QPS with the measured per-call Python overhead subtracted from each query's time.
    public var qpsOverheadCorrected: Double?
    /// Peers only: the per-call overhead (seconds) that was subtracted.
    public var callOverheadSeconds: Double?
    /// Seconds to build the index with `threads` threads (IVF-PQ: training + adding).
    public var buildSeconds: Double?
    /// Seconds to build the index with all cores.
    public var buildSecondsAllThreads: Double?
    /// IVF-PQ: seconds of training.
    public var trainSeconds: Double?
    /// Seconds of adding the base vectors.
    public var addSeconds: Double?
    /// Bytes of the index in memory. Ours: the accounted `memoryBytes` (HNSW: node buffers, upper
    /// links, id map, locks, idle search scratch). Peers' HNSW: `residentBytes` (they account nothing);
    /// peers' IVF-PQ and flat: the serialised size.
    public var indexBytes: Double?
    /// Bytes stored per vector (usually `indexBytes` / number of vectors).
    public var bytesPerVector: Double?
    /// Measured resident memory of the built index: the growth of the process's RSS from before the
    /// (timed) build to after it, both read after returning freed heap memory to the system
    /// (`ResidentMemory`; peers.py does the same).
    public var residentBytes: Double?
    /// The same RSS growth measured around loading the saved index (into a process that released the
    /// built one first).
    public var residentBytesLoaded: Double?
    /// Bytes of the saved index on disk: ours, every file of the shard directory (LZ4 shards, their
    /// index files, the manifest); hnswlib, the `save_index` file; faiss, the `write_index` file.
    public var diskBytes: Double?
    /// Threads used for the timed build and the searches.
    public var threads: Int?
    /// Number of queries timed.
    public var queries: Int?
    /// Neighbours asked for per query.
    public var k: Int?
    /// Which repetition of `scripts/ann-bench.sh` produced the point.
    public var repetition: Int?
    /// Where it was measured: CPU, ISA level, BLAS library and core and who chose it, threads, vector
    /// kernels, one core's sgemm GFLOP/s (I3Bench fills it from `ComputeEnvironment`).
    public var machine: [String: String]?

    enum CodingKeys: String, CodingKey {
        case dataset, library, index, mode, params
        case recallAt10 = "recall_at_10"
        case qps
        case qpsOverheadCorrected = "qps_overhead_corrected"
        case callOverheadSeconds = "call_overhead_seconds"
        case buildSeconds = "build_seconds"
        case buildSecondsAllThreads = "build_seconds_all_threads"
        case trainSeconds = "train_seconds"
        case addSeconds = "add_seconds"
        case indexBytes = "index_bytes"
        case bytesPerVector = "bytes_per_vector"
        case residentBytes = "resident_bytes"
        case residentBytesLoaded = "resident_bytes_loaded"
        case diskBytes = "disk_bytes"
        case threads, queries, k, repetition, machine
    }

    public init(dataset: String, library: String, index: String, mode: String = "single",
                params: [String: Double], recallAt10: Double, qps: Double,
                qpsOverheadCorrected: Double? = nil, callOverheadSeconds: Double? = nil,
                buildSeconds: Double? = nil, buildSecondsAllThreads: Double? = nil,
                trainSeconds: Double? = nil, addSeconds: Double? = nil,
                indexBytes: Double? = nil, bytesPerVector: Double? = nil,
                residentBytes: Double? = nil, residentBytesLoaded: Double? = nil, diskBytes: Double? = nil,
                threads: Int? = nil, queries: Int? = nil, k: Int? = nil, repetition: Int? = nil) {
        self.dataset = dataset
        self.library = library
        self.index = index
        self.mode = mode
        self.params = params
        self.recallAt10 = recallAt10
        self.qps = qps
        self.qpsOverheadCorrected = qpsOverheadCorrected
        self.callOverheadSeconds = callOverheadSeconds
        self.buildSeconds = buildSeconds
        self.buildSecondsAllThreads = buildSecondsAllThreads
        self.trainSeconds = trainSeconds
        self.addSeconds = addSeconds
        self.indexBytes = indexBytes
        self.bytesPerVector = bytesPerVector
        self.residentBytes = residentBytes
        self.residentBytesLoaded = residentBytesLoaded
        self.diskBytes = diskBytes
        self.threads = threads
        self.queries = queries
        self.k = k
        self.repetition = repetition
    }

    /// `library index` (plus ` (batch)` for batched points): the name of the curve the point belongs to.
    public var curveName: String { mode == "single" ? "\(library) \(index)" : "\(library) \(index) (\(mode))" }

    /// The parameters as `key=value` pairs in a fixed order (ints printed without a fraction).
    public var paramsText: String {
        params.keys.sorted().map { key in
            let v = params[key] ?? 0
            let text = v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
            return "\(key)=\(text)"
        }.joined(separator: " ")
    }
}
