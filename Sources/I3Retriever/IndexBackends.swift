import Foundation
import IndexCore
import ShardStore

/// Builds one kind of vector index while the index builder streams the vectors in.
protocol IndexConstruction: AnyObject {
    /// IVF-PQ must be trained on a sample before vectors are added.
    var needsTraining: Bool { get }
    func train(_ sample: [Float]) throws
    /// Adds a row-major block of vectors with their internal ids.
    func add(_ vectors: [Float], ids: [UInt64], threads: Int) throws
    /// Persists the index into `directory` (which must not exist yet).
    func save(to directory: URL) throws
    /// Settings worth recording in `retriever.json`.
    var settings: [String: String] { get }
}

/// The index kinds the retriever can build and open. Each kind is used only through here.
enum IndexBackends {
    static func construction(type: IndexType, dimension: Int, metric: Metric, options: IndexBuildOptions,
                             expectedCount: Int) throws -> (any IndexConstruction)? {
        switch type {
        case .flat: return nil
        case .hnsw, .ivfpq: throw RetrieverError.invalidArgument("\(type.rawValue) is not in this build yet")
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
        case .hnsw, .ivfpq: _ = sub; throw RetrieverError.invalidArgument("not in this build yet")
        }
    }
}

