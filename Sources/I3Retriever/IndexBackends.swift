import Foundation
import HNSW
import IndexCore
import IVFPQ
import ShardStore
import VectorKernels

/// Builds one kind of vector index while the index builder streams the vectors in.
protocol IndexConstruction: AnyObject {
    /// IVF-PQ must be trained on a sample before vectors are added.
    var needsTraining: Bool { get }
    func train(_ sample: [Float]) throws
    /// Adds a row-major block of vectors with their internal ids.
    func add(_ vectors: [Float], ids: [UInt64], threads: Int) throws
    /// Persists the index into `directory` (which must not exist yet) with `metadata`.
    func save(to directory: URL, metadata: [String: String]) throws
    /// Runs once after the last vector is added, before `save` (IVF-PQ fits its search defaults).
    func finish() throws
    /// Settings worth recording in `retriever.json`.
    var settings: [String: String] { get }
}

/// The index kinds the retriever can build and open. Each kind is used only through here.
enum IndexBackends {
    static func construction(type: IndexType, dimension: Int, metric: Metric, options: IndexBuildOptions,
                             expectedCount: Int) throws -> (any IndexConstruction)? {
        switch type {
        case .flat: return nil
        case .hnsw: return try HNSWConstruction(dimension: dimension, metric: metric, options: options)
        case .ivfpq: return try IVFPQConstruction(dimension: dimension, metric: metric, options: options, expectedCount: expectedCount)
        }
    }

    /// Bytes the opened index holds in memory (graph and vectors for HNSW; codes, ids and lists for IVF-PQ
    /// with full vectors left on disk; the vectors for flat).
    static func memoryBytes(_ index: any VectorIndex) -> Int {
        if let h = index as? HNSWIndex { return h.memoryBytes }
        if let i = index as? IVFPQIndex { return i.memoryBytes }
        return index.count * index.dimension * MemoryLayout<Float>.size
    }

    /// The build generation recorded in a saved index's metadata (nil for a flat index, which is rebuilt
    /// from `vectors/`).
    static func generation(of index: any VectorIndex) -> String? {
        switch index {
        case let h as HNSWIndex: return h.metadata[IndexManifest.generationKey]
        case let p as IVFPQIndex: return p.metadata[IndexManifest.generationKey]
        default: return nil
        }
    }

    /// Opens the index of a directory; a flat index is rebuilt in memory from `vectors/`.
    static func open(directory: URL, manifest: IndexManifest, vectors: ColumnReader) throws -> any VectorIndex {
        let sub = directory.appendingPathComponent(manifest.indexType.rawValue, isDirectory: true)
        switch manifest.indexType {
        case .flat:
            let flat = try FlatIndex(dimension: manifest.dimension, metric: manifest.metric)
            var next: UInt64 = 0
            let all = try vectors.allFloats()
            let d = manifest.dimension
            guard all.count == vectors.recordCount * d else {
                throw RetrieverError.corruptIndex(directory: directory.path, reason: "vectors/ holds \(all.count) floats for \(vectors.recordCount) records")
            }
            for r in 0..<vectors.recordCount {
                try flat.add(Array(all[r * d ..< (r + 1) * d]), id: next)
                next += 1
            }
            return flat
        case .hnsw:
            return try HNSWIndex.open(directory: sub, expectedDimension: manifest.dimension, expectedMetric: manifest.metric)
        case .ivfpq:
            return try IVFPQIndex.open(directory: sub, expectedDimension: manifest.dimension, expectedMetric: manifest.metric,
                                       loadFullVectors: false)
        }
    }
}

final class HNSWConstruction: IndexConstruction {
    let index: HNSWIndex
    let parameters: HNSWParameters
    init(dimension: Int, metric: Metric, options: IndexBuildOptions) throws {
        var p = HNSWParameters()
        if let m = options.hnswM { p.m = m }
        if let e = options.hnswEfConstruction { p.efConstruction = e }
        parameters = p
        index = try HNSWIndex(dimension: dimension, metric: metric, parameters: p)
        targetRecall = options.targetRecall
    }
    let targetRecall: Double?
    var needsTraining: Bool { false }
    func train(_ sample: [Float]) throws {}
    func add(_ vectors: [Float], ids: [UInt64], threads: Int) throws {
        try index.add(contentsOf: vectors, ids: ids, threads: threads)
    }
    func save(to directory: URL, metadata: [String: String]) throws { try index.save(to: directory, metadata: metadata) }
    func finish() throws {
        let k = IndexBuildOptions.tuningDepth(passages: index.count)
        if let target = targetRecall, k >= 1 { try index.tune(targetRecall: target, k: k) }
    }
    var settings: [String: String] {
        var s = ["M": String(parameters.m), "efConstruction": String(parameters.efConstruction)]
        if let curve = index.tuningCurve { s.merge(curve.manifestSettings) { _, fitted in fitted } }
        return s
    }
}

final class IVFPQConstruction: IndexConstruction {
    let index: IVFPQIndex
    let configuration: IVFPQConfiguration
    init(dimension: Int, metric: Metric, options: IndexBuildOptions, expectedCount: Int) throws {
        let nlist = options.ivfLists ?? max(1, min(4096, expectedCount / 39, Int(4 * Double(expectedCount).squareRoot())))
        var m = options.ivfSubquantizers ?? 0
        if m == 0 {
            m = [48, 32, 24, 16, 12, 8, 6, 4, 2, 1].first { dimension % $0 == 0 && dimension / $0 >= 4 } ?? 1
        }
        configuration = IVFPQConfiguration(nlist: nlist, subquantizers: m)
        index = try IVFPQIndex(dimension: dimension, metric: metric, configuration: configuration)
        targetRecall = options.targetRecall
    }
    let targetRecall: Double?
    func finish() throws {
        let k = IndexBuildOptions.tuningDepth(passages: index.count)
        if let target = targetRecall, k >= 1 { try index.tune(targetRecall: target, k: k) }
    }
    var needsTraining: Bool { true }
    func train(_ sample: [Float]) throws { try index.train(sample) }
    func add(_ vectors: [Float], ids: [UInt64], threads: Int) throws { try index.add(contentsOf: vectors, ids: ids) }
    func save(to directory: URL, metadata: [String: String]) throws { try index.save(to: directory, metadata: metadata) }
    var settings: [String: String] {
        var s = ["nlist": String(configuration.nlist), "subquantizers": String(configuration.subquantizers)]
        if let curve = index.tuningCurve { s.merge(curve.manifestSettings) { _, fitted in fitted } }
        return s
    }
}

extension TuningCurve {
    /// What `retriever.json` records of a fit: the default point's settings, the target, the sample
    /// recall it reached, and the whole curve as stored in the index.
    var manifestSettings: [String: String] {
        let p = defaultPoint
        var s = ["targetRecall": String(targetRecall), "sampleRecall": String(p.recall), "tunedK": String(k)]
        if let v = p.ef { s["ef"] = String(v) }
        if let v = p.nprobe { s["nprobe"] = String(v) }
        if let v = p.refineFactor { s["refineFactor"] = String(v) }
        s["tuningCurve"] = storedParameters["tunedCurve"]
        return s
    }
}
