import Foundation
import Testing
import TestSupport
import I3Encoder

/// A model trained by `i3 train` (Fixtures/training/tiny_trained, from tools/train/generate_trained_fixture.sh)
/// against the vectors sentence-transformers itself computed for it, and its I^3 head against Hugging Face
/// BertLayer modules: a model trained here is usable by the Python ecosystem, and encodes the same.
@Suite("Swift-trained model = sentence-transformers")
struct SentenceTransformersFixtureTests {
    static var dir: URL { FixturePaths.root.appendingPathComponent("training/tiny_trained") }

    static func rows(_ name: String) throws -> [[Float]] {
        let data = try Data(contentsOf: dir.appendingPathComponent(name))
        let f = data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
        }
        return stride(from: 0, to: f.count, by: 64).map { Array(f[$0..<($0 + 64)]) }
    }

    @Test("queries and passages within 1e-5 of SentenceTransformer(dir).encode; head within 1e-5 of BertLayer")
    func matches() throws {
        let t = try TrainingFixtures.texts()
        let plain = try DualEncoder(modelDirectory: Self.dir, options: .init(batchSize: 4, threads: 1))
        #expect(TrainingFixtures.maxAbsDiff(try plain.encodeQueries(t.queries), try Self.rows("st_query_vectors.f32")) < 1e-5)
        #expect(TrainingFixtures.maxAbsDiff(try plain.encodePassages(t.passages), try Self.rows("st_passage_vectors.f32")) < 1e-5)
        let withHead = try DualEncoder(modelDirectory: Self.dir, head: Self.dir.appendingPathComponent("i3_head.safetensors"),
                                       options: .init(batchSize: 4, threads: 1))
        #expect(TrainingFixtures.maxAbsDiff(try withHead.encodePassages(t.passages), try Self.rows("head_passage_vectors.f32")) < 1e-5)
        // the training changed the model: it is not the fixture it started from
        let start = try DualEncoder(modelDirectory: TrainingFixtures.tinyBase, options: .init(threads: 1))
        #expect(TrainingFixtures.maxAbsDiff(try start.encodePassages(t.passages), try plain.encodePassages(t.passages)) > 1e-3)
    }
}
