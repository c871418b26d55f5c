import Foundation
import I3Encoder

/// Writes a trained model as a sentence-transformers directory (`config.json`, `vocab.txt`,
/// `model.safetensors`, `modules.json`, `1_Pooling/config.json`, `sentence_bert_config.json`, plus the
/// base model's tokenizer files) and, with a head, `i3_head.safetensors` beside it: the layout that
/// `DualEncoder(modelDirectory:head:)` and `SentenceTransformer(path)` load.
public enum ModelExport {
    /// File name of the head inside an exported directory.
    public static let headFileName = "i3_head.safetensors"

    /// Writes `model` into `directory` (replaced atomically: built in `<directory>.partial`, then swapped).
    /// `baseDirectory` supplies `config.json`, `vocab.txt` and the tokenizer files.
    public static func write(_ model: TrainableDualEncoder, baseDirectory: URL, maxSequenceLength: Int,
                             to directory: URL) throws {
        guard model.sharedTowers else {
            throw TrainingError.invalidOption("a sentence-transformers directory holds one tower; untied towers cannot be exported")
        }
        let fm = FileManager.default
        let partial = directory.deletingLastPathComponent().appendingPathComponent(directory.lastPathComponent + ".partial")
        func fail(_ e: Error) -> TrainingError {
            (e as? TrainingError) ?? .checkpointWrite(path: directory.path, reason: "\(e)")
        }
        do {
            if fm.fileExists(atPath: partial.path) { try fm.removeItem(at: partial) }
            try fm.createDirectory(at: partial.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
            for name in ["config.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json"] {
                let src = baseDirectory.appendingPathComponent(name)
                if fm.fileExists(atPath: src.path) { try fm.copyItem(at: src, to: partial.appendingPathComponent(name)) }
            }
            let tower = model.passageTower
            try SafetensorsWriter.write(tower.parameters.map { .init(name: $0.name, shape: $0.shape, values: $0.value) },
                                        metadata: ["format": "pt"], to: partial.appendingPathComponent("model.safetensors"))
            var modules: [[String: Any]] = [
                ["idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"],
                ["idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"],
            ]
            if tower.pooling.normalize {
                modules.append(["idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"])
                try fm.createDirectory(at: partial.appendingPathComponent("2_Normalize"), withIntermediateDirectories: true)
            }
            try json(modules, to: partial.appendingPathComponent("modules.json"))
            try json(["word_embedding_dimension": tower.config.hiddenSize,
                      "pooling_mode_cls_token": tower.pooling.mode == .cls,
                      "pooling_mode_mean_tokens": tower.pooling.mode == .mean,
                      "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false],
                     to: partial.appendingPathComponent("1_Pooling/config.json"))
            try json(["max_seq_length": maxSequenceLength, "do_lower_case": false],
                     to: partial.appendingPathComponent("sentence_bert_config.json"))
            if let head = model.head {
                try SafetensorsWriter.write(head.parameters.map { .init(name: $0.name, shape: $0.shape, values: $0.value) },
                                            metadata: ["format": "pt", "i3.pseudo_query_length": "\(head.pseudoQueryLength)",
                                                       "i3.num_attention_heads": "\(head.heads)"],
                                            to: partial.appendingPathComponent(headFileName))
            }
            // swap: old → .old, partial → directory, drop .old
            let old = directory.deletingLastPathComponent().appendingPathComponent(directory.lastPathComponent + ".old")
            if fm.fileExists(atPath: old.path) { try fm.removeItem(at: old) }
            if fm.fileExists(atPath: directory.path) { try fm.moveItem(at: directory, to: old) }
            try fm.moveItem(at: partial, to: directory)
            if fm.fileExists(atPath: old.path) { try fm.removeItem(at: old) }
        } catch {
            try? fm.removeItem(at: partial)
            throw fail(error)
        }
    }

    private static func json(_ object: Any, to url: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: url, options: .atomic)
    }
}
