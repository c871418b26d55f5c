import Foundation

/// How token states become one vector (sentence-transformers `Pooling` + optional `Normalize`).
public struct PoolingConfiguration: Sendable, Equatable {
    /// Pooling modes this encoder supports.
    public enum Mode: String, Sendable { case mean, cls }
    public var mode: Mode
    /// L2-normalise the pooled vector.
    public var normalize: Bool
}

/// The parts of a sentence-transformers directory the encoder reads: `modules.json`,
/// the pooling module's `config.json`, and `sentence_bert_config.json` (`max_seq_length`).
struct SentenceTransformerConfiguration {
    var pooling: PoolingConfiguration
    var maxSequenceLength: Int?
    var lowercase: Bool

    static func load(directory: URL) throws -> SentenceTransformerConfiguration {
        let fm = FileManager.default
        let modulesURL = directory.appendingPathComponent("modules.json")
        var poolingPath = "1_Pooling"
        var normalize = false
        if fm.fileExists(atPath: modulesURL.path) {
            struct Module: Decodable { let path: String?; let type: String? }
            let modules: [Module]
            do { modules = try JSONDecoder().decode([Module].self, from: Data(contentsOf: modulesURL)) } catch {
                throw EncoderError.invalidConfiguration(path: modulesURL.path, reason: "\(error)")
            }
            for m in modules {
                let type = m.type ?? ""
                if type.hasSuffix("Pooling"), let p = m.path { poolingPath = p }
                if type.hasSuffix("Normalize") { normalize = true }
                if !(type.hasSuffix("Transformer") || type.hasSuffix("Pooling") || type.hasSuffix("Normalize")) {
                    throw EncoderError.invalidConfiguration(path: modulesURL.path,
                                                            reason: "module \(type) is not supported")
                }
            }
        }
        var mode = PoolingConfiguration.Mode.mean
        let poolingURL = directory.appendingPathComponent(poolingPath).appendingPathComponent("config.json")
        if fm.fileExists(atPath: poolingURL.path) {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(contentsOf: poolingURL)) as? [String: Any] else {
                throw EncoderError.invalidConfiguration(path: poolingURL.path, reason: "not a JSON object")
            }
            let cls = (obj["pooling_mode_cls_token"] as? Bool) ?? false
            let mean = (obj["pooling_mode_mean_tokens"] as? Bool) ?? false
            let others = ["pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens",
                          "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"]
                .filter { (obj[$0] as? Bool) ?? false }
            guard others.isEmpty, cls != mean else {
                throw EncoderError.invalidConfiguration(path: poolingURL.path,
                                                        reason: "exactly one of mean or CLS pooling must be on")
            }
            mode = cls ? .cls : .mean
        }
        var maxLength: Int?
        var lowercase = true
        let sbURL = directory.appendingPathComponent("sentence_bert_config.json")
        if let data = try? Data(contentsOf: sbURL),
           let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            maxLength = (obj["max_seq_length"] as? NSNumber)?.intValue
        }
        let tcURL = directory.appendingPathComponent("tokenizer_config.json")
        if let data = try? Data(contentsOf: tcURL),
           let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let lc = obj["do_lower_case"] as? Bool {
            lowercase = lc
        }
        return .init(pooling: .init(mode: mode, normalize: normalize), maxSequenceLength: maxLength, lowercase: lowercase)
    }
}
