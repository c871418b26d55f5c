import DataSets
import Foundation
import IndexCore
import ShardStore
import TerminalProgress
import VectorKernels

/// Builds a persistent index directory from a passage TSV file.
///
/// The collection is read twice, streamed: first to validate every line (so a malformed file stops
/// the build before anything is encoded or committed), then to encode. Encoded passages go into
/// work shards of `shardPassages` passages under `<out>.partial/parts/`; each shard is committed
/// atomically and `progress.json` records it, so an interrupted build resumes after its last completed
/// shard. At the end the shards are merged into `passages/` and `vectors/`, the vector index is built,
/// and the finished directory is renamed into place in one step: `<out>` is never half-written.
public enum IndexBuilder {
    /// What a build did.
    public struct Result: Sendable {
        public var manifest: IndexManifest
        /// The first malformed lines skipped (at most `CollectionScan.keptProblems`; empty unless
        /// skipping was allowed).
        public var skipped: [TSVProblem]
        /// Every malformed line skipped, counted.
        public var skippedCount: Int
        /// The skip report, when lines were skipped.
        public var skipReport: URL?
        /// Shards that were already done when this run started (resume).
        public var resumedShards: Int
    }

    /// The work directory of a build of `output`.
    public static func partialDirectory(for output: URL) -> URL {
        URL(fileURLWithPath: output.standardizedFileURL.path + ".partial", isDirectory: true)
    }

    /// Builds `output` from `collection` with `encoder`.
    /// - Parameters:
    ///   - progress: makes the progress display from (total passages, already done); nil: none.
    ///   - log: one-line messages.
    ///   - isCancelled: polled between batches; when it returns true the build stops, keeping the
    ///     completed shards, and throws `RetrieverError.cancelled`.
    @discardableResult
    public static func build(collection: URL, output: URL, encoder: any TextEncoding, options: IndexBuildOptions = .init(),
                             progress: ((Int, Int) -> ProgressReporter)? = nil,
                             log: (String) -> Void = { _ in },
                             isCancelled: () -> Bool = { false }) throws -> Result {
        let fm = FileManager.default
        guard options.batchSize > 0, options.shardPassages > 0 else {
            throw RetrieverError.invalidArgument("batch size and shard size must be positive")
        }
        let output = output.standardizedFileURL
        let lock = try BuildLock(output: output)
        defer { withExtendedLifetime(lock) {} }
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: output.path, isDirectory: &isDirectory) {
            guard options.overwrite else {
                throw RetrieverError.outputExists(path: output.path, reason: "already exists; build with overwrite to replace it (atomically)")
            }
            // Overwriting replaces an index directory, never anything else.
            guard isDirectory.boolValue else {
                throw RetrieverError.outputExists(path: output.path, reason: "is a file, not an index directory; refusing to replace it")
            }
            guard fm.fileExists(atPath: output.appendingPathComponent(IndexManifest.fileName).path) else {
                throw RetrieverError.outputExists(path: output.path, reason: """
                    is not an index directory (it has no \(IndexManifest.fileName)); refusing to replace it
                    """)
            }
        }
        let partial = partialDirectory(for: output)
        let metric = encoder.metric

        // Pass 1: validate.
        log("validating \(collection.path)")
        let scan = try CollectionScan.scan(collection, maxLineBytes: options.maxLineBytes)
        if !scan.problems.isEmpty, !options.skipMalformed {
            throw RetrieverError.malformedInput(path: collection.path, problems: Array(scan.problems.prefix(20)), total: scan.problemCount)
        }
        guard scan.passageCount > 0 else {
            throw RetrieverError.invalidArgument("\(collection.path) holds no valid passages")
        }
        if options.indexType == .ivfpq, scan.passageCount < 256 {
            throw RetrieverError.invalidArgument(
                "IVF-PQ needs at least 256 passages to train its product quantizer (256 codewords); "
                    + "\(collection.path) has \(scan.passageCount): use the HNSW or flat index")
        }
        log("\(scan.passageCount) passages\(scan.problems.isEmpty ? "" : ", \(scan.problemCount) malformed lines skipped")")
        if let h = scan.headerLine { log("line \(h) is a column header; skipped") }
        if scan.emptyTexts > 0 { log("\(scan.emptyTexts) passages have an empty text (indexed by their title, if any)") }

        let attributes = try? fm.attributesOfItem(atPath: collection.path)
        let sourceBytes = (attributes?[.size] as? NSNumber)?.uint64Value ?? 0
        let sourceModified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        var state = BuildProgressFile(source: collection.standardizedFileURL.path, sourceBytes: sourceBytes,
                                      sourceModified: sourceModified, modelIdentity: encoder.identity,
                                      dimension: encoder.dimension, shardPassages: options.shardPassages,
                                      skipMalformed: options.skipMalformed, indexType: options.indexType,
                                      completedShards: 0, passagesDone: 0, nextOffset: 0, nextLine: 1)
        let parts = partial.appendingPathComponent("parts", isDirectory: true)
        var resumed = 0
        if options.resume, let saved = try BuildProgressFile.read(partial) {
            var expected = saved
            expected.completedShards = state.completedShards
            expected.passagesDone = state.passagesDone
            expected.nextOffset = state.nextOffset
            expected.nextLine = state.nextLine
            guard expected == state else {
                throw RetrieverError.resumeMismatch(partialDirectory: partial.path, reason: """
                    it was made from another collection file, encoder or settings (it has \(saved.source), \
                    model \(saved.modelIdentity), shard size \(saved.shardPassages), index \(saved.indexType.rawValue))
                    """)
            }
            state = saved
            resumed = saved.completedShards
            // Shards after the recorded ones were not confirmed (a kill between commit and record).
            if let names = try? fm.contentsOfDirectory(atPath: parts.path) {
                for n in names where partNumber(n).map({ $0 >= saved.completedShards }) ?? true {
                    try? fm.removeItem(at: parts.appendingPathComponent(n))
                }
            }
            log("resuming after shard \(saved.completedShards) (\(saved.passagesDone) passages done)")
        } else {
            if options.resume { log("no partial build at \(partial.path); starting from the beginning") }
            if fm.fileExists(atPath: partial.path) { try remove(partial) }
            try createDirectory(parts)
            try state.write(partial)
        }
        try? fm.removeItem(at: partial.appendingPathComponent("final"))

        // Pass 2: encode shard by shard.
        let donor = try options.reuseVectorsFrom.map { try VectorDonor(directory: $0, encoder: encoder) }
        let reporter = progress?(scan.passageCount, state.passagesDone)
        var reader = try PassageTSVReader(url: collection, startOffset: state.nextOffset, startLine: state.nextLine,
                                          duplicates: scan.duplicates, maxLineBytes: options.maxLineBytes)
        var shard: [Passage] = []
        var boundary = (offset: state.nextOffset, line: state.nextLine)
        while true {
            let item = try reader.next()
            switch item {
            case let .passage(p, line, end)?:
                shard.append(p)
                boundary = (end, line + 1)
            case let .problem(p, end)?:
                boundary = (end, p.line + 1)
            case nil:
                break
            }
            if shard.count == options.shardPassages || (item == nil && !shard.isEmpty) {
                try writePart(number: state.completedShards, passages: shard, into: parts, encoder: encoder,
                              chunk: encodingChunk(options), doneBefore: state.passagesDone, reporter: reporter,
                              donor: donor, isCancelled: isCancelled, partial: partial)
                state.completedShards += 1
                state.passagesDone += shard.count
                state.nextOffset = boundary.offset
                state.nextLine = boundary.line
                try state.write(partial)
                shard.removeAll(keepingCapacity: true)
            }
            if item == nil { break }
        }
        reporter?.finish(done: state.passagesDone)
        guard state.passagesDone == scan.passageCount else {
            throw RetrieverError.invalidArgument("""
                \(collection.path) changed while indexing: \(state.passagesDone) passages encoded, \(scan.passageCount) validated
                """)
        }

        // Merge the shards, build the index, publish.
        let staging = partial.appendingPathComponent("final", isDirectory: true)
        try createDirectory(staging)
        log("building the \(options.indexType.rawValue) index over \(state.passagesDone) vectors")
        let generation = UUID().uuidString
        let settings = try mergeParts(count: state.completedShards, parts: parts, staging: staging,
                                      dimension: encoder.dimension, metric: metric, options: options,
                                      total: state.passagesDone, generation: generation, log: log)
        let formatter = ISO8601DateFormatter()
        var manifest = IndexManifest(formatVersion: IndexManifest.currentVersion, modelIdentity: encoder.identity,
                                     modelName: encoder.displayName, modelPath: options.modelPath, headPath: options.headPath,
                                     metric: metric, dimension: encoder.dimension, indexType: options.indexType,
                                     passageCount: state.passagesDone, skippedLines: scan.problemCount,
                                     source: collection.standardizedFileURL.path, createdAt: formatter.string(from: Date()),
                                     indexSettings: settings)
        manifest.generation = generation
        try manifest.write(to: staging)
        var reportURL: URL? = nil
        if !scan.problems.isEmpty {
            let u = staging.appendingPathComponent("skipped.tsv")
            try scan.writeReport(collection: collection, to: u)
            reportURL = output.appendingPathComponent("skipped.tsv")
        }
        try publish(staging, to: output)
        try? fm.removeItem(at: partial)
        return Result(manifest: manifest, skipped: scan.problems, skippedCount: scan.problemCount, skipReport: reportURL, resumedShards: resumed)
    }

    static func partNumber(_ name: String) -> Int? {
        guard name.hasPrefix("part-") else { return nil }
        return Int(name.dropFirst(5))
    }

    static func partName(_ n: Int) -> String {
        let s = String(n)
        return "part-" + String(repeating: "0", count: max(0, 5 - s.count)) + s
    }

    /// Passages handed to the encoder per call: four batches per thread, so that its workers get
    /// batches of similar cost. (One batch per call split in two halves by length left one thread with
    /// the long half: 65 passages/s on 2 cores where the encoder alone ran 106.)
    static func encodingChunk(_ options: IndexBuildOptions) -> Int {
        let threads = options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
        return max(1, options.batchSize) * 4 * max(1, threads)
    }

    private static func writePart(number: Int, passages: [Passage], into parts: URL, encoder: any TextEncoding,
                                  chunk batchSize: Int, doneBefore: Int, reporter: ProgressReporter?, donor: VectorDonor?,
                                  isCancelled: () -> Bool, partial: URL) throws {
        let dir = parts.appendingPathComponent(partName(number), isDirectory: true)
        try? FileManager.default.removeItem(at: dir)
        var w = try ShardWriter(directory: dir, kind: "i3.retriever.part", metadata: ["passages": String(passages.count)])
        try w.addColumn("ids", type: .utf8, recordLength: nil)
        try w.addColumn("titles", type: .utf8, recordLength: nil)
        try w.addColumn("texts", type: .utf8, recordLength: nil)
        try w.addColumn("vectors", type: .float32, recordLength: encoder.dimension)
        var done = 0
        for start in stride(from: 0, to: passages.count, by: batchSize) {
            if isCancelled() { throw RetrieverError.cancelled(partialDirectory: partial.path) }
            let batch = passages[start ..< min(start + batchSize, passages.count)]
            var vectors = try batch.map { try donor?.vector(for: $0) }
            let missing = vectors.indices.filter { vectors[$0] == nil }
            if !missing.isEmpty {
                let encoded: [[Float]]
                do { encoded = try encoder.encodePassages(missing.map { batch[batch.startIndex + $0].encoderText }) } catch {
                    throw RetrieverError.encoding("passages \(batch.first?.id ?? "")…\(batch.last?.id ?? ""): \(error)")
                }
                guard encoded.count == missing.count else {
                    throw RetrieverError.encoding("the encoder returned \(encoded.count) vectors for \(missing.count) passages")
                }
                for (i, v) in zip(missing, encoded) { vectors[i] = v }
            }
            var flat: [Float] = []
            flat.reserveCapacity(batch.count * encoder.dimension)
            for (p, vector) in zip(batch, vectors) {
                let v = vector ?? []
                guard v.count == encoder.dimension else {
                    throw RetrieverError.encoding("passage \(p.id): vector of \(v.count) components, expected \(encoder.dimension)")
                }
                guard v.allSatisfy({ $0.isFinite }) else {
                    throw RetrieverError.encoding("passage \(p.id): the vector holds NaN or infinity")
                }
                flat.append(contentsOf: v)
                try w.appendRecord(string: p.id, to: "ids")
                try w.appendRecord(string: p.title ?? "", to: "titles")
                try w.appendRecord(string: p.text, to: "texts")
            }
            try w.append(floats: flat, to: "vectors")
            done += batch.count
            reporter?.update(done: doneBefore + done)
        }
        try w.commit()
    }

    private static func mergeParts(count: Int, parts: URL, staging: URL, dimension: Int, metric: Metric,
                                   options: IndexBuildOptions, total: Int, generation: String,
                                   log: (String) -> Void) throws -> [String: String] {
        var passages = try ShardWriter(directory: staging.appendingPathComponent("passages", isDirectory: true), kind: "i3.passages",
                                       metadata: ["count": String(total), IndexManifest.generationKey: generation])
        try passages.addColumn("ids", type: .utf8, recordLength: nil)
        try passages.addColumn("titles", type: .utf8, recordLength: nil)
        try passages.addColumn("texts", type: .utf8, recordLength: nil)
        var vectors = try ShardWriter(directory: staging.appendingPathComponent("vectors", isDirectory: true), kind: "i3.vectors",
                                      metadata: ["dimension": String(dimension), "metric": metric.rawValue,
                                                 IndexManifest.generationKey: generation])
        try vectors.addColumn("vectors", type: .float32, recordLength: dimension)
        let construction = try IndexBackends.construction(type: options.indexType, dimension: dimension, metric: metric,
                                                          options: options, expectedCount: total)
        let partURLs = (0..<count).map { parts.appendingPathComponent(partName($0), isDirectory: true) }
        if let c = construction, c.needsTraining {
            // An evenly spaced sample over all shards, bounded by ivfTrainingSample.
            let step = max(1, total / max(1, options.ivfTrainingSample))
            var sample: [Float] = []
            var row = 0
            for u in partURLs {
                let v = try ShardReader(directory: u).column("vectors")
                for i in 0..<v.recordCount {
                    if row % step == 0 { sample.append(contentsOf: try v.floats(record: i)) }
                    row += 1
                }
            }
            log("training on \(sample.count / dimension) vectors")
            try c.train(sample)
        }
        var next: UInt64 = 0
        for u in partURLs {
            let r = try ShardReader(directory: u)
            let ids = try r.column("ids"), titles = try r.column("titles"), texts = try r.column("texts")
            let vcol = try r.column("vectors")
            guard ids.recordCount == vcol.recordCount, titles.recordCount == vcol.recordCount, texts.recordCount == vcol.recordCount else {
                throw RetrieverError.corruptIndex(directory: u.path, reason: "work shard columns have different lengths")
            }
            for i in 0..<ids.recordCount {
                try passages.appendRecord(string: try ids.string(record: i), to: "ids")
                try passages.appendRecord(string: try titles.string(record: i), to: "titles")
                try passages.appendRecord(string: try texts.string(record: i), to: "texts")
            }
            let block = try vcol.allFloats()
            try vectors.append(floats: block, to: "vectors")
            let n = vcol.recordCount
            try construction?.add(block, ids: (0..<n).map { next + UInt64($0) }, threads: options.threads)
            next += UInt64(n)
        }
        try passages.commit()
        try vectors.commit()
        try construction?.finish()
        try construction?.save(to: staging.appendingPathComponent(options.indexType.rawValue, isDirectory: true),
                               metadata: ["producer": "I3Retriever", IndexManifest.generationKey: generation])
        return construction?.settings ?? [:]
    }

    /// Moves `staging` to `output` in one rename; an existing `output` is swapped out first and removed after.
    static func publish(_ staging: URL, to output: URL) throws {
        let fm = FileManager.default
        try createDirectory(output.deletingLastPathComponent())
        if fm.fileExists(atPath: output.path) {
            let old = URL(fileURLWithPath: output.path + ".replaced-\(UUID().uuidString)")
            do { try fm.moveItem(at: output, to: old) } catch {
                throw RetrieverError.io(path: output.path, reason: "cannot move the old index aside: \(error.localizedDescription)")
            }
            do { try fm.moveItem(at: staging, to: output) } catch {
                try? fm.moveItem(at: old, to: output)
                throw RetrieverError.io(path: output.path, reason: "cannot move the new index into place: \(error.localizedDescription)")
            }
            try? fm.removeItem(at: old)
        } else {
            do { try fm.moveItem(at: staging, to: output) } catch {
                throw RetrieverError.io(path: output.path, reason: "cannot move the new index into place: \(error.localizedDescription)")
            }
        }
    }

    static func createDirectory(_ u: URL) throws {
        do { try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true) } catch {
            throw RetrieverError.io(path: u.path, reason: "cannot create directory: \(error.localizedDescription)")
        }
    }

    static func remove(_ u: URL) throws {
        do { try FileManager.default.removeItem(at: u) } catch {
            throw RetrieverError.io(path: u.path, reason: "cannot remove: \(error.localizedDescription)")
        }
    }
}
