import Foundation
import HNSW
import IndexCore
import IVFPQ
import ShardStore

/// Fits the search settings of an existing index directory to a recall target (`i3 tune`), without
/// re-encoding or rebuilding: the index is opened, `HNSWIndex.tune` / `IVFPQIndex.tune` measure it on
/// pseudo-queries drawn from its own vectors, and the directory is published again with the new curve
/// in the index and in `retriever.json`.
///
/// Readers never see a half-tuned directory: the new version is assembled in `<dir>.tuning/` (the
/// unchanged parts hard-linked, or copied where the file system cannot link) and swapped in with the
/// same renames as a build, under the same lock, so a concurrent `i3 index` to the directory is refused
/// and a server watching it reloads once. The build generation stays the same: only search settings
/// change.
public enum IndexTuner {
    /// Re-tunes the index at `directory` and returns the fitted curve.
    /// - Parameters:
    ///   - targetRecall: recall@`k` plain searches should reach, in (0, 1].
    ///   - k: the depth recall is measured at (nil: 100, or one less than the passages when fewer).
    ///   - sampleSize: pseudo-queries (at least 1); ignored with `queries`.
    ///   - queries: held-out query vectors (encoded with the index's encoder, e.g. from a dev split) to
    ///     fit on instead of pseudo-queries drawn from the collection (nil: pseudo-queries).
    /// - Throws: `RetrieverError.invalidArgument` for a flat index (exact: nothing to tune) or bad
    ///   arguments, `.outputExists` when a build or another tune holds the directory, `.io` for file
    ///   problems; the index's own `IndexError` (corrupt files, an IVF-PQ index without full vectors).
    @discardableResult
    public static func tune(directory: URL, targetRecall: Double, k: Int? = nil, sampleSize: Int = 256,
                            seed: UInt64 = 1, queries: [[Float]]? = nil) throws -> TuningCurve {
        guard targetRecall > 0, targetRecall <= 1 else {
            throw RetrieverError.invalidArgument("--target-recall must be in (0, 1], got \(targetRecall)")
        }
        let lock = try BuildLock(output: directory)
        defer { withExtendedLifetime(lock) {} }
        var manifest = try IndexManifest.read(from: directory)
        guard manifest.indexType != .flat else {
            throw RetrieverError.invalidArgument("\(directory.path) holds a flat index: it is exact, there is nothing to tune")
        }
        let depth = k ?? IndexBuildOptions.tuningDepth(passages: manifest.passageCount)
        guard depth >= 1 else {
            throw RetrieverError.invalidArgument("k must be at least 1 (the index holds \(manifest.passageCount) passages)")
        }

        let staging = URL(fileURLWithPath: directory.path + ".tuning")
        let fm = FileManager.default
        if fm.fileExists(atPath: staging.path) { try IndexBuilder.remove(staging) }
        defer { try? fm.removeItem(at: staging) }
        let indexName = manifest.indexType.rawValue
        try linkTree(from: directory, to: staging, skipping: [indexName, IndexManifest.fileName])

        let source = directory.appendingPathComponent(indexName, isDirectory: true)
        let target = staging.appendingPathComponent(indexName, isDirectory: true)
        let curve: TuningCurve
        var settings = manifest.indexSettings
        switch manifest.indexType {
        case .hnsw:
            let index = try HNSWIndex.open(directory: source, expectedDimension: manifest.dimension, expectedMetric: manifest.metric)
            curve = try index.tune(targetRecall: targetRecall, k: depth, sampleSize: sampleSize, seed: seed, queries: queries)
            try index.save(to: target, metadata: index.metadata)
        case .ivfpq:
            let index = try IVFPQIndex.open(directory: source, expectedDimension: manifest.dimension,
                                            expectedMetric: manifest.metric, loadFullVectors: false)
            curve = try index.tune(targetRecall: targetRecall, k: depth, sampleSize: sampleSize, seed: seed, queries: queries)
            try index.save(to: target, metadata: index.metadata)
        case .flat:
            throw RetrieverError.invalidArgument("\(directory.path) holds a flat index: it is exact, there is nothing to tune")
        }
        for key in ["ef", "nprobe", "refineFactor"] { settings[key] = nil }
        settings.merge(curve.manifestSettings) { _, fitted in fitted }
        manifest.indexSettings = settings
        try manifest.write(to: staging)
        try IndexBuilder.publish(staging, to: directory)
        return curve
    }

    /// Recreates the tree under `source` at `destination` with every file hard-linked (copied when the
    /// file system refuses links), leaving out the top-level entries named in `skipping`. Shard files
    /// are never modified in place, so a link shares them safely.
    static func linkTree(from source: URL, to destination: URL, skipping: Set<String>) throws {
        let fm = FileManager.default
        try IndexBuilder.createDirectory(destination)
        let entries: [String]
        do { entries = try fm.contentsOfDirectory(atPath: source.path) } catch {
            throw RetrieverError.io(path: source.path, reason: "cannot list: \(error.localizedDescription)")
        }
        for name in entries where !skipping.contains(name) {
            let from = source.appendingPathComponent(name), to = destination.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: from.path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                try linkTree(from: from, to: to, skipping: [])
                continue
            }
            do {
                try fm.linkItem(at: from, to: to)
            } catch {
                do { try fm.copyItem(at: from, to: to) } catch {
                    throw RetrieverError.io(path: from.path, reason: "cannot link or copy into \(destination.path): \(error.localizedDescription)")
                }
            }
        }
    }
}
