import BenchSupport
import IndexCore
import IVFPQ

/// IVF-PQ with the OPQ rotation learned on the training sample (`IVFPQConfiguration.useOPQ`), as
/// `--index ivfpq-opq`; otherwise the same settings and accounting as `IVFPQRunner`. Its points are
/// `ivfpq-opq` and `ivfpq-opq+refine`; tools/ann/peers.py answers them with faiss
/// `IndexPreTransform(OPQMatrix(d, m), IndexIVFPQ)` (+ `IndexRefineFlat`).
struct IVFPQOPQRunner: ANNRunner {
    var indexName: String { "ivfpq-opq" }

    func run(_ data: ANNDataset, options: ANNOptions, log: (String) -> Void) throws -> [BenchmarkPoint] {
        let m = options.pqM ?? IVFPQDefaults.subquantizers(dimension: data.dimension)
        let nTrain = min(options.trainSize, data.baseCount)
        var configuration = IVFPQConfiguration(nlist: options.nlist, subquantizers: m, bitsPerCode: options.nbits,
                                               useOPQ: true)
        configuration.threads = options.threads
        let index = try IVFPQIndex(dimension: data.dimension, metric: data.metric, configuration: configuration)
        let train = try QueryTimer.measure { try index.train(Array(data.base.prefix(nTrain * data.dimension))) }
        let ids = (0 ..< UInt64(data.baseCount)).map { $0 }
        let add = try QueryTimer.measure { try index.add(contentsOf: data.base, ids: ids) }
        log("  i3       OPQ\(m),IVF\(options.nlist),PQ\(m)x\(options.nbits): train \(String(format: "%.2f", train.seconds)) s on \(nTrain) vectors, add \(String(format: "%.2f", add.seconds)) s")
        var t = template(data, options: options)
        t.trainSeconds = train.seconds
        t.addSeconds = add.seconds
        t.buildSeconds = train.seconds + add.seconds
        let codesOnly = Double(index.fixedBytes + data.baseCount * index.bytesPerVector)
        let withVectors = Double(index.memoryBytes)
        let queries = queryRows(data)
        var points: [BenchmarkPoint] = []
        let variants: [(String, Int?)] = options.refine > 1 ? [("ivfpq-opq", nil), ("ivfpq-opq+refine", options.refine)] : [("ivfpq-opq", nil)]
        for (name, refine) in variants {
            for nprobe in options.nprobe {
                let sp = SearchParameters(nprobe: nprobe, refineFactor: refine)
                var params: [String: Double] = ["nlist": Double(options.nlist), "m": Double(m), "nbits": Double(options.nbits),
                                                "nprobe": Double(nprobe), "train_size": Double(nTrain), "opq": 1]
                if let r = refine { params["refine"] = Double(r) }
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
