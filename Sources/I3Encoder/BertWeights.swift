import Foundation

/// A linear layer `y = x·Wᵀ + b` with PyTorch's `[out, in]` row-major weight.
struct Linear: @unchecked Sendable {
    let weight: UnsafePointer<Float>
    let bias: UnsafePointer<Float>
    let inFeatures: Int
    let outFeatures: Int
}

/// LayerNorm scale and shift.
struct LayerNormWeights: @unchecked Sendable {
    let gamma: UnsafePointer<Float>
    let beta: UnsafePointer<Float>
    let count: Int
}

/// One post-LN BERT layer: self-attention and the feed-forward block.
struct BertLayerWeights: Sendable {
    let query, key, value, attentionOutput: Linear
    let attentionNorm: LayerNormWeights
    let intermediate, output: Linear
    let outputNorm: LayerNormWeights
}

/// The cross-attention block of a decoder layer (`crossattention.*`, the I^3 reconstructor). With one
/// memory vector the attention weights are exactly 1, so only the value and output maps take part.
struct CrossAttentionWeights: Sendable {
    let value, output: Linear
    let norm: LayerNormWeights
}

/// Embedding tables.
struct BertEmbeddingWeights: Sendable {
    let word: FloatTensor, position: FloatTensor, tokenType: FloatTensor
    let norm: LayerNormWeights
}

/// Reads tensors by name from a safetensors file, checks their shapes, and records which names
/// were used so that leftovers can be reported.
final class TensorLoader {
    let file: SafetensorsFile
    private(set) var used: Set<String> = []
    /// Keeps converted storage and the mapping alive.
    private(set) var owners: [any AnyObject & Sendable] = []

    init(file: SafetensorsFile) { self.file = file }

    func tensor(_ name: String, shape: [Int]) throws -> FloatTensor {
        guard let info = file.tensors[name] else { throw EncoderError.missingTensor(path: file.path, name: name) }
        guard info.shape == shape else {
            throw EncoderError.shapeMismatch(path: file.path, name: name, expected: shape, found: info.shape)
        }
        let t = try file.floats(info)
        used.insert(name)
        owners.append(t.owner)
        return t
    }

    func shape(_ name: String) throws -> [Int] {
        guard let info = file.tensors[name] else { throw EncoderError.missingTensor(path: file.path, name: name) }
        return info.shape
    }

    func has(_ name: String) -> Bool { file.tensors[name] != nil }

    func linear(_ prefix: String, in inF: Int, out outF: Int) throws -> Linear {
        let w = try tensor(prefix + ".weight", shape: [outF, inF])
        let b = try tensor(prefix + ".bias", shape: [outF])
        return Linear(weight: w.pointer, bias: b.pointer, inFeatures: inF, outFeatures: outF)
    }

    func layerNorm(_ prefix: String, count: Int) throws -> LayerNormWeights {
        let g = try tensor(prefix + ".weight", shape: [count])
        let b = try tensor(prefix + ".bias", shape: [count])
        return LayerNormWeights(gamma: g.pointer, beta: b.pointer, count: count)
    }

    /// A BERT layer under `prefix` (e.g. `encoder.layer.3`); `cross` loads `crossattention.*` too.
    func layer(_ prefix: String, hidden: Int, intermediate: Int) throws -> BertLayerWeights {
        let p = prefix + "."
        return BertLayerWeights(
            query: try linear(p + "attention.self.query", in: hidden, out: hidden),
            key: try linear(p + "attention.self.key", in: hidden, out: hidden),
            value: try linear(p + "attention.self.value", in: hidden, out: hidden),
            attentionOutput: try linear(p + "attention.output.dense", in: hidden, out: hidden),
            attentionNorm: try layerNorm(p + "attention.output.LayerNorm", count: hidden),
            intermediate: try linear(p + "intermediate.dense", in: hidden, out: intermediate),
            output: try linear(p + "output.dense", in: intermediate, out: hidden),
            outputNorm: try layerNorm(p + "output.LayerNorm", count: hidden))
    }

    /// The cross-attention block of the decoder layer at `prefix`. Its query and key are checked but
    /// unused: with one memory vector the attention weights are exactly 1.
    func crossAttention(_ prefix: String, hidden: Int) throws -> CrossAttentionWeights {
        let p = prefix + ".crossattention."
        _ = try linear(p + "self.query", in: hidden, out: hidden)
        _ = try linear(p + "self.key", in: hidden, out: hidden)
        return CrossAttentionWeights(value: try linear(p + "self.value", in: hidden, out: hidden),
                                     output: try linear(p + "output.dense", in: hidden, out: hidden),
                                     norm: try layerNorm(p + "output.LayerNorm", count: hidden))
    }

    /// Names in the file that were not used, apart from those with an ignorable prefix or suffix.
    func unused(ignoringPrefixes: [String], suffixes: [String] = ["position_ids"]) -> [String] {
        file.tensors.keys.filter { k in
            !used.contains(k) && !ignoringPrefixes.contains(where: { k.hasPrefix($0) })
                && !suffixes.contains(where: { k.hasSuffix($0) })
        }.sorted()
    }
}

/// The weights of a BERT encoder (no pooler), as pointers into mapped or converted storage.
struct BertWeights: Sendable {
    let config: BertConfiguration
    let embeddings: BertEmbeddingWeights
    let layers: [BertLayerWeights]

    /// Loads tensors named `<prefix>embeddings.*` and `<prefix>encoder.layer.N.*`.
    init(loader: TensorLoader, prefix: String, config: BertConfiguration) throws {
        let h = config.hiddenSize
        self.config = config
        embeddings = BertEmbeddingWeights(
            word: try loader.tensor(prefix + "embeddings.word_embeddings.weight", shape: [config.vocabularySize, h]),
            position: try loader.tensor(prefix + "embeddings.position_embeddings.weight",
                                        shape: [config.maxPositionEmbeddings, h]),
            tokenType: try loader.tensor(prefix + "embeddings.token_type_embeddings.weight",
                                         shape: [config.typeVocabularySize, h]),
            norm: try loader.layerNorm(prefix + "embeddings.LayerNorm", count: h))
        layers = try (0..<config.layerCount).map { i in
            try loader.layer(prefix + "encoder.layer.\(i)", hidden: h, intermediate: config.intermediateSize)
        }
        if loader.has(prefix + "encoder.layer.\(config.layerCount).attention.self.query.weight") {
            throw EncoderError.invalidConfiguration(
                path: loader.file.path,
                reason: "the weights have more than num_hidden_layers = \(config.layerCount) layers")
        }
    }
}
