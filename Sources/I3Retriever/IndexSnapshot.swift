import Foundation
import HNSW
import IndexCore
import IVFPQ
import ShardStore

/// The parts of one index directory opened as one build: `retriever.json`, `passages/`, `vectors/` and
/// the index.
///
/// `IndexBuilder` publishes a new version by renaming directories, so a reader that opens the parts one by
/// one by path may see the old `passages/` and the new `vectors/`. Every part of a directory records the
/// generation id of the build that wrote it (`IndexManifest.generationKey`); a snapshot is accepted only
/// when all of them agree with `retriever.json`, and is opened again otherwise. Each opened part holds
/// its files open (a `ShardReader` is itself a snapshot), so what was accepted stays readable after a
/// later replacement. This holds whatever order the filesystem performs the renames in.
struct IndexSnapshot {
    let manifest: IndexManifest
    let passages: ShardReader
    let vectors: ShardReader
    let index: any VectorIndex

    /// How often a directory that keeps changing under the reader is reopened before giving up.
    static let maxAttempts = 200

    /// Opens a consistent snapshot of `directory`. `manifest` is a `retriever.json` the caller has read
    /// already (used for the first attempt); `check` runs on each manifest before the parts are opened.
    static func open(directory: URL, manifest given: IndexManifest?,
                     check: (IndexManifest) throws -> Void = { _ in }) throws -> IndexSnapshot {
        var lastError: (any Error)?
        for attempt in 0..<maxAttempts {
            if attempt > 0 { usleep(useconds_t(min(attempt, 20) * 500)) }
            let tried: IndexManifest
            if attempt == 0, let given {
                tried = given
            } else {
                // Between the two renames of a publish `retriever.json` may be missing for a moment: wait for
                // it. One that was read but is invalid is an error at once (found by fuzzing: it used to be
                // retried 200 times).
                let data: Data
                do { data = try Data(contentsOf: directory.appendingPathComponent(IndexManifest.fileName)) } catch {
                    lastError = RetrieverError.corruptIndex(directory: directory.path,
                                                            reason: "cannot read \(IndexManifest.fileName): \(error.localizedDescription)")
                    continue
                }
                tried = try IndexManifest.decode(data, directory: directory)
            }
            try check(tried)
            do {
                if let s = try openParts(directory: directory, manifest: tried) { return s }
                lastError = RetrieverError.corruptIndex(
                    directory: directory.path, reason: "its parts come from different builds and kept changing while it was opened")
            } catch {
                // A part that is missing or unreadable is a real problem unless the directory was replaced
                // meanwhile (a new generation is there now): then look again.
                lastError = error
                let now = try? IndexManifest.read(from: directory)
                if let now, now.generation == tried.generation { throw error }
            }
        }
        throw lastError ?? RetrieverError.corruptIndex(directory: directory.path, reason: "cannot be opened")
    }

    /// The parts for `m`, or nil when one of them belongs to another build.
    private static func openParts(directory: URL, manifest m: IndexManifest) throws -> IndexSnapshot? {
        let key = IndexManifest.generationKey
        let passages = try ShardReader(directory: directory.appendingPathComponent("passages", isDirectory: true))
        let vectors = try ShardReader(directory: directory.appendingPathComponent("vectors", isDirectory: true))
        guard passages.metadata[key] == m.generation, vectors.metadata[key] == m.generation else { return nil }
        let ids = try passages.column("ids"), titles = try passages.column("titles"), texts = try passages.column("texts")
        let vcol = try vectors.column("vectors")
        guard ids.recordCount == m.passageCount, texts.recordCount == m.passageCount, titles.recordCount == m.passageCount,
              vcol.recordCount == m.passageCount else {
            throw RetrieverError.corruptIndex(
                directory: directory.path,
                reason: "retriever.json says \(m.passageCount) passages, passages/ has \(ids.recordCount), vectors/ \(vcol.recordCount)")
        }
        let index = try IndexBackends.open(directory: directory, manifest: m, vectors: vcol)
        guard IndexBackends.generation(of: index) ?? m.generation == m.generation else { return nil }
        guard index.count == m.passageCount, index.dimension == m.dimension else {
            throw RetrieverError.corruptIndex(
                directory: directory.path,
                reason: "the \(m.indexType.rawValue) index holds \(index.count) vectors of dimension \(index.dimension), "
                    + "expected \(m.passageCount) of \(m.dimension)")
        }
        return IndexSnapshot(manifest: m, passages: passages, vectors: vectors, index: index)
    }
}
