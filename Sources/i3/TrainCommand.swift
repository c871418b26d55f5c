import ArgumentParser
import Foundation
import I3Encoder
import DataSets
import Evaluation
import I3Retriever
import TerminalProgress
import I3Training

/// `i3 train`: fine-tune the dual encoder (optionally with the I^3 head) on queries + qrels.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the dual encoder (and optionally the I^3 head) on a collection, training queries and qrels.",
        discussion: """
        Inputs default to the dictionary task layout of --data (`i3 data dictionary`): collection.tsv, \
        queries.train.tsv / qrels.train.tsv for training and queries.dev.tsv / qrels.dev.tsv for model \
        selection (the test split is never read). Any MS MARCO-style TSV/qrels work with --collection, \
        --queries, --qrels, --dev-queries, --dev-qrels. Writes <out>/best and <out>/last (sentence-transformers \
        directories, plus i3_head.safetensors with --head), <out>/checkpoint.safetensors (resumable: run the \
        same command again after Ctrl-C or a kill), training_curve.svg and summary.json. See docs/training.md.
        """)

    @Option(name: .long, help: "Dictionary-task directory with collection.tsv, queries/qrels.{train,dev}.tsv.")
    var data: String?
    @Option(name: .long, help: "Passage collection TSV (id<TAB>text or id<TAB>title<TAB>text).")
    var collection: String?
    @Option(name: .long, help: "Training queries (qid<TAB>text).")
    var queries: String?
    @Option(name: .long, help: "Training qrels (qid 0 docid rel).")
    var qrels: String?
    @Option(name: .long, help: "Dev queries for model selection.")
    var devQueries: String?
    @Option(name: .long, help: "Dev qrels for model selection.")
    var devQrels: String?
    @Option(name: .long, help: "Base sentence-transformers model directory.")
    var model: String = ".models/all-MiniLM-L6-v2"
    @Option(name: .long, help: "Output directory.")
    var out: String

    @Flag(name: .long, help: "Train an I^3 head on the passage side (with reconstruction loss).")
    var head = false
    @Option(name: .long, help: "Start the head from this file instead of a new one.")
    var headFile: String?
    @Option(name: .long, help: "Reconstruction weight β (default: 10^-epoch, as the released code; 0 = off).")
    var beta: Float?
    @Option(name: .long, help: "Epochs.") var epochs = 1
    @Option(name: .long, help: "Queries per batch.") var batchSize = 16
    @Option(name: .long, help: "Hard negatives per query in each batch.") var hardNegatives = 1
    @Option(name: .long, help: "Mined hard-negative pool per query (base model's top non-relevant).") var negativePool = 20
    @Option(name: .long, help: "Peak learning rate of the towers.") var lr: Float = 2e-5
    @Option(name: .long, help: "Peak learning rate of the I^3 head layers.") var headLr: Float = 1e-3
    @Option(name: .long, help: "Warm-up fraction of all steps.") var warmup: Float = 0.1
    @Option(name: .long, help: "Gradient clipping (global L2 norm).") var clip: Float = 1
    @Option(name: .long, help: "Freeze the embeddings and the lowest N layers.") var freezeLayers = 0
    @Option(name: .long, help: "Maximum query tokens.") var maxQueryLength = 32
    @Option(name: .long, help: "Maximum passage tokens.") var maxPassageLength = 128
    @Option(name: .long, help: "Seed.") var seed: UInt64 = 0
    @Option(name: .long, help: "Threads (0 = all cores).") var threads = 0
    @Option(name: .long, help: "Stop after this many steps (a partial epoch).") var maxSteps: Int?
    @Option(name: .long, help: "Checkpoint every N steps.") var checkpointEvery = 200
    @Option(name: .long, help: "Print a loss line every N steps.") var logEvery = 10
    @Flag(name: .long, help: "Ignore an existing checkpoint and start over.") var restart = false

    func run() throws {
        func path(_ explicit: String?, _ name: String) throws -> URL {
            if let e = explicit { return URL(fileURLWithPath: e) }
            guard let d = data else { throw ValidationError("give --data or --\(name.split(separator: ".")[0])") }
            return URL(fileURLWithPath: d).appendingPathComponent(name)
        }
        do {
            let log: (String) -> Void = { FileHandle.standardError.write(Data(("i3 train: " + $0 + "\n").utf8)) }
            let passages = try Self.readCollection(try path(collection, "collection.tsv"))
            let trainQueries = try TrecFiles.readQueries(try path(queries, "queries.train.tsv"))
            let trainQrels = try TrecFiles.readQrels(try path(qrels, "qrels.train.tsv"))
            let devQ = try TrecFiles.readQueries(try path(devQueries, "queries.dev.tsv"))
            let devJ = try TrecFiles.readQrels(try path(devQrels, "qrels.dev.tsv"))
            log("\(passages.count) passages, \(trainQueries.count) training queries, \(devQ.count) dev queries")

            var o = TrainingOptions()
            o.epochs = epochs; o.batchSize = batchSize; o.hardNegatives = hardNegatives; o.negativePool = negativePool
            o.learningRate = lr; o.headLearningRate = headLr; o.warmupFraction = warmup; o.maxGradientNorm = clip
            o.reconstructionWeight = beta; o.frozenLayers = freezeLayers; o.maxQueryLength = maxQueryLength
            o.maxPassageLength = maxPassageLength; o.seed = seed; o.threads = threads; o.maxSteps = maxSteps
            o.checkpointEvery = checkpointEvery; o.resume = !restart
            var setup = ModelSetup()
            setup.head = head || headFile != nil
            setup.headFile = headFile.map { URL(fileURLWithPath: $0) }
            let outURL = URL(fileURLWithPath: out)
            if restart { try? FileManager.default.removeItem(at: outURL.appendingPathComponent("checkpoint.safetensors")) }
            let trainer = try Trainer(baseDirectory: URL(fileURLWithPath: model), setup: setup, options: o, output: outURL)
            log(String(format: "model: %d parameters (%.0f MB with gradients and AdamW moments)%@",
                       trainer.model.parameters.reduce(0) { $0 + $1.count }, Double(trainer.parameterBytes) / 1e6,
                       setup.head ? ", with I^3 head" : ""))
            let corpus = TrainingCorpus(passages: passages.map { IdentifiedText(id: $0.id, text: $0.encoderText) },
                                        queries: trainQueries.map { IdentifiedText(id: $0.id, text: $0.text) }, qrels: trainQrels)
            let set = try trainer.prepare(corpus, log: log)
            let devEval = Self.devEvaluator(passages: corpus.passages, queries: devQ, qrels: devJ, log: log)
            let cancel = CancellationFlag.installSignalHandlers()
            var bar: ProgressReporter?
            let logEvery = max(1, self.logEvery)
            let summary = try trainer.run(set, dev: devEval, progress: { p in
                if bar == nil { bar = ProgressReporter(label: "train", total: p.totalSteps, unit: "steps", startDone: p.step - 1) }
                bar?.update(done: p.step)
                if p.step % logEvery == 0 || p.step == p.totalSteps {
                    log(String(format: "step %d/%d epoch %d batch %d/%d loss %.4f (InfoNCE %.4f, rec %.3f) |g| %.2f lr %.2e  %.1f queries/s %.0f tokens/s ETA %.0f s",
                               p.step, p.totalSteps, p.epoch + 1, p.batch + 1, p.batchesPerEpoch, p.loss.total, p.loss.contrastive,
                               p.loss.reconstruction, p.gradientNorm, p.learningRate, p.examplesPerSecond, p.tokensPerSecond,
                               p.secondsRemaining))
                }
            }, log: log, shouldStop: { cancel.isSet })
            bar?.finish(done: summary.state.step)
            try TrainingCurvePlot.svg(state: summary.state, title: "i3 train: \(outURL.lastPathComponent)")
                .write(to: outURL.appendingPathComponent("training_curve.svg"), atomically: true, encoding: .utf8)
            let peak = Self.peakResidentBytes()
            let json: [String: Any] = [
                "steps": summary.state.step, "seconds": summary.seconds, "queries_per_second": summary.examplesPerSecond,
                "tokens_per_second": summary.tokensPerSecond, "best_dev_mrr10": summary.state.bestDev ?? NSNull(),
                "best_epoch": summary.state.bestEpoch ?? NSNull(), "dev_curve": summary.state.devCurve,
                "parameter_bytes": summary.parameterBytes, "peak_rss_bytes": peak ?? NSNull(),
                "options": String(describing: o), "head": setup.head,
            ]
            try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
                .write(to: outURL.appendingPathComponent("summary.json"))
            log(String(format: "done: %d steps, %.0f s, %.1f queries/s, %.0f tokens/s, best dev MRR@10 %@, peak RSS %@",
                       summary.state.step, summary.seconds, summary.examplesPerSecond, summary.tokensPerSecond,
                       summary.state.bestDev.map { String(format: "%.4f", $0) } ?? "-",
                       peak.map { String(format: "%.0f MB", Double($0) / 1e6) } ?? "-"))
            let fm = FileManager.default
            print(fm.fileExists(atPath: summary.bestModel.path) ? summary.bestModel.path : summary.lastModel.path)
        } catch let e as TrainingError {
            throw CLIError(e.description)
        } catch let e as RetrieverError {
            throw CLIError(e.description)
        } catch let e as EncoderError {
            throw CLIError(e.description)
        }
    }

    /// Peak resident set size (Linux `VmHWM`), nil elsewhere.
    static func peakResidentBytes() -> Int? {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kb * 1024
    }

    static func readCollection(_ url: URL) throws -> [Passage] {
        var reader = try PassageTSVReader(url: url)
        var out: [Passage] = []
        while let item = try reader.next() {
            switch item {
            case let .passage(p, _, _): out.append(p)
            case let .problem(p, _): throw CLIError("collection: \(p.description)")
            }
        }
        return out
    }

    /// Dev MRR@10 of an encoder: exact inner-product search over the whole collection.
    static func devEvaluator(passages: [IdentifiedText], queries: [Query], qrels: Qrels,
                             log: @escaping (String) -> Void) -> ((DualEncoder) throws -> Double)? {
        let judged = queries.filter { (qrels[$0.id] ?? [:]).values.contains { $0 > 0 } }
        guard !judged.isEmpty else { log("no dev queries with qrels: no model selection"); return nil }
        return { encoder in
            let pv = try encoder.encodePassages(passages.map(\.text))
            let qv = try encoder.encodeQueries(judged.map(\.text))
            let top = ExactSearch.topK(queries: qv, passages: pv, k: 10)
            var sum = 0.0
            for (q, hits) in zip(judged, top) {
                let ranked = hits.map { passages[Int($0.id)].id }
                sum += RetrievalMetrics.evaluate(ranked: ranked, judgments: qrels[q.id] ?? [:]).rr10
            }
            return sum / Double(judged.count)
        }
    }
}
