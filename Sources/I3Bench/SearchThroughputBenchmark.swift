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

    func run() throws {
        let url = URL(fileURLWithPath: directory)
        let m = try IndexManifest.read(from: url)
        let r = try Retriever(directory: url, manifest: m, encoder: try EncoderLoader.load(model: m.modelPath, head: m.headPath))
        let texts = try String(contentsOfFile: queries, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        guard !texts.isEmpty, threads > 0, seconds > 0 else { throw ValidationError("need queries, --threads > 0, --seconds > 0") }
        let vectors = byVector ? try r.encode(texts) : []
        let samples = Samples(threads: threads)
        let k = self.k, byVector = self.byVector
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        let started = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            var i = t
            var local: [Double] = []
            while DispatchTime.now().uptimeNanoseconds < end {
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = byVector ? try? r.search(vector: vectors[i % vectors.count], k: k) : try? r.search(texts[i % texts.count], k: k)
                local.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                i += threads
            }
            samples.set(t, local)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let all = samples.all
        let stats = LatencyStats(seconds: all)
        print(String(format: "in-process %@ threads=%d: %.1f queries/s, %@", byVector ? "by-vector" : "by-text", threads,
                     Double(all.count) / elapsed, stats.summary))
    }
}

/// Per-thread latency samples.
private struct Samples: Sendable {
    private let perThread: SharedBuffer<[Double]>   // one slot per thread, written by that thread
    init(threads: Int) { perThread = SharedBuffer(count: threads, initial: []) }
    func set(_ t: Int, _ s: [Double]) { perThread[t] = s }
    var all: [Double] { (0..<perThread.count).flatMap { perThread[$0] } }
}
