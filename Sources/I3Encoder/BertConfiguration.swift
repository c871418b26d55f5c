import Foundation

/// A BERT `config.json` (Hugging Face `BertConfig`), with the library's defaults for absent keys.
public struct BertConfiguration: Codable, Sendable, Equatable {
    public var vocabularySize: Int = 30522
    public var hiddenSize: Int = 768
    public var layerCount: Int = 12
    public var headCount: Int = 12
    public var intermediateSize: Int = 3072
    public var maxPositionEmbeddings: Int = 512
    public var typeVocabularySize: Int = 2
    public var layerNormEpsilon: Float = 1e-12
    public var hiddenActivation: String = "gelu"
    public var positionEmbeddingType: String = "absolute"

    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size", hiddenSize = "hidden_size", layerCount = "num_hidden_layers"
        case headCount = "num_attention_heads", intermediateSize = "intermediate_size"
        case maxPositionEmbeddings = "max_position_embeddings", typeVocabularySize = "type_vocab_size"
        case layerNormEpsilon = "layer_norm_eps", hiddenActivation = "hidden_act"
        case positionEmbeddingType = "position_embedding_type"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = BertConfiguration()
        vocabularySize = try c.decodeIfPresent(Int.self, forKey: .vocabularySize) ?? d.vocabularySize
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
        layerCount = try c.decodeIfPresent(Int.self, forKey: .layerCount) ?? d.layerCount
        headCount = try c.decodeIfPresent(Int.self, forKey: .headCount) ?? d.headCount
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? d.maxPositionEmbeddings
        typeVocabularySize = try c.decodeIfPresent(Int.self, forKey: .typeVocabularySize) ?? d.typeVocabularySize
        layerNormEpsilon = try c.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? d.layerNormEpsilon
        hiddenActivation = try c.decodeIfPresent(String.self, forKey: .hiddenActivation) ?? d.hiddenActivation
        positionEmbeddingType = try c.decodeIfPresent(String.self, forKey: .positionEmbeddingType) ?? d.positionEmbeddingType
    }

    /// Decodes and validates JSON text (`source` names it in errors).
    public static func decode(_ data: Data, source: String) throws -> BertConfiguration {
        let config: BertConfiguration
        do { config = try JSONDecoder().decode(BertConfiguration.self, from: data) } catch {
            throw EncoderError.invalidConfiguration(path: source, reason: "\(error)")
        }
        try config.validate(source: source)
        return config
    }

    /// Reads `config.json`.
    public static func load(_ url: URL) throws -> BertConfiguration {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EncoderError.invalidConfiguration(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, source: url.path)
    }

    /// Checks that sizes are positive and consistent and that the model is one this encoder runs.
    public func validate(source: String) throws {
        func bad(_ r: String) -> EncoderError { .invalidConfiguration(path: source, reason: r) }
        for (name, v) in [("vocab_size", vocabularySize), ("hidden_size", hiddenSize), ("num_hidden_layers", layerCount),
                          ("num_attention_heads", headCount), ("intermediate_size", intermediateSize),
                          ("max_position_embeddings", maxPositionEmbeddings), ("type_vocab_size", typeVocabularySize)]
        where v <= 0 || v > 1 << 24 {
            throw bad("\(name) = \(v) is out of range")
        }
        guard hiddenSize % headCount == 0 else {
            throw bad("hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(headCount)")
        }
        guard hiddenActivation == "gelu" else { throw bad("hidden_act \(hiddenActivation) is not supported (only exact gelu)") }
        guard positionEmbeddingType == "absolute" else {
            throw bad("position_embedding_type \(positionEmbeddingType) is not supported (only absolute)")
        }
        guard layerNormEpsilon > 0, layerNormEpsilon.isFinite else { throw bad("layer_norm_eps must be positive") }
    }

    /// Size of one attention head.
    public var headSize: Int { hiddenSize / headCount }
}
