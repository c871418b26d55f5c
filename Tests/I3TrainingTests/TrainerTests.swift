import Foundation
import Testing
import TestSupport
@testable import I3Training
import I3Encoder

/// The training loop on the tiny fixture model (hidden 64, 2 layers): learning, determinism, resume.
@Suite("Trainer")
struct TrainerTests {
    static func corpus() throws -> TrainingCorpus {
        let t = try TrainingFixtures.texts()
        let passages = t.passages.enumerated().map { IdentifiedText(id: "p\($0.offset)", text: $0.element) }
        let queries = t.queries.enumerated().map { IdentifiedText(id: "q\($0.offset)", text: $0.element) }
        var qrels: [String: [String: Int]] = [:]
        for i in queries.indices { qrels["q\(i)"] = ["p\(i)": 1] }
        return TrainingCorpus(passages: passages, queries: queries, qrels: qrels)
    }

    static func options(epochs: Int = 3) -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs; o.batchSize = 3; o.hardNegatives = 1; o.negativePool = 2
        o.learningRate = 1e-3; o.headLearningRate = 1e-3; o.threads = 1; o.seed = 5
        o.checkpointEvery = 1
        o.maxQueryLength = 16; o.maxPassageLength = 48
        return o
    }

    static func setup(head: Bool) -> ModelSetup {
        var s = ModelSetup()
        s.head = head
        if head { s.headFile = TrainingFixtures.tinyHead }
        return s
    }

    @Test("training lowers the loss; dev selection keeps the best; outputs load")
    func learns() throws {
        let tmp = try TemporaryDirectory()
        let trainer = try Trainer(baseDirectory: TrainingFixtures.tinyBase, setup: Self.setup(head: true),
                                  options: Self.options(epochs: 4), output: tmp.url)
        let set = try trainer.prepare(try Self.corpus())
        #expect(set.examples.allSatisfy { $0.hardNegatives.count == 2 && !$0.hardNegatives.contains($0.positives[0]) })
        var losses: [Double] = []
        var evaluations = 0
        let summary = try trainer.run(set, dev: { _ in evaluations += 1; return Double(evaluations % 3) / 10 },
                                      progress: { losses.append($0.loss.contrastive) })
        #expect(losses.count == 8)
        #expect(losses.suffix(2).reduce(0, +) < losses.prefix(2).reduce(0, +))
        #expect(evaluations == 4)
        #expect(summary.state.bestDev == 0.2 && summary.state.bestEpoch == 2)
        #expect(summary.state.devCurve.count == 4)
        let enc = try DualEncoder(modelDirectory: trainer.bestModelURL,
                                  head: trainer.bestModelURL.appendingPathComponent(ModelExport.headFileName))
        #expect(try enc.encodePassages(["a dog"]).first?.count == 64)
    }

    @Test("two runs with the same seed and thread count give bit-identical weights")
    func deterministic() throws {
        func train() throws -> [[Float]] {
            let tmp = try TemporaryDirectory()
            let trainer = try Trainer(baseDirectory: TrainingFixtures.tinyBase, setup: Self.setup(head: true),
                                      options: Self.options(epochs: 2), output: tmp.url)
            _ = try trainer.run(try trainer.prepare(try Self.corpus()))
            return trainer.model.parameters.map(\.value.array)
        }
        #expect(try train() == (try train()))
    }

    @Test("stopped (Ctrl-C) after 2 steps, then resumed from the checkpoint: same weights as without a stop")
    func resume() throws {
        let full = try TemporaryDirectory(), split = try TemporaryDirectory()
        let a = try Trainer(baseDirectory: TrainingFixtures.tinyBase, setup: Self.setup(head: true), options: Self.options(),
                            output: full.url)
        _ = try a.run(try a.prepare(try Self.corpus()))

        let b = try Trainer(baseDirectory: TrainingFixtures.tinyBase, setup: Self.setup(head: true), options: Self.options(),
                            output: split.url)
        var steps = 0
        let first = try b.run(try b.prepare(try Self.corpus()), progress: { _ in steps += 1 }, shouldStop: { steps >= 2 })
        #expect(first.state.step == 2)
        // a stopped run leaves its current model, loadable
        _ = try DualEncoder(modelDirectory: b.lastModelURL, head: b.lastModelURL.appendingPathComponent(ModelExport.headFileName))
        let c = try Trainer(baseDirectory: TrainingFixtures.tinyBase, setup: Self.setup(head: true), options: Self.options(),
                            output: split.url)
        let second = try c.run(try c.prepare(try Self.corpus()))
        #expect(second.state.step == 6)
        #expect(c.model.parameters.map(\.value.array) == a.model.parameters.map(\.value.array))

        // a checkpoint written with other settings is refused, not silently mixed
        var other = Self.options()
        other.batchSize = 2
        let d = try Trainer(baseDirectory: TrainingFixtures.tinyBase, setup: Self.setup(head: true), options: other,
                            output: split.url)
        #expect(throws: TrainingError.self) { _ = try d.run(try d.prepare(try Self.corpus())) }
    }
}

/// Bad input gets a specific error and loses nothing.
@Suite("Trainer: bad input")
struct TrainerBadInputTests {
    @Test("queries without qrels, qrels naming unknown passages, empty training set")
    func corpusErrors() throws {
        let good = try TrainerTests.corpus()
        var noQrels = good
        noQrels.qrels["q2"] = nil
        #expect(throws: TrainingError.queriesWithoutQrels(count: 1, examples: ["q2"])) { _ = try noQrels.positives() }
        var onlyZero = good
        onlyZero.qrels["q3"] = ["p3": 0]
        #expect(throws: TrainingError.queriesWithoutQrels(count: 1, examples: ["q3"])) { _ = try onlyZero.positives() }
        var unknown = good
        unknown.qrels["q1"] = ["nope": 1]
        #expect(throws: TrainingError.unknownPassages(count: 1, examples: ["q1 → nope"])) { _ = try unknown.positives() }
        var empty = good
        empty.queries = []
        #expect(throws: TrainingError.self) { _ = try empty.positives() }
        empty = good
        empty.passages = []
        #expect(throws: TrainingError.self) { _ = try empty.positives() }

        let tmp = try TemporaryDirectory()
        let trainer = try Trainer(baseDirectory: TrainingFixtures.tinyBase, setup: ModelSetup(), options: TrainerTests.options(),
                                  output: tmp.url)
        #expect(throws: TrainingError.self) { _ = try trainer.run(TrainingSet(passages: [[2, 3]], examples: [])) }
        var bad = TrainerTests.options()
        bad.batchSize = 0
        #expect(throws: TrainingError.self) {
            _ = try Trainer(baseDirectory: TrainingFixtures.tinyBase, setup: ModelSetup(), options: bad, output: tmp.url)
        }
    }

    @Test("a head whose sizes do not match the base model is refused, naming the tensor")
    func headMismatch() throws {
        // a hidden-8 head (written from the tiny test model) on the hidden-64 fixture base
        let tmp = try TemporaryDirectory()
        let base = tmp.path("base8")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try JSONEncoder().encode(TinyModels.config).write(to: base.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(at: TrainingFixtures.tinyBase.appendingPathComponent("vocab.txt"),
                                         to: base.appendingPathComponent("vocab.txt"))
        let small = try ModelGradientTests.model(head: true)
        try ModelExport.write(small, baseDirectory: base, maxSequenceLength: 16, to: tmp.path("small"))
        var setup = ModelSetup()
        setup.head = true
        setup.headFile = tmp.path("small").appendingPathComponent(ModelExport.headFileName)
        do {
            _ = try TrainableDualEncoder(baseDirectory: TrainingFixtures.tinyBase, setup: setup,
                                         tokenizer: try TrainingFixtures.tokenizer(TrainingFixtures.tinyBase))
            Issue.record("a hidden-8 head loaded on a hidden-64 base")
        } catch let EncoderError.shapeMismatch(_, name, expected, found) {
            #expect(name.hasPrefix("c_head.0.") && expected.contains(64) && found.contains(8))
        }
    }

    @Test("NaN weights stop training naming step, epoch and batch; the last good checkpoint is kept and loads")
    func divergence() throws {
        let tmp = try TemporaryDirectory()
        let trainer = try Trainer(baseDirectory: TrainingFixtures.tinyBase, setup: TrainerTests.setup(head: true),
                                  options: TrainerTests.options(), output: tmp.url)
        let set = try trainer.prepare(try TrainerTests.corpus())
        let victim = trainer.model.passageTower.layers[1].feedForward.output.weight
        // and a loss that explodes: stopped at once, before any update
        var tight = TrainerTests.options()
        tight.divergenceLoss = 1e-6
        let t2 = try Trainer(baseDirectory: TrainingFixtures.tinyBase, setup: ModelSetup(), options: tight, output: tmp.path("t2"))
        do {
            _ = try t2.run(try t2.prepare(try TrainerTests.corpus()))
            Issue.record("an exploding loss did not stop training")
        } catch let TrainingError.divergence(step, _, batch, loss, checkpoint) {
            #expect(step == 1 && batch == 0 && loss > 1e-6 && checkpoint == nil)
        }
        do {
            _ = try trainer.run(set, progress: { p in if p.step == 2 { victim.value[0] = .nan } })
            Issue.record("training went on with a NaN weight")
        } catch let TrainingError.divergence(step, epoch, batch, _, checkpoint) {
            // found when step 2's checkpoint was about to be written: step 1's is kept
            #expect(step == 2 && epoch == 1 && batch == 1)
            #expect(checkpoint == trainer.checkpointURL.path)
        }
        let fresh = try Trainer(baseDirectory: TrainingFixtures.tinyBase, setup: TrainerTests.setup(head: true),
                                options: TrainerTests.options(), output: tmp.url)
        let state = try TrainingCheckpoint.load(from: trainer.checkpointURL, parameters: fresh.model.parameters,
                                                optimizer: AdamW(parameters: fresh.model.parameters))
        #expect(state.step == 1)
        #expect(fresh.model.parameters.allSatisfy { $0.value.allFinite })
    }
}
