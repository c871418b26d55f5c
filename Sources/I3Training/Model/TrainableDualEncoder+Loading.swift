import Foundation
import I3Encoder
import WordPieceTokenizer

/// How to build the model to train from a base sentence-transformers directory.
public struct ModelSetup: Sendable, Equatable {
    /// Add an I^3 head on the passage side.
    public var head = false
    /// Start the head from this file (`c_head.0.*`, `d_head.0.*`, optional `cls.*`); nil = new head.
    public var headFile: URL?
    /// Attention heads of a new head (nil = the base model's).
    public var headCount: Int?
    public var pseudoQueryLength = 32
    /// Separate query and passage towers (both start from the base weights).
    public var untiedTowers = false
    /// InfoNCE logit scale; nil = 20 for a normalised model without a head (cosine, as
    /// sentence-transformers' MultipleNegativesRankingLoss), else 1 (the released I^3 code, τ = 1).
    public var scale: Float?
    /// Seed of new parameters.
    public var seed: UInt64 = 0
    public init() {}
}

extension TrainableDualEncoder {
    /// Loads the towers from `baseDirectory` (a sentence-transformers directory) and sets up the head.
    /// A head whose sizes do not match the base is refused with the tensor name and both shapes.
    public convenience init(baseDirectory: URL, setup: ModelSetup, tokenizer: BertTokenizer) throws {
        let config = try BertConfiguration.load(baseDirectory.appendingPathComponent("config.json"))
        let st = try SentenceTransformerDirectory.poolingAndLength(baseDirectory)
        func tower() throws -> BertTower {
            let url = baseDirectory.appendingPathComponent("model.safetensors")
            var src = try SafetensorsParameterSource(url: url)
            if !src.has("embeddings.word_embeddings.weight") {
                let prefixed = try SafetensorsParameterSource(url: url, prefix: "bert.")
                if prefixed.has("embeddings.word_embeddings.weight") { src = prefixed }
            }
            let t = try BertTower(config: config, pooling: st.pooling, source: src)
            let rest = src.unused(ignoring: [src.prefix + "pooler.", "pooler."]).filter { !$0.hasSuffix("position_ids") }
            guard rest.isEmpty else { throw EncoderError.unexpectedTensors(path: url.path, names: rest) }
            return t
        }
        let q = try tower()
        let p = setup.untiedTowers ? try tower() : q
        var head: I3HeadModel?
        if setup.head {
            guard let mask = tokenizer.maskID else {
                throw TrainingError.invalidOption("the I^3 head needs a [MASK] token in the vocabulary")
            }
            let random = RandomParameterSource(seed: setup.seed &+ 0x13)
            var source: ParameterSource = random
            var heads = setup.headCount ?? config.headCount
            var length = setup.pseudoQueryLength
            if let url = setup.headFile {
                let file = try SafetensorsParameterSource(url: url)
                heads = setup.headCount ?? Int(file.file.metadata["i3.num_attention_heads"] ?? "") ?? heads
                length = Int(file.file.metadata["i3.pseudo_query_length"] ?? "") ?? length
                source = FallbackParameterSource(primary: file, fallback: random)
            }
            head = try I3HeadModel(config: config, heads: heads, pseudoQueryLength: length, classID: tokenizer.classID,
                                   maskID: mask, separatorID: tokenizer.separatorID, source: source)
        }
        let scale = setup.scale ?? (st.pooling.normalize && head == nil ? 20 : 1)
        try self.init(queryTower: q, passageTower: p, head: head, scale: scale)
    }
}
