import Foundation
import VectorKernels
import WordPieceTokenizer

/// One side of the dual encoder: a BERT tower, its pooling, its length limit and an optional head.
struct EncoderTower: Sendable {
    let model: BertModel
    let pooling: PoolingConfiguration
    let maxLength: Int
    let head: I3Head?
}

/// Turns text into vectors: a query tower and a passage tower (possibly the same BERT), each with
/// its pooling, and on the passage side an optional I^3 head.
///
/// Two kinds of model:
/// - a sentence-transformers directory (e.g. all-MiniLM-L6-v2) used for both sides, with an optional
///   separately stored I^3 head (`c_head.0.*`, `d_head.0.*`) applied to passages;
/// - a full I^3 checkpoint in safetensors (`lm_q.*`, `lm_p.*`, `c_head.0.*`, `d_head.0.*`, `cls.*`):
///   two untied towers, CLS pooling, no normalisation, dot product.
///
/// Results equal Hugging Face transformers / sentence-transformers to float rounding (see
/// docs/encoder.md). Safe to share across threads; each call uses its own scratch memory.
public final class DualEncoder: Sendable {
    let queryTower: EncoderTower
    let passageTower: EncoderTower
    let tokenizer: BertTokenizer
    let options: EncoderOptions

    /// Length of the vectors.
    public let dimension: Int
    /// The metric an index over these vectors must use: `.cosine` when the model normalises its vectors
    /// (they are then unit length, so inner product gives the same order), `.innerProduct` for I^3 heads
    /// and checkpoints.
    public let metric: Metric
    /// A stable hex hash of the weights (and head and pooling), so indexes can refuse vectors from another model.
    public let identity: String

    /// Loads a sentence-transformers directory (`config.json`, `model.safetensors`, `vocab.txt`,
    /// `modules.json`, `1_Pooling/config.json`) and, optionally, an I^3 head safetensors file whose
    /// layers are applied to the passage side.
    public init(modelDirectory: URL, head: URL? = nil, options: EncoderOptions = .init()) throws {
        try Self.check(options)
        let config = try BertConfiguration.load(modelDirectory.appendingPathComponent("config.json"))
        let st = try SentenceTransformerConfiguration.load(directory: modelDirectory)
        let tokenizer = try Self.loadTokenizer(modelDirectory.appendingPathComponent("vocab.txt"),
                                               config: config, lowercase: st.lowercase)
        let file = try SafetensorsFile(url: modelDirectory.appendingPathComponent("model.safetensors"))
        let loader = TensorLoader(file: file)
        let prefix = file.tensors["embeddings.word_embeddings.weight"] == nil
            && file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        let weights = try BertWeights(loader: loader, prefix: prefix, config: config)
        let leftovers = loader.unused(ignoringPrefixes: [prefix + "pooler."])
        guard leftovers.isEmpty else { throw EncoderError.unexpectedTensors(path: file.path, names: leftovers) }
        let model = BertModel(weights: weights, owners: loader.owners)
        let defaultLength = min(st.maxSequenceLength ?? config.maxPositionEmbeddings, config.maxPositionEmbeddings)

        var i3Head: I3Head?
        var parts = ["st", file.contentDigest(), st.pooling.mode.rawValue, "\(st.pooling.normalize)"]
        if let headURL = head {
            let hf = try SafetensorsFile(url: headURL)
            let hl = TensorLoader(file: hf)
            let heads = Int(hf.metadata["i3.num_attention_heads"] ?? "") ?? config.headCount
            let length = Int(hf.metadata["i3.pseudo_query_length"] ?? "") ?? 32
            i3Head = try Self.makeHead(loader: hl, heads: heads, length: length, config: config,
                                       tower: model, tokenizer: tokenizer)
            let rest = hl.unused(ignoringPrefixes: ["cls."])
            guard rest.isEmpty else { throw EncoderError.unexpectedTensors(path: hf.path, names: rest) }
            parts.append(hf.contentDigest())
        }
        queryTower = EncoderTower(model: model, pooling: st.pooling,
                                  maxLength: try Self.length(options.maxQueryLength, default: defaultLength, config: config),
                                  head: nil)
        passageTower = EncoderTower(model: model, pooling: st.pooling,
                                    maxLength: try Self.length(options.maxPassageLength, default: defaultLength, config: config),
                                    head: i3Head)
        self.tokenizer = tokenizer
        self.options = options
        dimension = config.hiddenSize
        metric = st.pooling.normalize && i3Head == nil ? .cosine : .innerProduct
        identity = WeightDigest.combine(parts)
    }

    /// Loads a full I^3 checkpoint (safetensors written by `tools/convert_i3_checkpoint.py`) with
    /// `lm_q.*`, `lm_p.*`, `c_head.0.*`, `d_head.0.*` (and `cls.*`, unused at inference). The BERT
    /// configuration is read from the `i3.config` metadata entry or from a `config.json` beside the file.
    public init(i3Checkpoint: URL, vocabulary: URL, options: EncoderOptions = .init()) throws {
        try Self.check(options)
        let file = try SafetensorsFile(url: i3Checkpoint)
        let config: BertConfiguration
        if let json = file.metadata["i3.config"] {
            config = try BertConfiguration.decode(Data(json.utf8), source: file.path + " (i3.config metadata)")
        } else {
            config = try BertConfiguration.load(i3Checkpoint.deletingLastPathComponent().appendingPathComponent("config.json"))
        }
        let tokenizer = try Self.loadTokenizer(vocabulary, config: config, lowercase: true)
        let loader = TensorLoader(file: file)
        let q = BertModel(weights: try BertWeights(loader: loader, prefix: "lm_q.", config: config), owners: loader.owners)
        let p = BertModel(weights: try BertWeights(loader: loader, prefix: "lm_p.", config: config), owners: loader.owners)
        let length = Int(file.metadata["i3.pseudo_query_length"] ?? "") ?? 32
        let head = try Self.makeHead(loader: loader, heads: config.headCount, length: length, config: config,
                                     tower: p, tokenizer: tokenizer)
        let rest = loader.unused(ignoringPrefixes: ["cls.", "lm_q.pooler.", "lm_p.pooler."])
        guard rest.isEmpty else { throw EncoderError.unexpectedTensors(path: file.path, names: rest) }
        let cls = PoolingConfiguration(mode: .cls, normalize: false)
        let qDefault = min(Int(file.metadata["i3.query_max_length"] ?? "") ?? 32, config.maxPositionEmbeddings)
        let pDefault = min(Int(file.metadata["i3.passage_max_length"] ?? "") ?? 140, config.maxPositionEmbeddings)
        queryTower = EncoderTower(model: q, pooling: cls,
                                  maxLength: try Self.length(options.maxQueryLength, default: qDefault, config: config),
                                  head: nil)
        passageTower = EncoderTower(model: p, pooling: cls,
                                    maxLength: try Self.length(options.maxPassageLength, default: pDefault, config: config),
                                    head: head)
        self.tokenizer = tokenizer
        self.options = options
        dimension = config.hiddenSize
        metric = .innerProduct
        identity = WeightDigest.combine(["i3", file.contentDigest()])
    }

    /// Query vectors, one per text, in order.
    public func encodeQueries(_ texts: [String]) throws -> [[Float]] {
        try BatchRunner.encode(texts, tower: queryTower, tokenizer: tokenizer, options: options)
    }

    /// Passage vectors, one per text, in order (through the I^3 head when there is one).
    public func encodePassages(_ texts: [String]) throws -> [[Float]] {
        try BatchRunner.encode(texts, tower: passageTower, tokenizer: tokenizer, options: options)
    }

    /// Token ids with [CLS]/[SEP], truncated to the passage side's maximum length.
    public func tokenize(_ text: String) -> [Int32] {
        tokenizer.encode(text, maxLength: passageTower.maxLength)
    }

    /// Token ids with [CLS]/[SEP], truncated to the query side's maximum length.
    public func tokenizeQuery(_ text: String) -> [Int32] {
        tokenizer.encode(text, maxLength: queryTower.maxLength)
    }

    /// Maximum query and passage lengths in tokens (including [CLS]/[SEP]).
    public var maxQueryLength: Int { queryTower.maxLength }
    public var maxPassageLength: Int { passageTower.maxLength }

    // MARK: - loading helpers

    private static func check(_ o: EncoderOptions) throws {
        guard o.batchSize >= 1 else { throw EncoderError.invalidOption("batchSize \(o.batchSize) must be at least 1") }
        guard o.threads >= 0 else { throw EncoderError.invalidOption("threads \(o.threads) must be 0 (all cores) or more") }
    }

    private static func length(_ requested: Int?, default d: Int, config: BertConfiguration) throws -> Int {
        guard let r = requested else { return max(2, d) }
        guard r >= 2, r <= config.maxPositionEmbeddings else {
            throw EncoderError.invalidOption("maximum length \(r) outside 2...\(config.maxPositionEmbeddings)")
        }
        return r
    }

    private static func loadTokenizer(_ url: URL, config: BertConfiguration, lowercase: Bool) throws -> BertTokenizer {
        let t: BertTokenizer
        do {
            t = try BertTokenizer(vocabulary: Vocabulary(contentsOf: url), lowercase: lowercase, stripAccents: lowercase)
        } catch let e as TokenizerError {
            throw EncoderError.tokenizer(path: url.path, reason: e.description)
        }
        guard t.vocabulary.count <= config.vocabularySize else {
            throw EncoderError.invalidConfiguration(
                path: url.path, reason: "vocabulary has \(t.vocabulary.count) tokens, the model only \(config.vocabularySize)")
        }
        return t
    }

    private static func makeHead(loader: TensorLoader, heads: Int, length: Int, config: BertConfiguration,
                                 tower: BertModel, tokenizer: BertTokenizer) throws -> I3Head {
        guard let mask = tokenizer.maskID else {
            throw EncoderError.tokenizer(path: tokenizer.vocabulary.source, reason: "the I^3 head needs a [MASK] token")
        }
        return try I3Head(loader: loader, headCount: heads, epsilon: config.layerNormEpsilon, pseudoQueryLength: length,
                          passageTower: tower, classID: tokenizer.classID, maskID: mask,
                          separatorID: tokenizer.separatorID)
    }
}
