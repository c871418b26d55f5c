import ArgumentParser
import DataSets
import Dispatch
import Foundation
import I3Retriever
#if canImport(Glibc)
import Glibc
import TerminalProgress
#endif

/// `i3 index`: encode a passage TSV and build a persistent index directory.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index a passage collection (id<TAB>text or id<TAB>title<TAB>text).",
        discussion: """
        The directory is written atomically: work goes to <out>.partial/ and is renamed into place when done. \
        Ctrl-C (or a kill) keeps the completed shards; rerun with --resume to continue.
        """)

    @Argument(help: "Passage TSV file.")
    var passages: String

    @Option(name: .long, help: "Output index directory.")
    var out: String

    @Option(name: .long, help: "Encoder model directory (default: $I3_MODEL_DIR or .models/all-MiniLM-L6-v2); 'hashed-bow[:d]' for the lexical test encoder.")
    var model: String?

    @Option(name: .long, help: "Projection head file.")
    var head: String?

    @Option(name: .long, help: "Vector index: hnsw, ivfpq or flat.")
    var index: String = "hnsw"

    @Option(name: .long, help: "Passages per encoder batch.")
    var batchSize = 64

    @Option(name: .long, help: "Passages per work shard (the unit of --resume).")
    var shardSize = 4096

    @Option(name: .long, help: "Threads (0: all cores).")
    var threads = 0

    @Option(name: .long, help: "HNSW: M.")
    var hnswM: Int?

    @Option(name: .long, help: "HNSW: efConstruction.")
    var efConstruction: Int?

    @Option(name: .long, help: "IVF-PQ: number of lists (default about 4*sqrt(n)).")
    var nlist: Int?

    @Option(name: .long, help: "IVF-PQ: sub-quantizers (default dimension/8).")
    var subquantizers: Int?

    @Option(name: .long, help: "HNSW and IVF-PQ: fit the search settings (ef; nprobe and re-ranking depth) so that recall@100 against exact search reaches this on 256 pseudo-queries drawn from the collection, and store the recall curve that `i3 search --target-recall` reads (0: no fit; default 0.99).")
    var targetRecall = 0.99

    @Option(name: .long, help: "Reuse the vectors of this index directory (same encoder) for unchanged passages instead of encoding them.")
    var reuseVectors: String?

    @Flag(name: .long, help: "Skip malformed lines and write <out>/skipped.tsv instead of stopping.")
    var skipMalformed = false

    @Flag(name: .long, help: "Continue an interrupted build from <out>.partial/.")
    var resume = false

    @Flag(name: .long, help: "Replace an existing index directory.")
    var overwrite = false

    func run() throws {
        guard let type = IndexType(rawValue: index) else {
            throw ValidationError("--index must be hnsw, ivfpq or flat, got \(index)")
        }
        // With --reuse-vectors and no --model, use the donor's recorded encoder.
        var model = self.model
        var head = self.head
        if model == nil, let donor = reuseVectors,
           let m = try? IndexManifest.read(from: URL(fileURLWithPath: donor)), let path = m.modelPath {
            model = path
            if head == nil { head = m.headPath }
        }
        let encoder: any TextEncoding
        do { encoder = try EncoderLoader.load(model: model, head: head, batchSize: batchSize, threads: threads) } catch let e as RetrieverError {
            throw CLIError(e)
        }
        var o = IndexBuildOptions()
        o.indexType = type
        o.batchSize = batchSize
        o.shardPassages = shardSize
        o.skipMalformed = skipMalformed
        o.resume = resume
        o.overwrite = overwrite
        o.threads = threads
        o.reuseVectorsFrom = reuseVectors.map { URL(fileURLWithPath: $0) }
        o.hnswM = hnswM
        o.hnswEfConstruction = efConstruction
        o.ivfLists = nlist
        o.ivfSubquantizers = subquantizers
        o.targetRecall = targetRecall > 0 ? targetRecall : nil
        let modelName = model ?? EncoderLoader.defaultModelDirectory.path
        o.modelPath = modelName.hasPrefix(EncoderLoader.hashedPrefix) ? modelName : URL(fileURLWithPath: modelName).standardizedFileURL.path
        o.headPath = head.map { URL(fileURLWithPath: $0).standardizedFileURL.path }

        let cancel = CancellationFlag.installSignalHandlers()
        let started = Date()
        let outURL = URL(fileURLWithPath: out)
        let result: IndexBuilder.Result
        do {
            result = try IndexBuilder.build(
                collection: URL(fileURLWithPath: passages), output: outURL, encoder: encoder, options: o,
                progress: { total, done in ProgressReporter(label: "encoding", total: total, startDone: done) },
                log: { FileHandle.standardError.write(Data(("i3 index: " + $0 + "\n").utf8)) },
                isCancelled: { cancel.isSet })
        } catch RetrieverError.cancelled(let partial) {
            // Exit as a shell expects of a program stopped by a signal: 128 + the signal number.
            FileHandle.standardError.write(Data("i3 index: stopped; completed shards are kept in \(partial) (rerun with --resume)\n".utf8))
            throw ExitCode(128 + (cancel.signal ?? SIGINT))
        } catch let e as RetrieverError {
            throw CLIError(e)
        }
        let m = result.manifest
        print("""
        indexed \(m.passageCount) passages into \(out) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s
          index \(m.indexType.rawValue), \(m.dimension)-d, metric \(m.metric.rawValue), encoder \(m.modelName)
        """)
        if let r = result.skipReport { print("  skipped \(result.skippedCount) malformed lines; report: \(r.path)") }
    }
}
