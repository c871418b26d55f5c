import Foundation
import Testing
import TestSupport
@testable import I3Training
import I3Encoder
import WordPieceTokenizer

enum TrainingFixtures {
    static var tinyI3: URL { FixturePaths.root.appendingPathComponent("encoder/i3_tiny") }
    static var tinyBase: URL { tinyI3.appendingPathComponent("st") }
    static var tinyHead: URL { tinyI3.appendingPathComponent("head.safetensors") }

    struct Texts: Decodable { let queries: [String]; let passages: [String] }
    static func texts() throws -> Texts {
        try JSONDecoder().decode(Texts.self, from: Data(contentsOf: tinyI3.appendingPathComponent("texts.json")))
    }

    static func tokenizer(_ dir: URL) throws -> BertTokenizer {
        try BertTokenizer(vocabularyURL: dir.appendingPathComponent("vocab.txt"))
    }

    static func maxAbsDiff(_ a: [[Float]], _ b: [[Float]]) -> Float {
        guard a.count == b.count else { return .infinity }
        var m: Float = 0
        for (x, y) in zip(a, b) {
            guard x.count == y.count else { return .infinity }
            for (u, v) in zip(x, y) { m = max(m, abs(u - v)) }
        }
        return m
    }
}

/// The training forward pass equals the inference encoder on the same weights.
@Suite("Training forward = I3Encoder inference")
struct ParityTests {
    @Test("tiny I^3 fixture (CLS pooling + head): passage and query vectors within 1e-5 of DualEncoder")
    func tinyI3() throws {
        var setup = ModelSetup()
        setup.head = true
        setup.headFile = TrainingFixtures.tinyHead
        let model = try TrainableDualEncoder(baseDirectory: TrainingFixtures.tinyBase, setup: setup,
                                             tokenizer: try TrainingFixtures.tokenizer(TrainingFixtures.tinyBase))
        #expect(model.head?.heads == 4 && model.head?.pseudoQueryLength == 32)
        let inference = try DualEncoder(modelDirectory: TrainingFixtures.tinyBase, head: TrainingFixtures.tinyHead,
                                        options: .init(batchSize: 3, threads: 1))
        let t = try TrainingFixtures.texts()
        let p = model.encodePassages(t.passages.map(inference.tokenize))
        let q = model.encodeQueries(t.queries.map(inference.tokenizeQuery))
        let refP = try inference.encodePassages(t.passages), refQ = try inference.encodeQueries(t.queries)
        #expect(TrainingFixtures.maxAbsDiff(p, refP) < 1e-5)
        #expect(TrainingFixtures.maxAbsDiff(q, refQ) < 1e-5)
    }

    @Test("all-MiniLM-L6-v2 (mean pooling + L2): within 1e-5 of DualEncoder",
          .enabled(if: FixturePaths.miniLM != nil, "all-MiniLM-L6-v2 not installed"))
    func miniLM() throws {
        let dir = try #require(FixturePaths.miniLM)
        let model = try TrainableDualEncoder(baseDirectory: dir, setup: ModelSetup(), tokenizer: try TrainingFixtures.tokenizer(dir))
        #expect(model.scale == 20)
        let inference = try DualEncoder(modelDirectory: dir, options: .init(batchSize: 4, threads: 1, maxPassageLength: 64))
        let t = try TrainingFixtures.texts()
        let p = model.encodePassages(t.passages.map(inference.tokenize))
        #expect(TrainingFixtures.maxAbsDiff(p, try inference.encodePassages(t.passages)) < 1e-5)
    }
}

/// Save and load: the exported directory loads in DualEncoder and as a training base, unchanged.
@Suite("Save / load round trips")
struct RoundTripTests {
    static func trainedTiny(steps: Int) throws -> TrainableDualEncoder {
        var setup = ModelSetup()
        setup.head = true
        setup.headFile = TrainingFixtures.tinyHead
        let tok = try TrainingFixtures.tokenizer(TrainingFixtures.tinyBase)
        let model = try TrainableDualEncoder(baseDirectory: TrainingFixtures.tinyBase, setup: setup, tokenizer: tok)
        let inf = try DualEncoder(modelDirectory: TrainingFixtures.tinyBase)
        let t = try TrainingFixtures.texts()
        let batch = TrainingBatch(queries: t.queries.prefix(3).map(inf.tokenizeQuery),
                                  passages: t.passages.prefix(6).map(inf.tokenize), group: 2,
                                  targets: [[5, 99], [], [93], [], [104], []])
        let adam = AdamW(parameters: model.parameters)
        for _ in 0..<steps {
            model.zeroGradients()
            _ = try model.accumulateGradients(batch, beta: 0.1)
            adam.update { $0 == .head ? 1e-3 : 1e-3 }
        }
        return model
    }

    @Test("export → DualEncoder(modelDirectory:head:) encodes as the training model; reload is bit-identical")
    func exportAndReload() throws {
        let model = try Self.trainedTiny(steps: 2)
        let tmp = try TemporaryDirectory()
        let out = tmp.path("model")
        try ModelExport.write(model, baseDirectory: TrainingFixtures.tinyBase, maxSequenceLength: 48, to: out)
        for f in ["config.json", "vocab.txt", "model.safetensors", "modules.json", "1_Pooling/config.json",
                  "sentence_bert_config.json", ModelExport.headFileName] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), "\(f)")
        }
        let encoder = try DualEncoder(modelDirectory: out, head: out.appendingPathComponent(ModelExport.headFileName),
                                      options: .init(threads: 1))
        let t = try TrainingFixtures.texts()
        let p = model.encodePassages(t.passages.map(encoder.tokenize))
        #expect(TrainingFixtures.maxAbsDiff(p, try encoder.encodePassages(t.passages)) < 1e-5)

        var setup = ModelSetup()
        setup.head = true
        setup.headFile = out.appendingPathComponent(ModelExport.headFileName)
        let again = try TrainableDualEncoder(baseDirectory: out, setup: setup, tokenizer: try TrainingFixtures.tokenizer(out))
        #expect(again.parameters.map(\.name) == model.parameters.map(\.name))
        for (a, b) in zip(again.parameters, model.parameters) { #expect(a.value.array == b.value.array, "\(a.name)") }
        // exporting again over an existing directory replaces it
        try ModelExport.write(model, baseDirectory: TrainingFixtures.tinyBase, maxSequenceLength: 48, to: out)
        #expect(!FileManager.default.fileExists(atPath: out.path + ".partial"))
    }

    @Test("checkpoint save → load restores parameters, moments and state; a failed write keeps the old one")
    func checkpoint() throws {
        let model = try Self.trainedTiny(steps: 1)
        let adam = AdamW(parameters: model.parameters)
        model.zeroGradients()
        for p in model.parameters { for i in 0..<min(3, p.count) { p.gradient[i] = 0.5 } }
        adam.update { _ in 1e-2 }
        var state = TrainingState()
        state.step = 7; state.epoch = 1; state.batch = 3; state.bestDev = 0.25; state.fingerprint = "x"
        let tmp = try TemporaryDirectory()
        let url = tmp.path("checkpoint.safetensors")
        try TrainingCheckpoint.save(parameters: model.parameters, optimizer: adam, state: state, to: url)
        let saved = model.parameters.map(\.value.array)

        // a full disk while writing the next checkpoint: error, old file intact, no partial file left
        for p in model.parameters { p.value[0] += 1 }
        var other = state
        other.step = 8
        #expect(throws: TrainingError.self) {
            try TrainingCheckpoint.save(parameters: model.parameters, optimizer: adam, state: other, to: url, failAfterBytes: 4096)
        }
        #expect(!FileManager.default.fileExists(atPath: url.path + ".partial"))

        let fresh = try Self.trainedTiny(steps: 0)
        let adam2 = AdamW(parameters: fresh.parameters)
        let loaded = try TrainingCheckpoint.load(from: url, parameters: fresh.parameters, optimizer: adam2)
        #expect(loaded == state)
        #expect(adam2.step == 1)
        #expect(fresh.parameters.map(\.value.array) == saved)
        #expect(zip(adam.first, adam2.first).allSatisfy { $0.array == $1.array })
        #expect(zip(adam.second, adam2.second).allSatisfy { $0.array == $1.array })

        // a checkpoint of another model is refused
        let plain = try TrainableDualEncoder(baseDirectory: TrainingFixtures.tinyBase, setup: ModelSetup(),
                                             tokenizer: try TrainingFixtures.tokenizer(TrainingFixtures.tinyBase))
        #expect(throws: TrainingError.self) {
            _ = try TrainingCheckpoint.load(from: url, parameters: plain.parameters, optimizer: AdamW(parameters: plain.parameters))
        }
    }
}
