import ArgumentParser
import BenchSupport
import DataSets
import Dispatch
import Evaluation
import Foundation
import HNSW
import I3Encoder
import IndexCore
import IVFPQ
import LateInteraction
import Synchronization

/// `I3Bench late`: the dense retriever (one MiniLM vector per passage in flat / HNSW / IVF-PQ) against
/// late interaction (the token vectors of the same forward pass: exact MaxSim fp16, PLAID-style 2-bit
/// and 4-bit), measured side by side on one collection. Writes the token vectors for the fast-plaid
/// peer (tools/late/fast_plaid_peer.py); `--render` merges the peer's rows into the report.
struct LateBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "late",
        abstract: "Dense (flat, HNSW, IVF-PQ) against late interaction (exact MaxSim, PLAID-style) on one collection.")

    @Option(help: "Data set directory with collection.tsv, queries.test.tsv, qrels.test.tsv (i3 data dictionary --out …).")
    var data = ".data/dictionary-10k"
    @Option(help: "sentence-transformers model directory.")
    var model = ".models/all-MiniLM-L6-v2"
    @Option(help: "Test queries (the first N with judgments).")
    var queries = 200
    @Option(help: "Token vector dimension: PCA (uncentred) to this many components; the model's width keeps them as they are.")
    var dimension = 128
    @Option(help: "Passage length in tokens (ColBERT doc_maxlen).")
    var passageLength = 180
    @Flag(help: "Pad queries to 32 tokens with [MASK] (ColBERT query augmentation).")
    var expandQueries = false
    @Option(help: "Encoding threads (0 = all cores).")
    var threads = 0
    @Option(help: "Output directory (results, plots, token vectors for the peer, saved indexes).")
    var out = "runs/late"
    @Flag(help: "Only re-render the report from OUT/results.json and OUT/fast_plaid.json.")
    var render = false
    @Flag(help: "Keep the saved indexes under OUT/indexes.")
    var keepIndexes = false

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        if render { return try renderOnly(outURL) }
        let log: (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }   // unbuffered: long runs log to files
        let cores = ProcessInfo.processInfo.activeProcessorCount

        // ---- data ----
        let dataURL = URL(fileURLWithPath: data)
        var passageIDs: [String] = [], texts: [String] = []
        var reader = try PassageTSVReader(url: dataURL.appendingPathComponent("collection.tsv"))
        while let item = try reader.next() {
            if case let .passage(p, _, _) = item { passageIDs.append(p.id); texts.append(p.encoderText) }
        }
        let qrels = try TrecFiles.readQrels(dataURL.appendingPathComponent("qrels.test.tsv"))
        let allQueries = try TrecFiles.readQueries(dataURL.appendingPathComponent("queries.test.tsv"))
        let testQueries = Array(allQueries.filter { qrels[$0.id] != nil }.prefix(queries))
        let judged = qrels.filter { q in testQueries.contains { $0.id == q.key } }
        let n = texts.count, nq = testQueries.count
        log("late: \(n) passages, \(nq) test queries, CPU \(cpuName()), \(cores) cores")

        // ---- one forward pass per passage: token vectors and the dense vector ----
        let encoder = try DualEncoder(modelDirectory: URL(fileURLWithPath: model), options: .init(threads: threads))
        let tokenOptions = TokenVectorOptions(queryLength: 32, expandQueries: expandQueries, passageLength: passageLength)
        let encoded = try QueryTimer.measure { try encoder.encodePassageTokens(texts, options: tokenOptions) }
        let docs = encoded.value
        let tokens = docs.tokenCount
        log(String(format: "encoded in %.1f s (%.0f passages/s): %d token vectors, %.1f per passage",
                   encoded.seconds, Double(n) / encoded.seconds, tokens, Double(tokens) / Double(n)))
        let dense = docs.pooled ?? []
        let d = docs.dimension

        // queries, one at a time on one thread: the encoding part of the latency
        let queryEncoder = try DualEncoder(modelDirectory: URL(fileURLWithPath: model), options: .init(threads: 1))
        var denseQ: [[Float]] = [], tokenQ: [[Float]] = [], denseEncodeMs: [Double] = [], tokenEncodeMs: [Double] = []
        for q in testQueries {
            let a = try QueryTimer.measure { try queryEncoder.encodeQueries([q.text])[0] }
            denseQ.append(a.value); denseEncodeMs.append(a.seconds * 1000)
            let b = try QueryTimer.measure { try queryEncoder.encodeQueryTokens([q.text], options: tokenOptions).vectors }
            tokenQ.append(b.value); tokenEncodeMs.append(b.seconds * 1000)
        }
        log(String(format: "query encoding p50: dense %.2f ms, tokens %.2f ms", LateReport.percentile(denseEncodeMs, 0.5),
                   LateReport.percentile(tokenEncodeMs, 0.5)))

        let denseQueries = denseQ
        // ---- projection of the token vectors ----
        var lateDim = d, docTokens = docs.vectors, projectionSeconds = 0.0, projectionNote = "none (384-d)"
        if dimension < d {
            let fit = try QueryTimer.measure { try TokenProjection.fitPCA(docs.vectors, dimension: d, outputDimension: dimension) }
            let projection = fit.value
            let applied = try QueryTimer.measure { try projection.apply(docs.vectors) }
            docTokens = applied.value
            tokenQ = try tokenQ.map { try projection.apply($0) }
            projectionSeconds = fit.seconds + applied.seconds
            lateDim = dimension
            projectionNote = String(format: "PCA %d→%d fitted on 100k tokens (%.1f s)", d, dimension, projectionSeconds)
            log("projection: " + projectionNote)
        }
        let queryTokens = try tokenQ.map { try QueryTokens(vectors: $0, dimension: lateDim) }
        let ids = (0..<UInt64(n)).map { $0 }
        let indexes = outURL.appendingPathComponent("indexes")
        try? FileManager.default.removeItem(at: indexes)
        try FileManager.default.createDirectory(at: indexes, withIntermediateDirectories: true)
        defer { if !keepIndexes { try? FileManager.default.removeItem(at: indexes) } }

        var rows: [LateRow] = []
        func measure(_ system: String, family: String, directory: URL, resident: Int?, build: Double, dim: Int,
                     encodeMs: [Double], truth: [[UInt64]]?, notes: String = "",
                     search: @escaping @Sendable (Int, Int) throws -> [UInt64]) throws -> (LateRow, [[UInt64]]) {
            var ms: [Double] = [], top10: [[UInt64]] = []
            for q in 0..<nq {
                let t = try QueryTimer.measure { try search(q, 10) }
                ms.append(t.seconds * 1000); top10.append(t.value)
            }
            let serial = ms.reduce(0, +) / 1000
            // all cores: queries spread over workers, one query per call
            let workers = cores
            let failures = FailureBox()
            let wall = QueryTimer.measure {
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    for q in stride(from: w, to: nq, by: workers) {
                        do { _ = try search(q, 10) } catch { failures.set(error) }
                    }
                }
            }.seconds
            if let e = failures.error { throw e }
            var run: [String: [RunEntry]] = [:]
            for q in 0..<nq {
                let hits = try search(q, 100)
                run[testQueries[q].id] = hits.enumerated().map {
                    RunEntry(queryID: testQueries[q].id, documentID: passageIDs[Int($0.element)], rank: $0.offset + 1,
                             score: Double(100 - $0.offset))
                }
            }
            let metrics = RetrievalMetrics.evaluate(run: run, qrels: judged)
            let withEnc = zip(ms, encodeMs).map { $0 + $1 }
            let recall = truth.map { t in
                Recall.atK(10, results: top10, truth: t.map { $0.map { Int32(truncatingIfNeeded: $0) } })
            } ?? 1
            let row = LateRow(system: system, family: family, passages: n, tokens: tokens, dimension: dim,
                              diskBytes: Double(try ResidentMemory.directoryBytes(directory)), residentBytes: resident.map(Double.init),
                              buildSeconds: build, p50: LateReport.percentile(ms, 0.5), p95: LateReport.percentile(ms, 0.95),
                              p99: LateReport.percentile(ms, 0.99), p50Encoded: LateReport.percentile(withEnc, 0.5),
                              p95Encoded: LateReport.percentile(withEnc, 0.95), p99Encoded: LateReport.percentile(withEnc, 0.99),
                              qps1: Double(nq) / serial, qpsAll: Double(nq) / wall, threadsAll: workers,
                              recallVsExact: recall, mrr10: metrics.mrr10, recall100: metrics.recall100, notes: notes)
            log(String(format: "  %-16@ disk %@ (%.0f B/passage), resident %@, build %.1f s, p50 %.3f ms (+enc %.2f), QPS %.0f / %.0f, R@10 vs exact %.3f, MRR@10 %.3f, R@100 %.3f",
                       system, LateReport.bytes(row.diskBytes), row.bytesPerPassage, LateReport.bytes(row.residentBytes), build,
                       row.p50, row.p50Encoded ?? 0, row.qps1, row.qpsAll ?? 0, recall, metrics.mrr10, metrics.recall100))
            rows.append(row)
            return (row, top10)
        }

        // ---- dense ----
        let flatDir = indexes.appendingPathComponent("flat")
        var hnswBuildSeconds = 0.0
        do {
            let built = try FlatIndex(dimension: d, metric: .innerProduct)
            let t = try QueryTimer.measure { try built.add(contentsOf: dense, ids: ids) }
            try built.save(to: flatDir)
            let (flat, rss) = try ResidentMemory.growth { try FlatIndex.open(directory: flatDir) }
            let (_, truth) = try measure("flat", family: "dense", directory: flatDir, resident: rss, build: t.seconds, dim: d,
                                         encodeMs: denseEncodeMs, truth: nil) { q, k in
                try flat.search(denseQueries[q], k: k, parameters: .default).map(\.id)
            }
            let hnswDir = indexes.appendingPathComponent("hnsw")
            let hnswBuilt = try HNSWIndex(dimension: d, metric: .innerProduct, parameters: HNSWParameters(m: 16, efConstruction: 200))
            let th = try QueryTimer.measure { try hnswBuilt.add(contentsOf: dense, ids: ids, threads: cores) }
            hnswBuildSeconds = th.seconds
            try hnswBuilt.save(to: hnswDir)
            let (hnsw, hrss) = try ResidentMemory.growth { try HNSWIndex.open(directory: hnswDir) }
            let ef = SearchParameters(ef: 64), ef100 = SearchParameters(ef: 128)
            _ = try measure("hnsw", family: "dense", directory: hnswDir, resident: hrss, build: th.seconds, dim: d,
                            encodeMs: denseEncodeMs, truth: truth, notes: "M 16, efConstruction 200, ef 64 (128 at k=100), \(cores) build threads") { q, k in
                try hnsw.search(denseQueries[q], k: k, parameters: k > 10 ? ef100 : ef).map(\.id)
            }
            let ivfDir = indexes.appendingPathComponent("ivfpq")
            let nlist = max(16, Int(4 * Double(n).squareRoot()))
            var cfg = IVFPQConfiguration(nlist: nlist, subquantizers: IVFPQDefaults.subquantizers(dimension: d), bitsPerCode: 8)
            cfg.threads = cores
            let ivfBuilt = try IVFPQIndex(dimension: d, metric: .innerProduct, configuration: cfg)
            let ti = try QueryTimer.measure {
                try ivfBuilt.train(Array(dense.prefix(min(n, IVFPQDefaults.trainSize) * d)))
                try ivfBuilt.add(contentsOf: dense, ids: ids)
            }
            try ivfBuilt.save(to: ivfDir)
            let (ivf, irss) = try ResidentMemory.growth { try IVFPQIndex.open(directory: ivfDir) }
            let codesOnly = Double(ivf.fixedBytes + n * ivf.bytesPerVector)
            let plain = SearchParameters(nprobe: 64), refine = SearchParameters(nprobe: 64, refineFactor: 10)
            var (row, _) = try measure("ivfpq", family: "dense", directory: ivfDir, resident: irss, build: ti.seconds, dim: d,
                                       encodeMs: denseEncodeMs, truth: truth, notes: "nlist \(nlist), PQ\(cfg.subquantizers)x8, nprobe 64") { q, k in
                try ivf.search(denseQueries[q], k: k, parameters: plain).map(\.id)
            }
            row.diskBytes = codesOnly   // without re-ranking the full vectors are not needed (as faiss IndexIVFPQ)
            row.notes += "; disk = codes + ids + centroids/codebooks (the full vectors are not needed)"
            rows[rows.count - 1] = row
            _ = try measure("ivfpq+refine", family: "dense", directory: ivfDir, resident: irss, build: ti.seconds, dim: d,
                            encodeMs: denseEncodeMs, truth: truth, notes: "nprobe 64, re-rank 10·k from the full vectors on disk") { q, k in
                try ivf.search(denseQueries[q], k: k, parameters: refine).map(\.id)
            }
        }

        // ---- late interaction ----
        let storeDir = indexes.appendingPathComponent("maxsim-fp16")
        let tStore = try QueryTimer.measure {
            try TokenStore(vectors: docTokens, offsets: docs.offsets, ids: ids, dimension: lateDim, precision: .float16)
        }
        try tStore.value.save(to: storeDir)
        let (store, srss) = try ResidentMemory.growth { try TokenStore.open(directory: storeDir).store }
        let exact = ExactMaxSim(store: store)
        let (_, lateTruth) = try measure("maxsim-fp16", family: "late", directory: storeDir, resident: srss,
                                         build: tStore.seconds + projectionSeconds, dim: lateDim, encodeMs: tokenEncodeMs, truth: nil,
                                         notes: "exact brute force; projection \(projectionNote)") { q, k in
            try exact.search(queryTokens[q], k: k).map(\.id)
        }
        try writePeerInput(outURL.appendingPathComponent("tokens"), docs: docTokens, offsets: docs.offsets, dim: lateDim,
                           queries: tokenQ, truth: lateTruth, encodeMs: tokenEncodeMs)

        // hybrid: dense HNSW candidates re-ranked by exact MaxSim (storage = HNSW + token store)
        do {
            let hnswDir = indexes.appendingPathComponent("hnsw")
            let hnsw = try HNSWIndex.open(directory: hnswDir)
            let hybridDir = indexes.appendingPathComponent("hybrid")
            try FileManager.default.createDirectory(at: hybridDir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: hnswDir, to: hybridDir.appendingPathComponent("hnsw"))
            try FileManager.default.copyItem(at: storeDir, to: hybridDir.appendingPathComponent("tokens"))
            let candidates = SearchParameters(ef: 200)
            _ = try measure("hnsw+maxsim", family: "hybrid", directory: hybridDir, resident: nil,
                            build: hnswBuildSeconds + tStore.seconds + projectionSeconds, dim: lateDim,
                            encodeMs: zip(denseEncodeMs, tokenEncodeMs).map { $0 + $1 }, truth: lateTruth,
                            notes: "HNSW top-200 (ef 200) re-ranked by exact MaxSim fp16; both encodings") { q, k in
                let c = try hnsw.search(denseQueries[q], k: 200, parameters: candidates).map { Int($0.id) }
                return try exact.rerank(queryTokens[q], positions: c, k: k).map(\.id)
            }
        }

        for bits in [2, 4] {
            let dir = indexes.appendingPathComponent("plaid-\(bits)bit")
            let built = try QueryTimer.measure { try PLAIDIndex.build(store: store, parameters: .init(bits: bits, threads: cores)) }
            try built.value.save(to: dir)
            let k = built.value.centroidCount
            let (plaid, prss) = try ResidentMemory.growth { try PLAIDIndex.open(directory: dir).index }
            _ = try measure("plaid-\(bits)bit", family: "late", directory: dir, resident: prss, build: built.seconds + projectionSeconds,
                            dim: lateDim, encodeMs: tokenEncodeMs, truth: lateTruth,
                            notes: "K \(k), PLAID defaults per k (k=10: nprobe 1, t_cs 0.5, ndocs 256; k=100: 2, 0.45, 1024)") { q, kk in
                try plaid.search(queryTokens[q], k: kk).map(\.id)
            }
        }
        let header = "Dense against late interaction: \(n) passages of \(dataURL.lastPathComponent), \(nq) test queries\n\n"
            + "CPU \(cpuName()), \(cores) cores. MiniLM-L6-v2 (\(d)-d dense; token vectors \(lateDim)-d, \(String(format: "%.1f", Double(tokens) / Double(n))) per passage, "
            + "queries \(expandQueries ? "expanded to 32 with [MASK]" : "not expanded"), projection \(projectionNote)). "
            + String(format: "Encoding (shared by all systems, one forward pass): %.0f s, %.0f passages/s.", encoded.seconds, Double(n) / encoded.seconds)
        try header.write(to: outURL.appendingPathComponent("header.txt"), atomically: true, encoding: .utf8)
        try LateReport.write(rows, to: outURL, header: header)
        print(LateReport.table(rows))
        print(LateReport.ratios(rows))
    }

    /// Raw little-endian files for tools/late/fast_plaid_peer.py: doc_tokens.f32 (T × d), doc_offsets.i64,
    /// query_tokens.f32 + query_offsets.i64, exact_top10.i64 (our exact MaxSim fp16 top 10), query_encode_ms.f64.
    func writePeerInput(_ dir: URL, docs: [Float], offsets: [Int], dim: Int, queries: [[Float]], truth: [[UInt64]],
                        encodeMs: [Double]) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func write<T>(_ values: [T], _ name: String) throws {
            try values.withUnsafeBytes { Data($0) }.write(to: dir.appendingPathComponent(name))
        }
        try write(docs, "doc_tokens.f32")
        try write(offsets.map(Int64.init), "doc_offsets.i64")
        try write(queries.flatMap { $0 }, "query_tokens.f32")
        var qo: [Int64] = [0]
        for q in queries { qo.append(qo[qo.count - 1] + Int64(q.count / dim)) }
        try write(qo, "query_offsets.i64")
        try write(truth.flatMap { t in (0..<10).map { $0 < t.count ? Int64(t[$0]) : -1 } }, "exact_top10.i64")
        try write(encodeMs, "query_encode_ms.f64")
        try "{\"dimension\": \(dim)}".write(to: dir.appendingPathComponent("meta.json"), atomically: true, encoding: .utf8)
    }

    func renderOnly(_ outURL: URL) throws {
        let decoder = JSONDecoder()
        var rows = try decoder.decode([LateRow].self, from: Data(contentsOf: outURL.appendingPathComponent("results.json")))
        rows.removeAll { $0.library != "i3" }
        let peer = outURL.appendingPathComponent("fast_plaid.json")
        if FileManager.default.fileExists(atPath: peer.path) {
            rows += try decoder.decode([LateRow].self, from: Data(contentsOf: peer))
        }
        let header = (try? String(contentsOf: outURL.appendingPathComponent("header.txt"), encoding: .utf8)) ?? "late"
        try LateReport.write(rows, to: outURL, header: header)
        print(LateReport.table(rows))
        print(LateReport.ratios(rows))
    }
}

/// The first error thrown by a worker of a concurrent loop.
final class FailureBox: Sendable {
    private let first = Mutex<(any Error)?>(nil)
    var error: (any Error)? { first.withLock { $0 } }
    func set(_ e: any Error) { first.withLock { if $0 == nil { $0 = e } } }
}

/// The CPU model from /proc/cpuinfo ("unknown" elsewhere).
func cpuName() -> String {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
          let colon = line.firstIndex(of: ":") else { return "unknown" }
    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
}
