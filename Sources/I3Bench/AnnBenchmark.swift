import ArgumentParser
import BenchSupport
import CBLAS
import Foundation

/// `I3Bench ann`: our side of the ANN benchmark on one data set directory.
struct AnnBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ann",
        abstract: "Recall@10 / QPS curves of this package's indexes on a data set directory.",
        discussion: """
        <dir> holds base.fvecs, query.fvecs, groundtruth.ivecs (top-K ids, K >= k) and metric.txt \
        (ip, cosine or l2); tools/ann/prepare_data.py makes GloVe-50 and Fashion-MNIST this way. \
        Queries are searched one per call with --threads threads (default 1). The JSON is a list of points \
        {"dataset", "library", "index", "params", "recall_at_10", "qps", "build_seconds", "index_bytes", ...}; \
        tools/ann/run_peers.sh writes the same for hnswlib and faiss, and `I3Bench ann-report` compares them.
        """)

    @Option(help: "Data set directory (base.fvecs, query.fvecs, groundtruth.ivecs, metric.txt).")
    var data: String

    @Option(help: "Indexes: hnsw, ivfpq, flat or all (comma-separated list allowed); ivfpq-opq: IVF-PQ with OPQ, only when named.")
    var index = "all"

    @Option(help: "Threads for the timed build and the searches.")
    var threads = 1

    @Option(help: "Write the points to this JSON file.")
    var json: String?

    @Option(help: "Also draw our curves to this SVG file (ann-report draws both sides).")
    var svg: String?

    @Option(help: "Neighbours per query.")
    var k = 10

    @Option(help: "Passes over the queries per point; the fastest counts.")
    var runs = 3

    @Option(help: "Repetition number recorded in the JSON (scripts/ann-bench.sh).")
    var repetition = 1

    @Option(help: "Use only the first N queries (0: all).")
    var limitQueries = 0

    @Flag(help: "Skip the extra all-cores build timing.")
    var noAllThreadsBuild = false

    @Option(help: "HNSW: ef values to sweep.")
    var ef = "10,20,40,80,120,200,400"

    @Option(help: "HNSW: links per node (M).")
    var m = 16

    @Option(help: "HNSW: efConstruction.")
    var efConstruction = 200

    @Option(help: "IVF-PQ: number of inverted lists.")
    var nlist = IVFPQDefaults.nlist

    @Option(help: "IVF-PQ: PQ sub-quantizers (default: largest divisor of d that is <= min(64, d/4)).")
    var pqM: Int?

    @Option(help: "IVF-PQ: nprobe values to sweep.")
    var nprobe = "1,4,16,64"

    @Option(help: "IVF-PQ: re-ranking factors to sweep, e.g. 1,4,10,20: re-rank the best k*refine candidates exactly; 1 (or less): no re-ranking. Points without re-ranking are always measured; one trained index serves every factor.")
    var refine = "10"

    @Option(help: "IVF-PQ: train on the first N base vectors (the peers do the same).")
    var trainSize = IVFPQDefaults.trainSize

    func run() throws {
        guard threads >= 1 else { throw BenchmarkError.badArgument(name: "--threads", reason: "must be at least 1") }
        guard k >= 1 else { throw BenchmarkError.badArgument(name: "--k", reason: "must be at least 1") }
        // One BLAS thread per search thread unless told otherwise: OpenBLAS would use every core.
        i3blas_set_num_threads(Int32(threads))
        var o = ANNOptions()
        o.k = k
        o.threads = threads
        o.allThreadsBuild = !noAllThreadsBuild
        o.runs = runs
        o.repetition = repetition
        o.ef = try Self.intList(ef, name: "--ef")
        o.m = m
        o.efConstruction = efConstruction
        o.nlist = nlist
        o.pqM = pqM
        o.nprobe = try Self.intList(nprobe, name: "--nprobe")
        o.refine = try Self.intList(refine, name: "--refine")
        o.trainSize = trainSize

        let wanted = index == "all" ? ANNRunners.order : index.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        for w in wanted where !ANNRunners.order.contains(w) && ANNRunners.available[w] == nil {
            throw BenchmarkError.badArgument(name: "--index", reason: "unknown index \"\(w)\" (hnsw, ivfpq, ivfpq-opq, flat or all)")
        }
        let dataset = try ANNDataset.load(directory: URL(fileURLWithPath: data), queryLimit: limitQueries > 0 ? limitQueries : nil)
        guard dataset.groundTruth.allSatisfy({ $0.count >= k }) else {
            throw BenchmarkError.badDataset(directory: data, reason: "groundtruth.ivecs holds fewer than k = \(k) ids per query")
        }
        print("==> i3 on \(dataset.name): \(dataset.baseCount) x \(dataset.dimension) (\(dataset.metric.rawValue)), \(dataset.queryCount) queries, \(threads) thread(s)")
        var points: [BenchmarkPoint] = []
        for name in wanted {
            guard let runner = ANNRunners.available[name] else {
                print("  i3       \(name): not built into this I3Bench (its runner joins the build when the \(name) API is on main); skipped")
                continue
            }
            points += try runner.run(dataset, options: o) { print($0) }
        }
        if let json {
            let machine = MachineReport.measure().fields
            for i in points.indices { points[i].machine = machine }
            try BenchmarkJSON.write(points, to: URL(fileURLWithPath: json))
            print("==> wrote \(points.count) points to \(json)")
        }
        if let svg {
            let text = ComparisonReport(points: points).plot().render()
            do { try text.write(toFile: svg, atomically: true, encoding: .utf8) } catch {
                throw BenchmarkError.badArgument(name: "--svg", reason: "cannot write \(svg): \(error.localizedDescription)")
            }
            print("==> wrote \(svg)")
        }
    }

    static func intList(_ s: String, name: String) throws -> [Int] {
        let parts = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var out: [Int] = []
        for p in parts {
            guard let v = Int(p), v >= 1 else { throw BenchmarkError.badArgument(name: name, reason: "\"\(p)\" is not a positive integer") }
            out.append(v)
        }
        guard !out.isEmpty else { throw BenchmarkError.badArgument(name: name, reason: "empty list") }
        return out
    }
}
