import ArgumentParser
import Evaluation
import Foundation
import I3Retriever
import VectorKernels

/// `I3Bench search-throughput`: `Retriever.search` in process, N threads in a closed loop for a fixed
/// time: the baseline `scripts/serve-bench.sh` compares `i3 serve` (under wrk) against.
struct SearchThroughputBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search-throughput",
        abstract: "In-process Retriever.search throughput and latency (threads in a closed loop, by text or by vector).")

    @Argument(help: "Index directory.")
    var directory: String

    @Option(help: "Query file, one query text per line.")
    var queries: String

    @Option(help: "Threads searching at once.")
    var threads = 2

    @Option(help: "Seconds to run.")
    var seconds = 10.0

    @Option(help: "Results per query.")
    var k = 10

    @Flag(help: "Search by vector (queries encoded once beforehand) instead of by text.")
    var byVector = false

    @Option(help: "Queries per call (by text: Retriever.search(batch:), encoded together; 1: search(_:)). Latency is per call.")
    var batch = 1

    func run() throws {
        let url = URL(fileURLWithPath: directory)
        let m = try IndexManifest.read(from: url)
        let r = try Retriever(directory: url, manifest: m, encoder: try EncoderLoader.load(model: m.modelPath, head: m.headPath))
        let texts = try String(contentsOfFile: queries, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        guard !texts.isEmpty, threads > 0, seconds > 0, batch > 0 else { throw ValidationError("need queries, --threads > 0, --seconds > 0, --batch > 0") }
        let vectors = byVector ? try r.encode(texts) : []
        let samples = Samples(threads: threads)
        let k = self.k, byVector = self.byVector, batch = self.batch
        let queryCount = SharedBuffer<Int>(count: threads, initial: 0)
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        let started = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            var i = t * batch
            var local: [Double] = []
            while DispatchTime.now().uptimeNanoseconds < end {
                let t0 = DispatchTime.now().uptimeNanoseconds
                if byVector {
                    _ = try? r.search(vector: vectors[i % vectors.count], k: k)
                } else if batch == 1 {
                    _ = try? r.search(texts[i % texts.count], k: k)
                } else {
                    _ = try? r.search(batch: (i ..< i + batch).map { texts[$0 % texts.count] }, k: k)
                }
                local.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                i += threads * (byVector ? 1 : batch)
            }
            samples.set(t, local)
            queryCount[t] = local.count * (byVector ? 1 : batch)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let all = samples.all
        let stats = LatencyStats(seconds: all)
        let queriesDone = (0 ..< threads).reduce(0) { $0 + queryCount[$1] }
        let kind = byVector ? "by-vector" : (batch > 1 ? "by-text batch=\(batch)" : "by-text")
        print(String(format: "in-process %@ threads=%d: %.1f queries/s, per call %@", kind, threads,
                     Double(queriesDone) / elapsed, stats.summary))
    }
}

/// Per-thread latency samples.
private struct Samples: Sendable {
    private let perThread: SharedBuffer<[Double]>   // one slot per thread, written by that thread
    init(threads: Int) { perThread = SharedBuffer(count: threads, initial: []) }
    func set(_ t: Int, _ s: [Double]) { perThread[t] = s }
    var all: [Double] { (0..<perThread.count).flatMap { perThread[$0] } }
}
