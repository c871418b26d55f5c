import ArgumentParser
import BenchSupport
import Foundation
import LateInteraction

/// `I3Bench late-sweep`: the PLAID-style index on the token vectors an `I3Bench late` run wrote
/// (OUT/tokens), over several search settings, so that it can be read against fast-plaid at equal
/// recall. Recall@10 is against the exact MaxSim fp16 top 10 that run wrote. Rows go to OUT/sweep.json.
struct LatePLAIDSweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "late-sweep", abstract: "PLAID-style index: search settings swept on the token vectors of a `late` run.")

    @Option(help: "Output directory of an `I3Bench late` run (reads OUT/tokens, writes OUT/sweep.json).")
    var out = "runs/late"
    @Option(parsing: .upToNextOption, help: "Residual bits to build.")
    var bits: [Int] = [2, 4]
    @Option(help: "Queries (the first N the run wrote; 0 = all).")
    var queries = 0

    /// (nprobe, t_cs, ndocs): PLAID's defaults for k = 10, 100, 1000, and fast-plaid's probe depth.
    static let settings: [(Int, Float, Int)] = [(1, 0.5, 256), (2, 0.45, 1024), (4, 0.4, 4096), (8, 0.4, 4096), (8, 0.3, 8192)]

    func run() throws {
        let dir = URL(fileURLWithPath: out).appendingPathComponent("tokens")
        func read<T>(_ name: String, _: T.Type) throws -> [T] {
            let data = try Data(contentsOf: dir.appendingPathComponent(name))
            return data.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
        }
        struct Meta: Decodable { let dimension: Int }
        let d = try JSONDecoder().decode(Meta.self, from: Data(contentsOf: dir.appendingPathComponent("meta.json"))).dimension
        let docs = try read("doc_tokens.f32", Float.self), offsets = try read("doc_offsets.i64", Int64.self).map(Int.init)
        let qv = try read("query_tokens.f32", Float.self), qo = try read("query_offsets.i64", Int64.self).map(Int.init)
        let truth = try read("exact_top10.i64", Int64.self), encodeMs = try read("query_encode_ms.f64", Double.self)
        let n = offsets.count - 1
        let nq = queries > 0 ? min(queries, qo.count - 1) : qo.count - 1
        let qs = try (0..<nq).map { try QueryTokens(vectors: Array(qv[(qo[$0] * d)..<(qo[$0 + 1] * d)]), dimension: d) }
        let exact = (0..<nq).map { q in (0..<10).compactMap { truth[q * 10 + $0] >= 0 ? UInt64(truth[q * 10 + $0]) : nil } }
        let store = try TokenStore(vectors: docs, offsets: offsets, ids: (0..<UInt64(n)).map { $0 }, dimension: d, precision: .float16)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var rows: [LateRow] = []
        for b in bits {
            let indexDir = URL(fileURLWithPath: out).appendingPathComponent("indexes-sweep/plaid-\(b)bit")
            let built = try QueryTimer.measure { try PLAIDIndex.build(store: store, parameters: .init(bits: b, threads: cores)) }
            try built.value.save(to: indexDir)
            let (index, rss) = try ResidentMemory.growth { try PLAIDIndex.open(directory: indexDir).index }
            let disk = Double(try ResidentMemory.directoryBytes(indexDir))
            print(String(format: "plaid %d-bit: K %d, built in %.1f s (%d threads), disk %@", b, index.centroidCount, built.seconds,
                         cores, LateReport.bytes(disk)))
            for (nprobe, tcs, ndocs) in Self.settings {
                let p = PLAIDSearchParameters(nprobe: nprobe, centroidScoreThreshold: tcs, ndocs: ndocs)
                var ms: [Double] = [], top: [[UInt64]] = []
                for q in qs {
                    let t = try QueryTimer.measure { try index.search(q, k: 10, parameters: p) }
                    ms.append(t.seconds * 1000); top.append(t.value.map(\.id))
                }
                let recall = Recall.atK(10, results: top, truth: exact.map { $0.map { Int32(truncatingIfNeeded: $0) } })
                let enc = zip(ms, encodeMs).map { $0 + $1 }
                let row = LateRow(system: "plaid-\(b)bit", family: "late", passages: n, tokens: store.tokenCount, dimension: d,
                                  diskBytes: disk, residentBytes: rss.map(Double.init), buildSeconds: built.seconds,
                                  p50: LateReport.percentile(ms, 0.5), p95: LateReport.percentile(ms, 0.95),
                                  p99: LateReport.percentile(ms, 0.99), p50Encoded: LateReport.percentile(enc, 0.5),
                                  p95Encoded: LateReport.percentile(enc, 0.95), p99Encoded: LateReport.percentile(enc, 0.99),
                                  qps1: Double(nq) / (ms.reduce(0, +) / 1000), qpsAll: nil, threadsAll: nil,
                                  recallVsExact: recall, mrr10: nil, recall100: nil,
                                  notes: "nprobe \(nprobe), t_cs \(tcs), ndocs \(ndocs)")
                print(String(format: "  nprobe %d t_cs %.2f ndocs %5d: p50 %.2f ms p95 %.2f p99 %.2f, QPS %.0f, recall@10 vs exact %.3f",
                             nprobe, tcs, ndocs, row.p50, row.p95, row.p99, row.qps1, recall))
                rows.append(row)
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(rows).write(to: URL(fileURLWithPath: out).appendingPathComponent("sweep.json"), options: .atomic)
    }
}
