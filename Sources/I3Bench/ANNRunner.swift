import BenchSupport
import IndexCore

/// Settings of one `I3Bench ann` run, shared by every index runner.
struct ANNOptions: Sendable {
    var k = 10
    /// Threads of the timed build and of the searches.
    var threads = 1
    /// Also time a build with all cores (HNSW).
    var allThreadsBuild = true
    /// Passes over the queries per point; the fastest counts.
    var runs = 3
    var repetition = 1
    // HNSW
    var ef: [Int] = [10, 20, 40, 80, 120, 200, 400]
    var m = 16
    var efConstruction = 200
    var seed: UInt64 = 42
    // IVF-PQ
    var nlist = IVFPQDefaults.nlist
    var pqM: Int? = nil
    var nbits = 8
    var nprobe: [Int] = [1, 4, 16, 64]
    /// Re-ranking factors: one point set per factor above 1, plus the one without re-ranking.
    var refine: [Int] = [10]
    var trainSize = IVFPQDefaults.trainSize
}

/// Builds one kind of index on a data set and measures its recall/QPS points.
protocol ANNRunner: Sendable {
    /// The `index` field of its points (`flat`, `hnsw`, `ivfpq`; IVF-PQ also writes `ivfpq+refine`).
    var indexName: String { get }
    func run(_ data: ANNDataset, options: ANNOptions, log: (String) -> Void) throws -> [BenchmarkPoint]
}

extension ANNRunner {
    /// Times the one-query-per-call loop of `search` and turns it into a point.
    func measurePoint(_ data: ANNDataset, options: ANNOptions, index: String, params: [String: Double],
                      passes: Int, template: BenchmarkPoint,
                      search: (Int) throws -> [UInt64]) throws -> BenchmarkPoint {
        let (seconds, results) = try QueryTimer.bestOf(passes: passes, queryCount: data.queryCount, search)
        var p = template
        p.index = index
        p.params = params
        p.recallAt10 = Recall.atK(options.k, results: results, truth: data.groundTruth)
        p.qps = Double(data.queryCount) / seconds
        return p
    }

    /// A point with the run-wide fields filled in.
    func template(_ data: ANNDataset, options: ANNOptions) -> BenchmarkPoint {
        BenchmarkPoint(dataset: data.name, library: "i3", index: indexName, mode: "single", params: [:],
                       recallAt10: 0, qps: 0, threads: options.threads, queries: data.queryCount, k: options.k,
                       repetition: options.repetition)
    }

    /// The query rows as separate arrays, made once before timing (the index APIs take `[Float]`).
    func queryRows(_ data: ANNDataset) -> [[Float]] { (0 ..< data.queryCount).map { data.query($0) } }
}

/// Prints one measured point in the same format as `tools/ann/peers.py`.
func describe(_ p: BenchmarkPoint) -> String {
    // Left-aligned in a column of at least `n` characters, never truncated.
    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    return "  \(pad(p.library, 8)) \(pad(p.index, 13)) \(pad(p.mode, 6)) \(pad(p.paramsText, 40)) recall@10=\(String(format: "%.4f", p.recallAt10))  QPS=\(String(format: "%.0f", p.qps))"
}
