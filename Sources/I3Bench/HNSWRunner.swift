import BenchSupport
import HNSW
import IndexCore

/// This package's HNSW: built with `threads` threads (timed) and, for reference, with all cores; ef swept.
struct HNSWRunner: ANNRunner {
    var indexName: String { "hnsw" }

    func run(_ data: ANNDataset, options: ANNOptions, log: (String) -> Void) throws -> [BenchmarkPoint] {
        let ids = (0 ..< UInt64(data.baseCount)).map { $0 }
        func build(threads: Int) throws -> (HNSWIndex, Double) {
            let index = try HNSWIndex(dimension: data.dimension, metric: data.metric,
                                      parameters: HNSWParameters(m: options.m, efConstruction: options.efConstruction,
                                                                 seed: options.seed))
            let t = try QueryTimer.measure { try index.add(contentsOf: data.base, ids: ids, threads: threads) }
            return (index, t.seconds)
        }
        var allThreads: Double? = nil
        if options.allThreadsBuild {
            let cores = ProcessInfoCores.count
            allThreads = try build(threads: cores).1
            log("  i3       hnsw build with \(cores) threads: \(String(format: "%.2f", allThreads ?? 0)) s")
        }
        let (index, single) = try build(threads: options.threads)
        log("  i3       hnsw build with \(options.threads) thread(s): \(String(format: "%.2f", single)) s")
        var t = template(data, options: options)
        t.buildSeconds = single
        t.buildSecondsAllThreads = allThreads
        t.addSeconds = single
        t.indexBytes = Double(index.memoryBytes)
        t.bytesPerVector = Double(index.memoryBytes) / Double(data.baseCount)
        let queries = queryRows(data)
        var points: [BenchmarkPoint] = []
        for ef in options.ef {
            let sp = SearchParameters(ef: max(ef, options.k))
            let params: [String: Double] = ["M": Double(options.m), "efConstruction": Double(options.efConstruction), "ef": Double(ef)]
            let p = try measurePoint(data, options: options, index: "hnsw", params: params, passes: options.runs, template: t) { q in
                try index.search(queries[q], k: options.k, parameters: sp).map(\.id)
            }
            log(describe(p))
            points.append(p)
        }
        return points
    }
}
