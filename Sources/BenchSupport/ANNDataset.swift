import Foundation
import IndexCore
import VectorKernels

/// An ANN benchmark data set directory in the ann-benchmarks / TEXMEX layout:
///
///     base.fvecs         the vectors to index; row i gets id i
///     query.fvecs        the queries (same dimension)
///     groundtruth.ivecs  exact top-K base ids per query, best first (K ≥ k; 100 for the prepared sets)
///     metric.txt         ip, cosine or l2
///
/// `tools/ann/prepare_data.py` writes GloVe-50 and Fashion-MNIST this way; any directory in the same
/// layout works, so users can benchmark their own vectors.
public struct ANNDataset: Sendable {
    /// The directory's last path component (for example `glove-50-angular`).
    public var name: String
    /// Components per vector.
    public var dimension: Int
    /// Row-major `baseCount × dimension` floats, exactly as stored (not normalised).
    public var base: [Float]
    /// Row-major `queryCount × dimension` floats.
    public var queries: [Float]
    /// Exact neighbour ids per query, best first.
    public var groundTruth: [[Int32]]
    /// How vectors are compared.
    public var metric: Metric

    public var baseCount: Int { base.count / dimension }
    public var queryCount: Int { queries.count / dimension }

    /// Query `i` as its own array (the form the index APIs take).
    public func query(_ i: Int) -> [Float] { Array(queries[i * dimension ..< (i + 1) * dimension]) }

    /// Builds a data set from parts, checking that they fit together.
    public init(name: String, dimension: Int, base: [Float], queries: [Float], groundTruth: [[Int32]],
                metric: Metric) throws {
        guard dimension > 0 else { throw BenchmarkError.badDataset(directory: name, reason: "dimension must be positive") }
        guard base.count % dimension == 0, !base.isEmpty else {
            throw BenchmarkError.badDataset(directory: name, reason: "base holds \(base.count) floats, not a positive multiple of \(dimension)")
        }
        guard queries.count % dimension == 0, !queries.isEmpty else {
            throw BenchmarkError.badDataset(directory: name, reason: "queries hold \(queries.count) floats, not a positive multiple of \(dimension)")
        }
        let nq = queries.count / dimension, nb = base.count / dimension
        guard groundTruth.count >= nq else {
            throw BenchmarkError.badDataset(directory: name, reason: "ground truth has \(groundTruth.count) rows for \(nq) queries")
        }
        for (q, row) in groundTruth.prefix(nq).enumerated() {
            if let bad = row.first(where: { $0 < 0 || Int($0) >= nb }) {
                throw BenchmarkError.badDataset(directory: name, reason: "ground-truth row \(q) holds id \(bad), outside 0..<\(nb)")
            }
        }
        self.name = name
        self.dimension = dimension
        self.base = base
        self.queries = queries
        self.groundTruth = Array(groundTruth.prefix(nq))
        self.metric = metric
    }

    /// Loads a data set directory (see the type's documentation). `queryLimit` keeps only the first queries.
    public static func load(directory: URL, queryLimit: Int? = nil) throws -> ANNDataset {
        let name = directory.standardizedFileURL.lastPathComponent
        let fm = FileManager.default
        for file in ["base.fvecs", "query.fvecs", "groundtruth.ivecs", "metric.txt"] {
            guard fm.fileExists(atPath: directory.appendingPathComponent(file).path) else {
                throw BenchmarkError.badDataset(directory: directory.path, reason: "missing \(file)")
            }
        }
        let metricText: String
        do { metricText = try String(contentsOf: directory.appendingPathComponent("metric.txt"), encoding: .utf8) } catch {
            throw BenchmarkError.badDataset(directory: directory.path, reason: "metric.txt: \(error.localizedDescription)")
        }
        guard let metric = Metric(name: metricText) else {
            throw BenchmarkError.badDataset(directory: directory.path,
                                            reason: "metric.txt says \"\(metricText.trimmingCharacters(in: .whitespacesAndNewlines))\"; expected ip, cosine or l2")
        }
        let base = try VectorFiles.readFvecs(directory.appendingPathComponent("base.fvecs"))
        let queries = try VectorFiles.readFvecs(directory.appendingPathComponent("query.fvecs"), limit: queryLimit)
        guard base.dimension == queries.dimension else {
            throw BenchmarkError.badDataset(directory: directory.path,
                                            reason: "base.fvecs is \(base.dimension)-d but query.fvecs is \(queries.dimension)-d")
        }
        let gt = try VectorFiles.readIvecs(directory.appendingPathComponent("groundtruth.ivecs"), limit: queryLimit)
        return try ANNDataset(name: name, dimension: base.dimension, base: base.data, queries: queries.data,
                              groundTruth: gt, metric: metric)
    }
}
