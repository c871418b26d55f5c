import CBLAS
import Foundation
import I3Encoder
import VectorKernels
import WordPieceTokenizer

/// Trains a dual encoder (optionally with the I^3 head) from a sentence-transformers base model on
/// training queries and qrels, with InfoNCE over in-batch and mined hard negatives (+ β·L_rec), AdamW
/// with warm-up and linear decay, gradient clipping, a resumable checkpoint and per-epoch dev selection.
///
/// Output directory layout:
///
///     checkpoint.safetensors   parameters + AdamW moments + state (atomic; resume reads it)
///     mined_negatives.json     the base model's hard negatives (reused on resume)
///     last/  best/             sentence-transformers directories (+ i3_head.safetensors with a head)
///
/// Deterministic for a given seed and thread count: the batch order of epoch e is a seeded shuffle,
/// hard negatives are taken from the mined pool in turn, and BLAS runs with a fixed thread count.
public final class Trainer {
    public let model: TrainableDualEncoder
    public let options: TrainingOptions
    public let setup: ModelSetup
    let baseDirectory: URL
    let output: URL
    let baseEncoder: DualEncoder
    let optimizer: AdamW

    public var checkpointURL: URL { output.appendingPathComponent("checkpoint.safetensors") }
    public var bestModelURL: URL { output.appendingPathComponent("best") }
    public var lastModelURL: URL { output.appendingPathComponent("last") }

    public init(baseDirectory: URL, setup: ModelSetup, options: TrainingOptions, output: URL) throws {
        try options.validate()
        guard !setup.untiedTowers else {
            // TrainableDualEncoder runs untied towers, but the checkpoint and the sentence-transformers
            // export hold one tower's tensor names; see docs/training.md (limitations).
            throw TrainingError.invalidOption("untied query/passage towers are not supported by the trainer yet")
        }
        self.options = options
        self.setup = setup
        self.baseDirectory = baseDirectory
        self.output = output
        let encoderOptions = EncoderOptions(batchSize: 32, threads: options.threads, maxQueryLength: options.maxQueryLength,
                                            maxPassageLength: options.maxPassageLength)
        baseEncoder = try DualEncoder(modelDirectory: baseDirectory, options: encoderOptions)
        let tokenizer = try BertTokenizer(vocabularyURL: baseDirectory.appendingPathComponent("vocab.txt"))
        var s = setup
        s.seed = options.seed
        model = try TrainableDualEncoder(baseDirectory: baseDirectory, setup: s, tokenizer: tokenizer)
        guard options.frozenLayers <= model.queryTower.config.layerCount else {
            throw TrainingError.invalidOption("cannot freeze \(options.frozenLayers) of \(model.queryTower.config.layerCount) layers")
        }
        model.queryTower.freeze(lowestLayers: options.frozenLayers)
        model.passageTower.freeze(lowestLayers: options.frozenLayers)
        var adam = AdamW.Settings()
        adam.weightDecay = options.weightDecay
        optimizer = AdamW(parameters: model.parameters, settings: adam)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    }

    /// Bytes of parameters, gradients and the two AdamW moments (4 floats per parameter).
    public var parameterBytes: Int { model.parameters.reduce(0) { $0 + $1.count } * 16 }

    /// Tokenises the corpus with the base model's tokenizer and mines `negativePool` hard negatives per
    /// query with the base model (cached in `mined_negatives.json`). Checks the qrels first.
    public func prepare(_ corpus: TrainingCorpus, log: ((String) -> Void)? = nil) throws -> TrainingSet {
        let positives = try corpus.positives()
        let passages = corpus.passages.map { baseEncoder.tokenize($0.text) }
        let queries = corpus.queries.map { baseEncoder.tokenizeQuery($0.text) }
        var negatives = [[Int]](repeating: [], count: queries.count)
        if options.hardNegatives > 0 {
            let cache = output.appendingPathComponent("mined_negatives.json")
            struct Mined: Codable { var passages: Int; var queries: [String]; var depth: Int; var negatives: [[Int]] }
            if let data = try? Data(contentsOf: cache), let m = try? JSONDecoder().decode(Mined.self, from: data),
               m.passages == passages.count, m.queries == corpus.queries.map(\.id), m.depth == options.negativePool {
                negatives = m.negatives
                log?("hard negatives: reusing \(cache.path)")
            } else {
                log?("hard negatives: encoding \(passages.count) passages and \(queries.count) queries with the base model")
                let pv = try baseEncoder.encodePassages(corpus.passages.map(\.text))
                let qv = try baseEncoder.encodeQueries(corpus.queries.map(\.text))
                negatives = HardNegativeMiner.mine(queryVectors: qv, passageVectors: pv, positives: positives,
                                                   depth: options.negativePool)
                let m = Mined(passages: passages.count, queries: corpus.queries.map(\.id), depth: options.negativePool,
                              negatives: negatives)
                try JSONEncoder().encode(m).write(to: cache, options: .atomic)
            }
        }
        let examples = queries.indices.map {
            TrainingExample(query: queries[$0], positives: positives[$0], hardNegatives: negatives[$0])
        }
        return TrainingSet(passages: passages, examples: examples)
    }

    /// The settings a checkpoint must share to be resumed.
    func fingerprint(_ set: TrainingSet) -> String {
        let o = options
        return ["seed=\(o.seed)", "batch=\(o.batchSize)", "neg=\(o.hardNegatives)/\(o.negativePool)", "epochs=\(o.epochs)",
                "frozen=\(o.frozenLayers)", "head=\(model.head != nil)", "untied=\(!model.sharedTowers)",
                "examples=\(set.examples.count)", "passages=\(set.passages.count)"].joined(separator: ",")
    }

    /// Batch `b` of epoch `epoch` (deterministic).
    func batch(_ b: Int, epoch: Int, order: [Int], set: TrainingSet) -> TrainingBatch {
        let lo = b * options.batchSize, hi = min(order.count, lo + options.batchSize)
        var queries: [[Int32]] = [], passages: [[Int32]] = [], targets: [[Int32]] = []
        let n = set.passages.count
        for k in lo..<hi {
            let ex = set.examples[order[k]]
            queries.append(ex.query)
            let pos = ex.positives[epoch % ex.positives.count]
            passages.append(set.passages[pos])
            // reconstruction target: the query's word pieces without [CLS]/[SEP]
            targets.append(Array(ex.query.dropFirst().dropLast()))
            for j in 0..<options.hardNegatives {
                var neg: Int
                if !ex.hardNegatives.isEmpty {
                    neg = ex.hardNegatives[(epoch * options.hardNegatives + j) % ex.hardNegatives.count]
                } else {
                    var rng = SeededRandom(seed: options.seed &+ UInt64(order[k]) &* 7919 &+ UInt64(epoch * 131 + j))
                    neg = Int(rng.next() % UInt64(n))
                    if ex.positives.contains(neg) { neg = (neg + 1) % n }
                }
                passages.append(set.passages[neg])
                targets.append([])
            }
        }
        return TrainingBatch(queries: queries, passages: passages, group: 1 + options.hardNegatives, targets: targets)
    }

    /// Trains. `dev` scores a loaded encoder (dev MRR@10) after each epoch: the best is kept in `best/`.
    /// `shouldStop` is polled between steps (Ctrl-C): the run saves its checkpoint and returns.
    public func run(_ set: TrainingSet, dev: ((DualEncoder) throws -> Double)? = nil,
                    progress: ((TrainingProgress) -> Void)? = nil, log: ((String) -> Void)? = nil,
                    shouldStop: () -> Bool = { false }) throws -> TrainingSummary {
        guard !set.examples.isEmpty else { throw TrainingError.emptyTrainingSet("no training examples") }
        let batchesPerEpoch = (set.examples.count + options.batchSize - 1) / options.batchSize
        let scheduleSteps = batchesPerEpoch * options.epochs
        let schedule = LearningRateSchedule(warmupSteps: Int((Float(scheduleSteps) * options.warmupFraction).rounded()),
                                            totalSteps: scheduleSteps)
        let stopStep = min(scheduleSteps, options.maxSteps ?? scheduleSteps)
        let params = model.parameters
        var state = TrainingState()
        state.fingerprint = fingerprint(set)
        var lastCheckpoint: String?
        let fm = FileManager.default
        if options.resume, fm.fileExists(atPath: checkpointURL.path) {
            let loaded = try TrainingCheckpoint.load(from: checkpointURL, parameters: params, optimizer: optimizer)
            guard loaded.fingerprint == state.fingerprint else {
                throw TrainingError.badCheckpoint(path: checkpointURL.path,
                                                  reason: "written with other settings (\(loaded.fingerprint)); now \(state.fingerprint)")
            }
            state = loaded
            lastCheckpoint = checkpointURL.path
            log?("resuming at step \(state.step) (epoch \(state.epoch + 1), batch \(state.batch))")
        }
        let threads = options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
        // Training splits every op over `threads` workers with BLAS on one thread per call
        // (`ParallelChunks`; process-wide, documented); the previous settings are restored when it
        // returns, so other users of BLAS get theirs back.
        let threading = ParallelChunks.enter(workers: threads)
        defer { threading.restore() }
        TrainingMemory.keepFreedBuffers()
        let start = Date()
        var done = 0, tokens = 0
        func saveCheckpoint() throws {
            // never replace a good checkpoint with non-finite weights
            guard params.allSatisfy({ $0.value.allFinite }) else {
                throw TrainingError.divergence(step: state.step, epoch: state.epoch + 1, batch: max(0, state.batch - 1),
                                               loss: .nan, checkpoint: lastCheckpoint)
            }
            try TrainingCheckpoint.save(parameters: params, optimizer: optimizer, state: state, to: checkpointURL)
            lastCheckpoint = checkpointURL.path
        }
        var exported = false
        func exportLast() throws {
            try ModelExport.write(model, baseDirectory: baseDirectory, maxSequenceLength: options.maxPassageLength, to: lastModelURL)
            exported = true
        }
        func evaluateAndKeep(epochLabel: Double) throws {
            exported = true
            try ModelExport.write(model, baseDirectory: baseDirectory, maxSequenceLength: options.maxPassageLength, to: lastModelURL)
            if let dev {
                let encoder = try DualEncoder(modelDirectory: lastModelURL,
                                              head: model.head == nil ? nil : lastModelURL.appendingPathComponent(ModelExport.headFileName),
                                              options: EncoderOptions(threads: options.threads, maxQueryLength: options.maxQueryLength,
                                                                      maxPassageLength: options.maxPassageLength))
                let score = try dev(encoder)
                state.devCurve.append([epochLabel, score])
                log?(String(format: "dev MRR@10 after epoch %.2f: %.4f", epochLabel, score))
                if state.bestDev.map({ score > $0 }) ?? true {
                    state.bestDev = score
                    state.bestEpoch = Int(epochLabel.rounded(.up))
                    try ModelExport.write(model, baseDirectory: baseDirectory, maxSequenceLength: options.maxPassageLength,
                                          to: bestModelURL)
                }
            } else {
                try ModelExport.write(model, baseDirectory: baseDirectory, maxSequenceLength: options.maxPassageLength, to: bestModelURL)
            }
        }

        epochs: while state.epoch < options.epochs, state.step < stopStep {
            let epoch = state.epoch
            var rng = SeededRandom(seed: options.seed &+ UInt64(epoch) &* 0x9E37_79B9)
            var order = Array(0..<set.examples.count)
            order.shuffle(using: &rng)
            let beta = model.head == nil ? 0 : options.beta(epoch: epoch)
            while state.batch < batchesPerEpoch {
                if shouldStop() {
                    try saveCheckpoint()
                    try exportLast()
                    log?("stopped at step \(state.step); checkpoint saved and the model written to \(lastModelURL.path); run again to resume")
                    break epochs
                }
                let b = state.batch
                let batch = self.batch(b, epoch: epoch, order: order, set: set)
                model.zeroGradients()
                let loss = try model.accumulateGradients(batch, beta: beta)
                let norm = clipGradients(params, maxNorm: options.maxGradientNorm)
                guard loss.total.isFinite, loss.total <= options.divergenceLoss, norm.isFinite else {
                    throw TrainingError.divergence(step: state.step + 1, epoch: epoch + 1, batch: b,
                                                   loss: norm.isFinite ? loss.total : .nan, checkpoint: lastCheckpoint)
                }
                let factor = schedule.factor(step: state.step + 1)
                optimizer.update { $0 == .head ? self.options.headLearningRate * factor : self.options.learningRate * factor }
                state.step += 1
                state.batch += 1
                state.lossCurve.append([Double(state.step), loss.total])
                done += batch.queries.count
                tokens += batch.queries.reduce(0) { $0 + $1.count } + batch.passages.reduce(0) { $0 + $1.count }
                let elapsed = max(1e-9, Date().timeIntervalSince(start))
                let perStep = elapsed / Double(max(1, done)) * Double(options.batchSize)
                progress?(TrainingProgress(step: state.step, totalSteps: stopStep, epoch: epoch, batch: b,
                                           batchesPerEpoch: batchesPerEpoch, loss: loss, gradientNorm: norm,
                                           learningRate: options.learningRate * factor,
                                           examplesPerSecond: Double(done) / elapsed, tokensPerSecond: Double(tokens) / elapsed,
                                           secondsRemaining: perStep * Double(stopStep - state.step)))
                if state.step >= stopStep {
                    try saveCheckpoint()
                    try evaluateAndKeep(epochLabel: Double(epoch) + Double(state.batch) / Double(batchesPerEpoch))
                    try saveCheckpoint()
                    break epochs
                }
                if state.step % options.checkpointEvery == 0 { try saveCheckpoint() }
            }
            state.epoch += 1
            state.batch = 0
            try saveCheckpoint()
            try evaluateAndKeep(epochLabel: Double(state.epoch))
            try saveCheckpoint()
        }
        // a resume that had nothing left to do (e.g. --max-steps at or below the checkpoint's step) still
        // leaves the current model in last/
        if !exported { try exportLast() }
        let seconds = Date().timeIntervalSince(start)
        return TrainingSummary(state: state, bestModel: bestModelURL, lastModel: lastModelURL, steps: done / max(1, options.batchSize),
                               seconds: seconds, examplesPerSecond: Double(done) / max(1e-9, seconds),
                               tokensPerSecond: Double(tokens) / max(1e-9, seconds), parameterBytes: parameterBytes)
    }
}
