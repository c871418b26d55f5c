import Foundation
import IndexCore
import VectorKernels

/// Seeded data generators and a brute-force oracle shared by the test targets.
public enum TestData {
    /// `count × dimension` standard-normal floats, row-major, reproducible for `seed`.
    public static func gaussian(count: Int, dimension: Int, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        return (0..<(count * dimension)).map { _ in rng.nextGaussian() }
    }

    /// Points around `clusters` well separated centres (spread `spread`), row-major, with each point's cluster.
    public static func clustered(count: Int, dimension: Int, clusters: Int, spread: Float = 0.05,
                                 seed: UInt64) -> (vectors: [Float], labels: [Int]) {
        var rng = SeededRandom(seed: seed)
        let centres = (0..<(clusters * dimension)).map { _ in rng.nextGaussian() * 10 }
        var out = [Float](repeating: 0, count: count * dimension)
        var labels = [Int](repeating: 0, count: count)
        for i in 0..<count {
            let c = i % clusters
            labels[i] = c
            for j in 0..<dimension { out[i * dimension + j] = centres[c * dimension + j] + rng.nextGaussian() * spread }
        }
        return (out, labels)
    }

    /// Row `i` of a row-major buffer.
    public static func row(_ data: [Float], _ i: Int, dimension: Int) -> [Float] {
        Array(data[i * dimension ..< (i + 1) * dimension])
    }

    /// Exact top-`k` ids of each query by brute force (the oracle), ids = row numbers.
    public static func groundTruth(base: [Float], queries: [Float], dimension: Int, metric: Metric, k: Int) throws -> [[UInt64]] {
        let flat = try FlatIndex(dimension: dimension, metric: metric)
        for i in 0..<(base.count / dimension) { try flat.add(row(base, i, dimension: dimension), id: UInt64(i)) }
        return try (0..<(queries.count / dimension)).map { q in
            try flat.search(row(queries, q, dimension: dimension), k: k).map(\.id)
        }
    }

    /// Mean recall@k of `results` against `truth` (both lists of id lists).
    public static func recall(_ results: [[UInt64]], truth: [[UInt64]], k: Int) -> Double {
        var hits = 0
        for (r, t) in zip(results, truth) { hits += Set(r.prefix(k)).intersection(t.prefix(k)).count }
        return Double(hits) / Double(max(1, truth.count * k))
    }
}

/// A fresh temporary directory, removed when the value is dropped.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    public init(prefix: String = "i3test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// A path inside the directory.
    public func path(_ name: String) -> URL { url.appendingPathComponent(name) }
}

/// Writes `text` to `url` as UTF-8 (replacing the file), for tests that make small input files.
public func writeText(_ text: String, _ url: URL) throws {
    try text.write(to: url, atomically: true, encoding: .utf8)
}

/// Where the repository's `Fixtures/` folder is, found from this source file's location.
public enum FixturePaths {
    public static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    /// The all-MiniLM-L6-v2 model directory if installed (`I3_MODEL_DIR`, else `.models/all-MiniLM-L6-v2`).
    public static var miniLM: URL? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["I3_MODEL_DIR"], fm.fileExists(atPath: env + "/model.safetensors") {
            return URL(fileURLWithPath: env)
        }
        let local = root.deletingLastPathComponent().appendingPathComponent(".models/all-MiniLM-L6-v2")
        return fm.fileExists(atPath: local.appendingPathComponent("model.safetensors").path) ? local : nil
    }
}
