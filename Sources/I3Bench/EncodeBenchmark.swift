import ArgumentParser
import Foundation
import I3Encoder
#if canImport(Glibc)
import Glibc
#endif

/// `I3Bench encode`: this encoder against sentence-transformers on the same passages and threads,
/// alternating the two sides round by round in one run, plus single-query latency and peak RSS.
struct EncodeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encoder throughput vs sentence-transformers (same passages, same threads, alternating).")

    @Option(help: "sentence-transformers model directory.")
    var model = ProcessInfo.processInfo.environment["I3_MODEL_DIR"] ?? ".models/all-MiniLM-L6-v2"

    @Option(help: "Passages: wordnet (glosses), gcide (dictionary articles) or a file with one passage per line.")
    var corpus = "wordnet"

    @Option(help: "Number of passages.")
    var count = 2000

    @Option(help: "Threads for both sides.")
    var threads = 2

    @Option(help: "Batch size for both sides.")
    var batchSize = 32

    @Option(help: "Rounds per side (alternating).")
    var rounds = 3

    @Option(help: "Queries for the single-query latency measurement (0 = skip).")
    var latencyQueries = 200

    @Option(help: "Python of the peer venv with PyPI torch + sentence-transformers (tools/setup_reference_venv.sh st).")
    var python = ".venv-st/bin/python"

    @Flag(help: "Skip the sentence-transformers side.")
    var noPeer = false

    @Option(help: "Also write the results and the machine block (CPU, BLAS core, threads, sgemm GFLOP/s) to this JSON file.")
    var json: String?

    /// What `--json` writes.
    struct Results: Codable {
        var machine: MachineReport
        var corpus: String, passages: Int, tokens: Int, threads: Int, batchSize: Int
        var passagesPerSecond: Double
        var gflopsPerThread: Double
        var gflopsPerCPUSecond: Double
        var peerPassagesPerSecond: Double?
        var ratio: Double?
        var ratioPerCPUSecond: Double?
        var latencyP50Milliseconds: Double?
        var latencyP99Milliseconds: Double?
        var latencyCPUP50Milliseconds: Double?
        var peerLatencyP50Milliseconds: Double?
        var peerLatencyP99Milliseconds: Double?
    }

    func run() throws {
        let machine = MachineReport.measure()
        print(machine.summary)
        let passages = try BenchCorpus.load(corpus, count: count)
        MemoryStatus.resetPeak()
        let baseline = MemoryStatus.kilobytes("VmRSS")
        let modelURL = URL(fileURLWithPath: model)
        let encoder = try DualEncoder(modelDirectory: modelURL, options: .init(batchSize: batchSize, threads: threads))
        let c0 = Self.cpuSeconds()
        let tokenCounts = passages.map { encoder.tokenize($0).count }
        let tokens = tokenCounts.reduce(0, +)
        let flops = encoder.forwardFLOPs(tokenCounts: tokenCounts)
        let tokenizerRate = Double(passages.count) / max(1e-9, Self.cpuSeconds() - c0)
        print("corpus \(corpus): \(passages.count) passages, \(tokens) tokens (mean \(String(format: "%.1f", Double(tokens) / Double(passages.count))))")
        print(String(format: "tokenizer alone: %.0f passages per CPU-second on one thread", tokenizerRate))
        print("threads \(threads), batch size \(batchSize), rounds \(rounds) per side, alternating")

        var peer: PeerProcess?
        if !noPeer {
            let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("i3bench-\(getpid()).json")
            try JSONSerialization.data(withJSONObject: passages).write(to: tmp)
            peer = try PeerProcess(python: python, arguments: [
                "tools/bench_sentence_transformers.py", "--model", model, "--passages", tmp.path,
                "--threads", "\(threads)", "--batch-size", "\(batchSize)"])
        }

        var ours: [Double] = [], theirs: [Double] = []
        var oursCPU: [Double] = [], theirsCPU: [Double] = []
        var lastVectors: [[Float]] = []
        for r in 0..<rounds {
            let c0 = Self.cpuSeconds()
            let t0 = DispatchTime.now().uptimeNanoseconds
            lastVectors = try encoder.encodePassages(passages)
            let s = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            ours.append(Double(passages.count) / s)
            oursCPU.append(Double(passages.count) / max(1e-9, Self.cpuSeconds() - c0))
            var line = "round \(r + 1): I3Encoder \(String(format: "%7.1f", ours.last ?? 0)) passages/s"
            if let peer {
                let answer = try peer.ask("encode").split(separator: " ")
                let secs = answer.count > 1 ? Double(answer[1]) ?? .nan : .nan
                let cpu = answer.count > 2 ? Double(answer[2]) ?? .nan : .nan
                theirs.append(Double(passages.count) / secs)
                theirsCPU.append(Double(passages.count) / cpu)
                line += "   sentence-transformers \(String(format: "%7.1f", theirs.last ?? 0)) passages/s"
                line += "   ratio \(String(format: "%.2f", (ours.last ?? 0) / (theirs.last ?? 1)))"
            }
            print(line)
        }
        let medianOurs = median(ours)
        print(String(format: "I3Encoder: median %.1f passages/s (%.0f tokens/s)", medianOurs,
                     medianOurs * Double(tokens) / Double(passages.count)))
        let gflops = flops * medianOurs / Double(passages.count) / 1e9 / Double(threads)
        print(String(format: "I3Encoder: %.1f GFLOP/s per thread in the forward pass (%.2f GFLOP per pass) = %.0f%% of one core's sgemm (%.1f GFLOP/s)",
                     gflops, flops / 1e9, 100 * gflops / max(1e-9, machine.sgemmGFLOPS), machine.sgemmGFLOPS))
        let cpuGFLOPS = flops * median(oursCPU) / Double(passages.count) / 1e9
        print(String(format: "I3Encoder: %.1f GFLOP per CPU-second (all threads, tokenising included) = %.0f%% of sgemm's %.1f GFLOP per CPU-second",
                     cpuGFLOPS, 100 * cpuGFLOPS / max(1e-9, machine.sgemmGFLOPSPerCPUSecond), machine.sgemmGFLOPSPerCPUSecond))
        var results = Results(machine: machine, corpus: corpus, passages: passages.count, tokens: tokens, threads: threads,
                              batchSize: batchSize, passagesPerSecond: medianOurs, gflopsPerThread: gflops,
                              gflopsPerCPUSecond: cpuGFLOPS)
        if let peer {
            let medianTheirs = median(theirs)
            let ratios = zip(ours, theirs).map { $0 / $1 }
            results.peerPassagesPerSecond = medianTheirs
            results.ratio = median(ratios)
            print(String(format: "sentence-transformers: median %.1f passages/s", medianTheirs))
            print(String(format: "ratio (I3Encoder / sentence-transformers): median of per-round ratios %.2f (min %.2f, max %.2f)",
                         median(ratios), ratios.min() ?? 0, ratios.max() ?? 0))
            let cpuRatios = zip(oursCPU, theirsCPU).map { $0 / $1 }
            results.ratioPerCPUSecond = median(cpuRatios)
            print(String(format: "per CPU-second (user+sys of all threads; robust to a busy machine): I3Encoder %.1f, sentence-transformers %.1f passages/CPU-s, ratio %.2f (min %.2f, max %.2f)",
                         median(oursCPU), median(theirsCPU), median(cpuRatios), cpuRatios.min() ?? 0, cpuRatios.max() ?? 0))
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("i3bench-\(getpid()).f32")
            _ = try peer.ask("save \(out.path)")
            if let data = FileManager.default.contents(atPath: out.path) {
                var worst: Float = 0
                data.withUnsafeBytes { raw in
                    let d = encoder.dimension
                    for (i, v) in lastVectors.enumerated() {
                        for j in 0..<d where 4 * (i * d + j) + 4 <= raw.count {
                            let x = Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * (i * d + j), as: UInt32.self))
                            worst = max(worst, abs(x - v[j]))
                        }
                    }
                }
                print(String(format: "parity on these passages: max |I3Encoder - sentence-transformers| = %.2e", worst))
            }
            try? FileManager.default.removeItem(at: out)
        }
        if latencyQueries > 0 {
            let qs = Array(passages.prefix(latencyQueries))
            var ms: [Double] = [], cpuMS: [Double] = []
            for q in qs {
                let t0 = DispatchTime.now().uptimeNanoseconds, c0 = ComputeEnvironment.threadCPUSeconds()
                _ = try encoder.encodeQueries([q])
                ms.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                cpuMS.append((ComputeEnvironment.threadCPUSeconds() - c0) * 1e3)
            }
            ms.sort()
            cpuMS.sort()
            // A single query runs on the calling thread, so its CPU time is all the work: the latency an
            // idle core would give, where a busy machine inflates the wall clock.
            print(String(format: "single-query CPU time of the calling thread: p50 %.2f ms, p99 %.2f ms",
                         cpuMS[cpuMS.count / 2], cpuMS[min(cpuMS.count - 1, cpuMS.count * 99 / 100)]))
            results.latencyCPUP50Milliseconds = cpuMS[cpuMS.count / 2]
            results.latencyP50Milliseconds = ms[ms.count / 2]
            results.latencyP99Milliseconds = ms[min(ms.count - 1, ms.count * 99 / 100)]
            var line = String(format: "single-query latency (%d queries): I3Encoder p50 %.2f ms, p99 %.2f ms",
                              ms.count, ms[ms.count / 2], ms[min(ms.count - 1, ms.count * 99 / 100)])
            if let peer {
                let a = try peer.ask("latency \(qs.count)").split(separator: " ")
                if a.count == 3 {
                    line += "; sentence-transformers p50 \(a[1]) ms, p99 \(a[2]) ms"
                    results.peerLatencyP50Milliseconds = Double(a[1])
                    results.peerLatencyP99Milliseconds = Double(a[2])
                }
            }
            print(line)
        }
        peer?.close()
        let peak = MemoryStatus.kilobytes("VmHWM")
        let weights = (try? FileManager.default.attributesOfItem(atPath: modelURL.appendingPathComponent("model.safetensors").path)[.size] as? Int) ?? 0
        let longest = passages.map { encoder.tokenize($0).count }.sorted().suffix(batchSize).reduce(0, +)
        let config = (hidden: encoder.dimension, intermediate: encoder.dimension * 4)
        let activations = Double(min(threads, max(1, passages.count / batchSize)) * longest * (6 * config.hidden + config.intermediate) * 4)
        print(String(format: "memory: RSS before loading the model %.1f MB, peak after %.1f MB; encoder share %.1f MB = %.2f× the weight file (%.1f MB); largest batch activations ≈ %.1f MB",
                     baseline / 1024, peak / 1024, (peak - baseline) / 1024, (peak - baseline) * 1024 / Double(max(1, weights)),
                     Double(weights) / 1_048_576, activations / 1_048_576))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(results).write(to: URL(fileURLWithPath: json), options: .atomic)
            print("wrote \(json)")
        }
    }

    /// User + system CPU time of this process (all threads), in seconds.
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }

    private func median(_ x: [Double]) -> Double {
        let s = x.sorted()
        return s.isEmpty ? 0 : s[s.count / 2]
    }
}

/// Resident-set figures of this process from /proc/self/status (Linux).
enum MemoryStatus {
    /// A `/proc/self/status` field in kB (0 when unavailable).
    static func kilobytes(_ field: String) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// Resets the peak (VmHWM) to the current RSS (`echo 5 > /proc/self/clear_refs`).
    static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }
}

/// The Python peer, spoken to line by line.
final class PeerProcess {
    let process = Process()
    let input = Pipe(), output = Pipe()
    private var buffer = Data()

    init(python: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        // torch's OpenMP threads spin while waiting; on a shared, oversubscribed machine that costs it
        // up to 5× (measured), so the peer gets passive waiting unless the caller chose otherwise.
        var env = ProcessInfo.processInfo.environment
        if env["OMP_WAIT_POLICY"] == nil { env["OMP_WAIT_POLICY"] = "PASSIVE" }
        process.environment = env
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let first = try readLine()
        guard first == "ready" else { throw ValidationError("peer did not start: \(first)") }
    }

    func ask(_ command: String) throws -> String {
        input.fileHandleForWriting.write(Data((command + "\n").utf8))
        return try readLine()
    }

    func readLine() throws -> String {
        while true {
            if let nl = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...nl)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw ValidationError("peer process ended early (is the venv set up? tools/setup_reference_venv.sh)") }
            buffer.append(chunk)
        }
    }

    func close() {
        input.fileHandleForWriting.write(Data("quit\n".utf8))
        process.waitUntilExit()
    }
}

/// Real passages for the benchmarks from Debian data packages.
enum BenchCorpus {
    static func load(_ name: String, count: Int) throws -> [String] {
        switch name {
        case "wordnet": return try wordnetGlosses(count: count)
        case "gcide": return try gcideArticles(count: count)
        default:
            guard let d = FileManager.default.contents(atPath: name) else {
                throw ValidationError("unknown corpus \(name) (wordnet, gcide or a readable file)")
            }
            return Array(String(decoding: d, as: UTF8.self).split(separator: "\n").map(String.init).prefix(count))
        }
    }

    /// Every k-th noun/verb/adjective/adverb gloss of WordNet 3.0 (`wordnet-base`).
    static func wordnetGlosses(count: Int) throws -> [String] {
        var all: [String] = []
        for pos in ["noun", "verb", "adj", "adv"] {
            guard let d = FileManager.default.contents(atPath: "/usr/share/wordnet/data.\(pos)") else {
                throw ValidationError("WordNet not installed (apt-get install wordnet-base)")
            }
            for line in String(decoding: d, as: UTF8.self).split(separator: "\n") where !line.hasPrefix(" ") {
                if let bar = line.range(of: " | ") {
                    all.append(line[bar.upperBound...].trimmingCharacters(in: .whitespaces))
                }
            }
        }
        return pick(all, count: count)
    }

    /// Every k-th GCIDE article (`dict-gcide`), decompressed with zcat and cut by its index.
    static func gcideArticles(count: Int) throws -> [String] {
        guard let index = FileManager.default.contents(atPath: "/usr/share/dictd/gcide.index") else {
            throw ValidationError("GCIDE not installed (apt-get install dict-gcide)")
        }
        let zcat = Process()
        zcat.executableURL = URL(fileURLWithPath: "/bin/zcat")
        zcat.arguments = ["/usr/share/dictd/gcide.dict.dz"]
        let pipe = Pipe()
        zcat.standardOutput = pipe
        try zcat.run()
        let body = pipe.fileHandleForReading.readDataToEndOfFile()
        zcat.waitUntilExit()
        func b64(_ s: Substring) -> Int {
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            return s.reduce(0) { $0 * 64 + (alphabet.firstIndex(of: $1) ?? 0) }
        }
        var seen = Set<Int>()
        var articles: [String] = []
        for line in String(decoding: index, as: UTF8.self).split(separator: "\n") {
            let f = line.split(separator: "\t")
            guard f.count >= 3, !f[0].hasPrefix("00-database") else { continue }
            let off = b64(f[1]), len = b64(f[2])
            guard off >= 0, len > 0, off + len <= body.count, seen.insert(off).inserted else { continue }
            let text = String(decoding: body[off..<(off + len)], as: UTF8.self)
                .split(whereSeparator: \.isNewline).joined(separator: " ")
            articles.append(text)
        }
        return pick(articles, count: count)
    }

    private static func pick(_ all: [String], count: Int) -> [String] {
        guard all.count > count, count > 0 else { return all }
        let step = Double(all.count) / Double(count)
        return (0..<count).map { all[Int(Double($0) * step)] }
    }
}
