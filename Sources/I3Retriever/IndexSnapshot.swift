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

    /// How many consecutive attempts may find the same disagreement of generations before the directory
    /// is called corrupt: a publish in progress changes what is seen within two renames, a damaged or
    /// hand-assembled directory never does (about 0.1 s of waiting; it used to be all 200 attempts, 2 s).
    static let unchangedMismatchLimit = 20

    /// Opens a consistent snapshot of `directory`. `manifest` is a `retriever.json` the caller has read
    /// already (used for the first attempt); `check` runs on each manifest before the parts are opened.
    static func open(directory: URL, manifest given: IndexManifest?,
                     check: (IndexManifest) throws -> Void = { _ in }) throws -> IndexSnapshot {
        var lastError: (any Error)?
        var lastMismatch: String?
        var unchanged = 0
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
            let found: Attempt
            do {
                found = try openParts(directory: directory, manifest: tried)
            } catch {
                // A part that is missing or unreadable is a real problem unless the directory was replaced
                // meanwhile (a new generation is there now): then look again.
                lastError = error
                let now = try? IndexManifest.read(from: directory)
                if let now, now.generation == tried.generation { throw error }
                continue
            }
            switch found {
            case .opened(let s): return s
            case .mismatch(let seen):
                unchanged = seen == lastMismatch ? unchanged + 1 : 1
                lastMismatch = seen
                if unchanged >= unchangedMismatchLimit {
                    throw RetrieverError.corruptIndex(
                        directory: directory.path,
                        reason: "its parts come from different builds (\(seen)), unchanged over \(unchanged) attempts")
                }
                lastError = RetrieverError.corruptIndex(
                    directory: directory.path, reason: "its parts come from different builds and kept changing while it was opened")
            }
        }
        throw lastError ?? RetrieverError.corruptIndex(directory: directory.path, reason: "cannot be opened")
    }

    /// What one attempt found: the parts, or the generations seen when one of them belongs to another build.
    private enum Attempt {
        case opened(IndexSnapshot)
        case mismatch(String)
    }

    /// The parts for `m`, or `.mismatch` naming the generations when one of them belongs to another build.
    private static func openParts(directory: URL, manifest m: IndexManifest) throws -> Attempt {
        let key = IndexManifest.generationKey
        let passages = try ShardReader(directory: directory.appendingPathComponent("passages", isDirectory: true))
        let vectors = try ShardReader(directory: directory.appendingPathComponent("vectors", isDirectory: true))
        func seen(index: String?) -> String {
            "retriever.json \(m.generation ?? "none"), passages/ \(passages.metadata[key] ?? "none"), vectors/ \(vectors.metadata[key] ?? "none")"
                + (index.map { ", index \($0)" } ?? "")
        }
        guard passages.metadata[key] == m.generation, vectors.metadata[key] == m.generation else { return .mismatch(seen(index: nil)) }
        let ids = try passages.column("ids"), titles = try passages.column("titles"), texts = try passages.column("texts")
        let vcol = try vectors.column("vectors")
        guard ids.recordCount == m.passageCount, texts.recordCount == m.passageCount, titles.recordCount == m.passageCount,
              vcol.recordCount == m.passageCount else {
            throw RetrieverError.corruptIndex(
                directory: directory.path,
                reason: "retriever.json says \(m.passageCount) passages, passages/ has \(ids.recordCount), vectors/ \(vcol.recordCount)")
        }
        let index = try IndexBackends.open(directory: directory, manifest: m, vectors: vcol)
        if let g = IndexBackends.generation(of: index), g != m.generation { return .mismatch(seen(index: g)) }
        guard index.count == m.passageCount, index.dimension == m.dimension else {
            throw RetrieverError.corruptIndex(
                directory: directory.path,
                reason: "the \(m.indexType.rawValue) index holds \(index.count) vectors of dimension \(index.dimension), "
                    + "expected \(m.passageCount) of \(m.dimension)")
        }
        return .opened(IndexSnapshot(manifest: m, passages: passages, vectors: vectors, index: index))
    }
}
