import BenchSupport
import IndexCore
import IVFPQ

/// This package's IVF-PQ: trained on the first `trainSize` base vectors (as the peers' faiss
/// IndexIVFPQ), nprobe swept, without and with re-ranking of the best k·refine candidates (every factor
/// of `--refine` above 1, all from the one trained index).
///
/// With `opq` (`--index ivfpq-opq`) the OPQ rotation is learned on the training sample first
/// (`IVFPQConfiguration.useOPQ`); its points are `ivfpq-opq` and `ivfpq-opq+refine`, which
/// tools/ann/peers.py answers with faiss `IndexPreTransform(OPQMatrix(d, m), IndexIVFPQ)` (+ `IndexRefineFlat`).
struct IVFPQRunner: ANNRunner {
    var opq = false
    var indexName: String { opq ? "ivfpq-opq" : "ivfpq" }

    func run(_ data: ANNDataset, options: ANNOptions, log: (String) -> Void) throws -> [BenchmarkPoint] {
        let m = options.pqM ?? IVFPQDefaults.subquantizers(dimension: data.dimension)
        let nTrain = min(options.trainSize, data.baseCount)
        var configuration = IVFPQConfiguration(nlist: options.nlist, subquantizers: m, bitsPerCode: options.nbits,
                                               useOPQ: opq)
        configuration.threads = options.threads   // train and add with the same threads as the peers
        let index = try IVFPQIndex(dimension: data.dimension, metric: data.metric, configuration: configuration)
        let train = try QueryTimer.measure { try index.train(Array(data.base.prefix(nTrain * data.dimension))) }
        let ids = (0 ..< UInt64(data.baseCount)).map { $0 }
        let add = try QueryTimer.measure { try index.add(contentsOf: data.base, ids: ids) }
        log("  i3       \(opq ? "OPQ\(m)," : "")IVF\(options.nlist),PQ\(m)x\(options.nbits): train \(String(format: "%.2f", train.seconds)) s on \(nTrain) vectors, add \(String(format: "%.2f", add.seconds)) s")
        var t = template(data, options: options)
        t.trainSeconds = train.seconds
        t.addSeconds = add.seconds
        t.buildSeconds = train.seconds + add.seconds
        // Without re-ranking the full vectors are not needed: count codes, ids and the fixed part only
        // (as faiss IndexIVFPQ); with re-ranking count everything (as faiss IndexRefineFlat).
        let codesOnly = Double(index.fixedBytes + data.baseCount * index.bytesPerVector)
        let withVectors = Double(index.memoryBytes)
        let queries = queryRows(data)
        var points: [BenchmarkPoint] = []
        let variants: [(String, Int?)] = [(indexName, nil)] + options.refine.filter { $0 > 1 }.map { (indexName + "+refine", $0) }
        for (name, refine) in variants {
            for nprobe in options.nprobe {
                let sp = SearchParameters(nprobe: nprobe, refineFactor: refine)
                var params: [String: Double] = ["nlist": Double(options.nlist), "m": Double(m), "nbits": Double(options.nbits),
                                                "nprobe": Double(nprobe), "train_size": Double(nTrain)]
                if let r = refine { params["refine"] = Double(r) }
                if opq { params["opq"] = 1 }
                var t = t
                t.indexBytes = refine == nil ? codesOnly : withVectors
                t.bytesPerVector = Double(index.bytesPerVector + (refine == nil ? 0 : 4 * data.dimension))
                let p = try measurePoint(data, options: options, index: name, params: params, passes: options.runs, template: t) { q in
                    try index.search(queries[q], k: options.k, parameters: sp).map(\.id)
                }
                log(describe(p))
                points.append(p)
            }
        }
        return points
    }
}
