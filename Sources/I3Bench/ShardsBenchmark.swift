import ArgumentParser
import Foundation
import ShardStore
import VectorKernels
#if canImport(Glibc)
import Glibc
#endif

/// `I3Bench shards`: compression ratio and throughput of the shard store on float32 embedding-like data and
/// on English text, each against a plain uncompressed file (the peer) measured in the same run, alternating.
struct ShardsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shards",
        abstract: "Shard store: compression ratio, write/read MB/s and random-record reads/s against a raw file.",
        discussion: """
        Data: Fashion-MNIST images as float32 (/usr/share/datasets/fashion-mnist), standard-normal float32 \
        (the incompressible worst case), an optional .fvecs file (e.g. GloVe), WordNet glosses \
        (/usr/share/wordnet/data.*) and GCIDE paragraphs (/usr/share/dictd/gcide.dict.dz). For each, the \
        store and a raw file (one fsynced file, read with pread) are written, read sequentially and read at \
        random records, alternating sides, --repeats times; the best time of each side counts. Reads hit the \
        page cache (warm); the block cache starts cold for each random-read pass. The `lz4 -1` CLI \
        (one frame, 4 MiB linked blocks) is timed once per data set as a compression-ratio reference.
        """)

    @Option(help: "Directory for the files written (default: a fresh temporary directory, removed afterwards).")
    var workDir: String?

    @Option(help: "Passes per side; the fastest counts.")
    var repeats = 3

    @Option(help: "Random records read per pass.")
    var randomReads = 20_000

    @Option(name: .customLong("block-kib"), help: "LZ4 block sizes to measure, in KiB (comma-separated).")
    var blockKiB = "64,16"

    @Option(help: "Standard-normal float32 vectors (384-d) to generate.")
    var gaussianCount = 100_000

    @Option(help: "Also measure this .fvecs file (e.g. GloVe base vectors).")
    var fvecs: String?

    @Option(help: "Data sets to run: fashion,gaussian,fvecs,wordnet,gcide (comma-separated) or all.")
    var datasets = "all"

    @Option(name: .customLong("big-gib"), help: "Also write this many GiB of repeated Fashion-MNIST vectors and report peak RSS (0: skip).")
    var bigGiB = 0.0

    mutating func run() throws {
        let fm = FileManager.default
        let root: URL
        let removeRoot: Bool
        if let w = workDir {
            root = URL(fileURLWithPath: w)
            removeRoot = false
        } else {
            root = fm.temporaryDirectory.appendingPathComponent("i3bench-shards-\(UUID().uuidString)")
            removeRoot = true
        }
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        defer { if removeRoot { try? fm.removeItem(at: root) } }
        let blocks = blockKiB.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { $0 << 10 }
        let wanted = Set(datasets.split(separator: ",").map { String($0) })
        func want(_ name: String) -> Bool { wanted.contains("all") || wanted.contains(name) }

        var sets: [BenchData] = []
        if want("fashion") { sets.append(try BenchData.fashionMNIST()) }
        if want("gaussian") { sets.append(BenchData.gaussian(count: gaussianCount, dimension: 384)) }
        if want("fvecs"), let path = fvecs { sets.append(try BenchData.fvecs(path)) }
        if want("wordnet") { sets.append(try BenchData.wordNetGlosses()) }
        if want("gcide") { sets.append(try BenchData.gcideParagraphs()) }

        print("shard store benchmark: \(repeats) passes per side, best counts; \(randomReads) random records per pass")
        print("MB = 10^6 bytes of raw (uncompressed) data; 'raw file' = one uncompressed fsynced file read with pread\n")
        var rows: [String] = []
        var cpuRows: [String] = []
        for data in sets {
            let lz4 = try LZ4CLIReference.measure(data, in: root)
            for blockBytes in blocks {
                let r = try ShardsRun.measure(data, blockBytes: blockBytes, root: root, repeats: repeats, randomReads: randomReads)
                rows.append(r.row(lz4: lz4))
                cpuRows.append(r.cpuRow())
                print(rows.last ?? "")
                fflush(nil)
            }
        }
        print("\nwall-clock (×: store / raw file)\n" + ShardsRun.header)
        for r in rows { print(r) }
        print("\nCPU time of this process (fsync waits excluded; robust on a shared machine)\n" + ShardsRun.cpuHeader)
        for r in cpuRows { print(r) }
        if bigGiB > 0 { try BigWrite.run(gib: bigGiB, root: root) }
    }
}

/// One data set in memory: fixed-length float32 records or strings.
struct BenchData {
    var name: String
    var floats: [Float] = []
    var dimension = 0
    var texts: [String] = []

    var isText: Bool { dimension == 0 }
    var recordCount: Int { isText ? texts.count : floats.count / dimension }
    var rawBytes: Int { isText ? texts.reduce(0) { $0 + $1.utf8.count } : floats.count * 4 }

    static func gunzip(_ path: String) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -dc \"$0\"", path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ValidationError("gzip -dc \(path) failed") }
        return data
    }

    static func fashionMNIST() throws -> BenchData {
        let data = try gunzip("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
        guard data.count > 16 else { throw ValidationError("Fashion-MNIST images file is too short") }
        let pixels = data.dropFirst(16)
        return BenchData(name: "fashion-mnist f32 784-d", floats: pixels.map { Float($0) / 255 }, dimension: 784)
    }

    static func gaussian(count: Int, dimension: Int) -> BenchData {
        var rng = SeededRandom(seed: 7)
        return BenchData(name: "gaussian f32 \(dimension)-d", floats: (0..<(count * dimension)).map { _ in rng.nextGaussian() },
                         dimension: dimension)
    }

    static func fvecs(_ path: String) throws -> BenchData {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count >= 4 else { throw ValidationError("\(path) is empty") }
        let d = Int(data.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })
        guard d > 0, data.count % (4 + 4 * d) == 0 else { throw ValidationError("\(path) is not an .fvecs file") }
        var out: [Float] = []
        out.reserveCapacity(data.count / 4)
        data.withUnsafeBytes { raw in
            for r in 0..<(data.count / (4 + 4 * d)) {
                for j in 0..<d { out.append(raw.loadUnaligned(fromByteOffset: r * (4 + 4 * d) + 4 + 4 * j, as: Float.self)) }
            }
        }
        return BenchData(name: URL(fileURLWithPath: path).lastPathComponent + " f32 \(d)-d", floats: out, dimension: d)
    }

    /// WordNet glosses: the text after " | " on each synset line of data.noun/verb/adj/adv.
    static func wordNetGlosses() throws -> BenchData {
        var texts: [String] = []
        for part in ["noun", "verb", "adj", "adv"] {
            let text = try String(contentsOfFile: "/usr/share/wordnet/data.\(part)", encoding: .utf8)
            for line in text.split(separator: "\n") where !line.hasPrefix("  ") {
                if let bar = line.range(of: " | ") { texts.append(String(line[bar.upperBound...]).trimmingCharacters(in: .whitespaces)) }
            }
        }
        return BenchData(name: "wordnet glosses (utf8)", texts: texts)
    }

    /// GCIDE dictionary text, one record per paragraph (blank-line separated).
    static func gcideParagraphs() throws -> BenchData {
        let text = String(decoding: try gunzip("/usr/share/dictd/gcide.dict.dz"), as: UTF8.self)
        let paragraphs = text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        return BenchData(name: "gcide paragraphs (utf8)", texts: paragraphs)
    }
}

/// Times of one side (best over passes), wall-clock and CPU.
struct SideTimes {
    var write = Double.infinity, read = Double.infinity, random = Double.infinity
    var writeCPU = Double.infinity, readCPU = Double.infinity, randomCPU = Double.infinity
    mutating func keepBest(_ t: PhaseTimes) {
        write = min(write, t.write.0); read = min(read, t.read.0); random = min(random, t.random.0)
        writeCPU = min(writeCPU, t.write.1); readCPU = min(readCPU, t.read.1); randomCPU = min(randomCPU, t.random.1)
    }
}

/// (wall, cpu) seconds of the three phases of one pass.
struct PhaseTimes {
    var write: (Double, Double)
    var read: (Double, Double)
    var random: (Double, Double)
}

/// The measurement of one data set at one block size: the store against the raw-file peer.
struct ShardsRun {
    var data: BenchData
    var blockBytes: Int
    var compressedBytes = 0
    var shards = 0
    var store = SideTimes()
    var raw = SideTimes()
    var randomReads: Int

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// CPU seconds used by this process so far (less sensitive than wall time to other processes on a busy machine).
    static func cpuNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Wall and CPU seconds of one phase.
    struct Stamp {
        var wall = ShardsRun.now()
        var cpu = ShardsRun.cpuNow()
        func since(_ earlier: Stamp) -> (Double, Double) { (wall - earlier.wall, cpu - earlier.cpu) }
    }

    static func measure(_ data: BenchData, blockBytes: Int, root: URL, repeats: Int, randomReads: Int) throws -> ShardsRun {
        var run = ShardsRun(data: data, blockBytes: blockBytes, randomReads: randomReads)
        var rng = SeededRandom(seed: 11)
        let picks = (0..<randomReads).map { _ in Int(rng.next() % UInt64(max(1, data.recordCount))) }
        let storeURL = root.appendingPathComponent("store-\(blockBytes)")
        let rawURL = root.appendingPathComponent("raw-\(blockBytes).bin")
        for _ in 0..<repeats {
            run.raw.keepBest(try RawFilePeer.measure(data, at: rawURL, picks: picks))
            run.store.keepBest(try measureStore(data, at: storeURL, blockBytes: blockBytes, picks: picks))
            let reader = try ShardReader(directory: storeURL)
            let c = try reader.column("data")
            run.compressedBytes = c.manifest.compressedBytes
            run.shards = c.shardCount
        }
        try? FileManager.default.removeItem(at: storeURL)
        try? FileManager.default.removeItem(at: rawURL)
        return run
    }

    /// Write (append + commit with fsync), sequential read (shard by shard), random records (fresh reader).
    static func measureStore(_ data: BenchData, at url: URL, blockBytes: Int, picks: [Int]) throws -> PhaseTimes {
        let t0 = Stamp()
        var w = try ShardWriter(directory: url, kind: "bench", blockBytes: blockBytes)
        if data.isText {
            try w.addColumn("data", type: .utf8)
            for t in data.texts { try w.appendRecord(string: t, to: "data") }
        } else {
            try w.addColumn("data", type: .float32, recordLength: data.dimension)
            let step = max(1, (1 << 20) / (4 * data.dimension)) * data.dimension
            var at = 0
            while at < data.floats.count {
                let end = min(data.floats.count, at + step)
                try w.append(floats: data.floats[at..<end], to: "data")
                at = end
            }
        }
        try w.commit()
        let t1 = Stamp()
        var check = 0
        do {
            let c = try ShardReader(directory: url).column("data")
            try c.forEachShard { (_: Int, range: Range<Int>) throws in
                if data.isText { check &+= try c.strings(records: range).count } else { check &+= try c.floats(records: range).count }
            }
        }
        let t2 = Stamp()
        let c = try ShardReader(directory: url).column("data")
        for i in picks {
            if data.isText { check &+= try c.string(record: i).utf8.count } else { check &+= try c.floats(record: i).count }
        }
        let t3 = Stamp()
        guard check > 0 || data.recordCount == 0 else { throw ValidationError("nothing read") }
        return PhaseTimes(write: t1.since(t0), read: t2.since(t1), random: t3.since(t2))
    }

    static let header = "data set                        block   ratio  lz4-cli  write MB/s (raw file)   seq read MB/s (raw file)   random rec/s (raw pread)   µs/rec"

    static let cpuHeader = "data set                        block   ratio  write MB/cpu-s (raw)    seq read MB/cpu-s (raw)    random rec/cpu-s (raw)     cpu-µs/rec"

    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    private func f(_ x: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", x) }

    /// The same measurements in CPU time (MB or records per CPU-second of this process).
    func cpuRow() -> String {
        let mb = Double(data.rawBytes) / 1e6
        let ratio = Double(data.rawBytes) / Double(max(1, compressedBytes))
        let w = "\(f(mb / store.writeCPU)) (\(f(mb / raw.writeCPU)))"
        let r = "\(f(mb / store.readCPU)) (\(f(mb / raw.readCPU)))"
        let x = "\(f(Double(randomReads) / store.randomCPU)) (\(f(Double(randomReads) / raw.randomCPU)))"
        return pad(data.name, 32) + pad("\(blockBytes >> 10)K", 8) + pad(f(ratio, 2), 7) + pad(w, 24) + pad(r, 27) + pad(x, 27)
            + f(store.randomCPU / Double(randomReads) * 1e6, 1)
    }

    func row(lz4: Double) -> String {
        let mb = Double(data.rawBytes) / 1e6
        let ratio = Double(data.rawBytes) / Double(max(1, compressedBytes))
        let w = "\(f(mb / store.write)) (\(f(mb / raw.write))) ×\(f(raw.write / store.write, 2))"
        let r = "\(f(mb / store.read)) (\(f(mb / raw.read))) ×\(f(raw.read / store.read, 2))"
        let x = "\(f(Double(randomReads) / store.random)) (\(f(Double(randomReads) / raw.random))) ×\(f(raw.random / store.random, 2))"
        return pad(data.name, 32) + pad("\(blockBytes >> 10)K", 8) + pad(f(ratio, 2), 7) + pad(f(lz4, 2), 9) + pad(w, 24) + pad(r, 27)
            + pad(x, 27) + f(store.random / Double(randomReads) * 1e6, 1)
    }
}

/// The peer: the same bytes in one uncompressed file (an offsets table in memory for text).
enum RawFilePeer {
    static func measure(_ data: BenchData, at url: URL, picks: [Int]) throws -> PhaseTimes {
        // Offsets of each record in the file.
        var offsets: [Int] = [0]
        if data.isText {
            offsets.reserveCapacity(data.texts.count + 1)
            for t in data.texts { offsets.append(offsets[offsets.count - 1] + t.utf8.count) }
        }
        let t0 = ShardsRun.Stamp()
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ValidationError("cannot create \(url.path)") }
        if data.isText {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 20)
            for t in data.texts {
                buffer.append(contentsOf: t.utf8)
                if buffer.count >= 1 << 20 { try writeAll(fd, buffer); buffer.removeAll(keepingCapacity: true) }
            }
            try writeAll(fd, buffer)
        } else {
            try data.floats.withUnsafeBytes { raw in
                var at = 0
                while at < raw.count {
                    let end = min(raw.count, at + (1 << 20))
                    try writeAll(fd, Array(raw[at..<end]))
                    at = end
                }
            }
        }
        fsync(fd)
        close(fd)
        let t1 = ShardsRun.Stamp()
        let rfd = open(url.path, O_RDONLY)
        defer { close(rfd) }
        var check = 0
        if data.isText {
            var bytes = [UInt8](repeating: 0, count: data.rawBytes)
            _ = bytes.withUnsafeMutableBytes { pread(rfd, $0.baseAddress, $0.count, 0) }
            var strings: [String] = []
            strings.reserveCapacity(data.texts.count)
            for i in 0..<data.texts.count { strings.append(String(decoding: bytes[offsets[i]..<offsets[i + 1]], as: UTF8.self)) }
            check = strings.count
        } else {
            let values = [Float](unsafeUninitializedCapacity: data.floats.count) { b, n in
                _ = pread(rfd, b.baseAddress, b.count * 4, 0)
                n = b.count
            }
            check = values.count
        }
        let t2 = ShardsRun.Stamp()
        for i in picks {
            if data.isText {
                var rec = [UInt8](repeating: 0, count: offsets[i + 1] - offsets[i])
                _ = rec.withUnsafeMutableBytes { pread(rfd, $0.baseAddress, $0.count, off_t(offsets[i])) }
                check &+= String(decoding: rec, as: UTF8.self).utf8.count
            } else {
                let d = data.dimension
                let v = [Float](unsafeUninitializedCapacity: d) { b, n in
                    _ = pread(rfd, b.baseAddress, d * 4, off_t(i * d * 4))
                    n = d
                }
                check &+= v.count
            }
        }
        let t3 = ShardsRun.Stamp()
        guard check > 0 || data.recordCount == 0 else { throw ValidationError("nothing read") }
        return PhaseTimes(write: t1.since(t0), read: t2.since(t1), random: t3.since(t2))
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress.map { $0 + done }, raw.count - done)
                guard n > 0 else { throw ValidationError("write failed") }
                done += n
            }
        }
    }
}

/// `lz4 -1` on the raw file: the compression ratio of one frame with 4 MiB linked blocks, for reference.
enum LZ4CLIReference {
    static func measure(_ data: BenchData, in root: URL) throws -> Double {
        let raw = root.appendingPathComponent("lz4-ref.bin")
        let packed = root.appendingPathComponent("lz4-ref.bin.lz4")
        defer { try? FileManager.default.removeItem(at: raw); try? FileManager.default.removeItem(at: packed) }
        if data.isText {
            try Data(data.texts.joined().utf8).write(to: raw)
        } else {
            try data.floats.withUnsafeBytes { try Data($0).write(to: raw) }
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "lz4 -1 -q -f \"$0\" \"$1\"", raw.path, packed.path]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let size = try FileManager.default.attributesOfItem(atPath: packed.path)[.size] as? Int, size > 0 else { return .nan }
        return Double(data.rawBytes) / Double(size)
    }
}

/// `--big-gib`: a large store written with streaming appends; reports time, size and this process's peak RSS.
enum BigWrite {
    static func run(gib: Double, root: URL) throws {
        let data = try BenchData.fashionMNIST()
        let target = Int(gib * Double(1 << 30))
        let url = root.appendingPathComponent("big")
        let before = peakRSSkB()
        let t0 = ShardsRun.now()
        var w = try ShardWriter(directory: url, kind: "big")
        try w.addColumn("data", type: .float32, recordLength: data.dimension)
        var written = 0
        while written < target {
            let step = min(data.floats.count, (target - written) / 4 / data.dimension * data.dimension)
            if step == 0 { break }
            try w.append(floats: data.floats[0..<step], to: "data")
            written += step * 4
        }
        try w.commit()
        let t1 = ShardsRun.now()
        let c = try ShardReader(directory: url).column("data")
        var n = 0
        try c.forEachShard { (_: Int, range: Range<Int>) throws in n += try c.floats(records: range).count }
        let t2 = ShardsRun.now()
        try? FileManager.default.removeItem(at: url)
        print(String(format: "\nbig: %.2f GiB raw in %d shards, ratio %.2f, write %.0f MB/s, read %.0f MB/s; peak RSS %d MB (%d MB before, data set included)",
                     Double(c.manifest.rawBytes) / Double(1 << 30), c.shardCount,
                     Double(c.manifest.rawBytes) / Double(c.manifest.compressedBytes),
                     Double(written) / 1e6 / (t1 - t0), Double(n * 4) / 1e6 / (t2 - t1), peakRSSkB() / 1000, before / 1000))
    }

    static func peakRSSkB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
        }
        return -1
    }
}
