import Foundation
import Testing
import TestSupport
@testable import I3Encoder

/// Broken files and awkward text give a clear error or a defined result, never a crash.
@Suite("Encoder bad input")
struct BadInputTests {
    /// A copy of the tiny sentence-transformers directory that a test may damage.
    func tinyCopy() throws -> TemporaryDirectory {
        let tmp = try TemporaryDirectory(prefix: "i3enc")
        let src = EncoderFixtures.tinyI3.appendingPathComponent("st")
        for name in ["config.json", "model.safetensors", "vocab.txt", "modules.json", "sentence_bert_config.json"] {
            try FileManager.default.copyItem(at: src.appendingPathComponent(name), to: tmp.path(name))
        }
        try FileManager.default.createDirectory(at: tmp.path("1_Pooling"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: src.appendingPathComponent("1_Pooling/config.json"),
                                         to: tmp.path("1_Pooling/config.json"))
        return tmp
    }

    func loadError(_ dir: URL) -> EncoderError? {
        do { _ = try DualEncoder(modelDirectory: dir); return nil } catch let e as EncoderError { return e } catch {
            return .invalidOption("unexpected error type \(error)")
        }
    }

    @Test("a truncated safetensors file is a malformed-file error")
    func truncated() throws {
        let tmp = try tinyCopy()
        let url = tmp.path("model.safetensors")
        let data = try Data(contentsOf: url)
        for cut in [0, 5, 8, 100, data.count / 2, data.count - 1] {
            try data.prefix(cut).write(to: url)
            let e = loadError(tmp.url)
            guard case .malformedSafetensors(let path, let reason)? = e else {
                Issue.record("cut at \(cut): \(String(describing: e))"); continue
            }
            #expect(path == url.path)
            #expect(!reason.isEmpty)
        }
    }

    @Test("a corrupt header (bad JSON, offsets past the end, wrong byte size, unknown dtype) is an error")
    func corruptHeader() throws {
        func file(_ header: String, dataBytes: Int) -> Data {
            var d = Data()
            let h = Array(header.utf8)
            withUnsafeBytes(of: UInt64(h.count).littleEndian) { d.append(contentsOf: $0) }
            d.append(contentsOf: h)
            d.append(Data(count: dataBytes))
            return d
        }
        let tmp = try TemporaryDirectory(prefix: "i3st")
        let cases: [(String, Int)] = [
            ("{not json", 0),
            (#"{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#, 8),
            (#"{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 12]}}"#, 16),
            (#"{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, 4),
            (#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}}"#, 8),
            ("[1, 2]", 0),
        ]
        for (i, (header, n)) in cases.enumerated() {
            let url = tmp.path("bad\(i).safetensors")
            try file(header, dataBytes: n).write(to: url)
            #expect(throws: EncoderError.self, "case \(i)") { try SafetensorsFile(url: url) }
        }
        let url = tmp.path("f8.safetensors")
        try file(#"{"a": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}}"#, dataBytes: 1).write(to: url)
        #expect(throws: EncoderError.unsupportedDType(path: url.path, tensor: "a", dtype: "F8_E4M3")) {
            try SafetensorsFile(url: url)
        }
        let i64 = tmp.path("i64.safetensors")
        try file(#"{"a": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}"#, dataBytes: 8).write(to: i64)
        let f = try SafetensorsFile(url: i64)
        #expect(throws: EncoderError.unsupportedDType(path: i64.path, tensor: "a", dtype: "I64")) { try f.floats("a") }
        #expect(throws: EncoderError.missingTensor(path: i64.path, name: "b")) { try f.floats("b") }
    }

    @Test("a config whose sizes do not match the weights names the tensor")
    func configMismatch() throws {
        let tmp = try tinyCopy()
        let url = tmp.path("config.json")
        var obj = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        obj["intermediate_size"] = 100
        try JSONSerialization.data(withJSONObject: obj).write(to: url)
        let e = loadError(tmp.url)
        guard case .shapeMismatch(_, let name, let expected, let found)? = e else {
            Issue.record("got \(String(describing: e))"); return
        }
        #expect(name == "encoder.layer.0.intermediate.dense.weight")
        #expect(expected == [100, 64] && found == [128, 64])

        obj["intermediate_size"] = 128
        obj["num_hidden_layers"] = 1
        try JSONSerialization.data(withJSONObject: obj).write(to: url)
        guard case .invalidConfiguration? = loadError(tmp.url) else { Issue.record("extra layers accepted"); return }

        obj["num_hidden_layers"] = 2
        obj["num_attention_heads"] = 5
        try JSONSerialization.data(withJSONObject: obj).write(to: url)
        guard case .invalidConfiguration? = loadError(tmp.url) else { Issue.record("heads not dividing hidden accepted"); return }

        try Data("{\"hidden_size\": \"big\"}".utf8).write(to: url)
        guard case .invalidConfiguration? = loadError(tmp.url) else { Issue.record("bad JSON types accepted"); return }
    }

    @Test("a vocabulary without [UNK], or larger than the model's, is a clear error")
    func badVocabulary() throws {
        let tmp = try tinyCopy()
        let url = tmp.path("vocab.txt")
        let vocab = try String(contentsOf: url, encoding: .utf8)
        try vocab.replacingOccurrences(of: "[UNK]\n", with: "").write(to: url, atomically: true, encoding: .utf8)
        guard case .tokenizer(_, let reason)? = loadError(tmp.url) else { Issue.record("missing [UNK] accepted"); return }
        #expect(reason.contains("[UNK]"))
        try (vocab + "extra1\nextra2\n").write(to: url, atomically: true, encoding: .utf8)
        guard case .invalidConfiguration? = loadError(tmp.url) else { Issue.record("oversized vocabulary accepted"); return }
    }

    @Test("awkward text: empty, whitespace, invalid UTF-8, control characters, 1 MB")
    func awkwardText() throws {
        let dir = EncoderFixtures.tinyI3
        let encoder = try DualEncoder(i3Checkpoint: dir.appendingPathComponent("model.safetensors"),
                                      vocabulary: dir.appendingPathComponent("vocab.txt"))
        let invalid = String(decoding: [0x61, 0xFF, 0xFE, 0x62, 0xC3], as: UTF8.self)
        let texts = ["", " \t\n", invalid, "\u{0}\u{1}\u{FFFD}", String(repeating: "word ", count: 200_000)]
        let p = try encoder.encodePassages(texts)
        let q = try encoder.encodeQueries(texts)
        #expect(p.count == texts.count && q.count == texts.count)
        for v in p + q { #expect(v.count == 64 && v.allSatisfy { $0.isFinite }) }
        #expect(encoder.tokenize("") == [2, 3])
        #expect(encoder.tokenize(texts[4]).count == encoder.maxPassageLength)
        #expect(EncoderFixtures.maxAbsDiff(p[0], p[1]) < 1e-5)   // both are just [CLS] [SEP]
    }

    @Test("bad options are rejected")
    func badOptions() {
        let dir = EncoderFixtures.tinyI3
        #expect(throws: EncoderError.self) {
            try DualEncoder(modelDirectory: dir.appendingPathComponent("st"), options: .init(batchSize: 0))
        }
        #expect(throws: EncoderError.self) {
            try DualEncoder(modelDirectory: dir.appendingPathComponent("st"), options: .init(maxPassageLength: 10_000))
        }
        #expect(throws: EncoderError.self) { try DualEncoder(modelDirectory: dir.appendingPathComponent("missing")) }
    }
}
