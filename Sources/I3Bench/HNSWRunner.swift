import BenchSupport
import Foundation
import HNSW
import IndexCore

/// This package's HNSW: built with `threads` threads (timed) and, for reference, with all cores; then
/// saved, dropped and loaded again, and ef swept on the loaded index. Memory is measured three ways:
/// the accounted `memoryBytes`, the RSS growth over the build and over the load (`ResidentMemory`,
/// as `tools/ann/peers.py` does for hnswlib and faiss), and the saved directory's bytes on disk.
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
        var built: HNSWIndex? = nil
        let (single, residentBuild) = try ResidentMemory.growth { () throws -> Double in
            let (index, seconds) = try build(threads: options.threads)
            built = index
            return seconds
        }
        log("  i3       hnsw build with \(options.threads) thread(s): \(String(format: "%.2f", single)) s")
        let n = Double(data.baseCount)

        // Save, drop the built index, load it back: bytes on disk and resident memory of a loaded index.
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("i3bench-hnsw-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let accounted: Int
        do {
            guard let builtIndex = built else { return [] }
            accounted = builtIndex.memoryBytes
            try builtIndex.save(to: directory)
        }
        built = nil   // the last reference: the built index is freed before the load is measured
        let disk = try ResidentMemory.directoryBytes(directory)
        let (index, residentLoad) = try ResidentMemory.growth {
            try HNSWIndex.open(directory: directory, expectedDimension: data.dimension, expectedMetric: data.metric)
        }
        func perVector(_ b: Int?) -> String { b.map { String(format: "%.1f", Double($0) / n) } ?? "?" }
        log("  i3       hnsw memory, bytes/vector: accounted \(perVector(accounted)), resident after build \(perVector(residentBuild)), "
            + "after load \(perVector(residentLoad)) (loaded index accounts \(perVector(index.memoryBytes))), disk \(perVector(disk))")

        var t = template(data, options: options)
        t.buildSeconds = single
        t.buildSecondsAllThreads = allThreads
        t.addSeconds = single
        t.indexBytes = Double(accounted)
        t.bytesPerVector = Double(accounted) / n
        t.residentBytes = residentBuild.map(Double.init)
        t.residentBytesLoaded = residentLoad.map(Double.init)
        t.diskBytes = Double(disk)
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
