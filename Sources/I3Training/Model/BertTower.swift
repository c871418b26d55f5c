import I3Encoder

/// A trainable BERT encoder (embeddings, post-LN layers, no pooler) with sentence-transformers
/// pooling (mean or CLS, optional L2 normalisation): the training twin of `I3Encoder.BertModel`.
///
/// Sequences are packed end to end (no padding); `forward` keeps what `backward` needs, except for the
/// lowest `frozenLayers` layers (and the embeddings), which then get no gradient and keep no cache.
public final class BertTower {
    public let config: BertConfiguration
    public let pooling: PoolingConfiguration
    let embeddings: EmbeddingLayer
    let layers: [TransformerLayer]
    /// Layers 0..<frozenLayers (and the embeddings when > 0) are not trained.
    public private(set) var frozenLayers = 0

    /// What `backward` needs from one forward call.
    struct Cache {
        let offsets: [Int]
        let rows: Int
        let embedding: EmbeddingLayer.Cache?
        let layers: [TransformerLayer.Cache?]
        let pooledRaw: FloatBuffer
        let norms: FloatBuffer?
        let pooled: FloatBuffer
    }

    /// Loads `embeddings.*` and `encoder.layer.N.*` from `source` (which may add a prefix such as `bert.`).
    public init(config: BertConfiguration, pooling: PoolingConfiguration, source: ParameterSource) throws {
        self.config = config
        self.pooling = pooling
        let h = config.hiddenSize, eps = config.layerNormEpsilon
        embeddings = try EmbeddingLayer(prefix: "", vocabulary: config.vocabularySize,
                                        positions: config.maxPositionEmbeddings, types: config.typeVocabularySize,
                                        hidden: h, epsilon: eps, source: source, group: .backbone)
        layers = try (0..<config.layerCount).map {
            try TransformerLayer("encoder.layer.\($0)", hidden: h, heads: config.headCount,
                                 intermediate: config.intermediateSize, epsilon: eps, source: source, group: .backbone)
        }
    }

    /// All parameters, embeddings first, in checkpoint order.
    public var parameters: [Parameter] { embeddings.parameters + layers.flatMap(\.parameters) }

    /// Freezes the embeddings and layers `0..<count` (no gradient, no update, no activation cache).
    public func freeze(lowestLayers count: Int) {
        frozenLayers = max(0, min(count, layers.count))
        for p in embeddings.parameters { p.frozen = frozenLayers > 0 }
        for (i, l) in layers.enumerated() { for p in l.parameters { p.frozen = i < frozenLayers } }
    }

    /// The first id or length this tower cannot embed, as an error message (nil when all fit).
    func problem(with sequences: [[Int32]]) -> String? {
        for (i, s) in sequences.enumerated() {
            if s.isEmpty { return "sequence \(i) is empty" }
            if s.count > config.maxPositionEmbeddings {
                return "sequence \(i) has \(s.count) tokens, more than max_position_embeddings \(config.maxPositionEmbeddings)"
            }
            if let bad = s.first(where: { $0 < 0 || Int($0) >= config.vocabularySize }) {
                return "sequence \(i) has token id \(bad) outside the vocabulary (\(config.vocabularySize))"
            }
        }
        return nil
    }

    /// Pooled (and, per the pooling configuration, normalised) vectors, `sequences.count × hidden`.
    func forward(_ sequences: [[Int32]], keepCache: Bool = true) -> (FloatBuffer, Cache) {
        var offsets = [0]
        for s in sequences { offsets.append(offsets[offsets.count - 1] + s.count) }
        let rows = offsets[offsets.count - 1], h = config.hiddenSize, b = sequences.count
        var (x, ec) = embeddings.forward(sequences, rows: rows)
        var caches: [TransformerLayer.Cache?] = []
        for (i, layer) in layers.enumerated() {
            let (y, c) = layer.forward(x, rows: rows, offsets: offsets)
            caches.append(keepCache && i >= frozenLayers ? c : nil)
            x = y
        }
        let raw = FloatBuffer(count: b * h)
        switch pooling.mode {
        case .mean: PoolingOp.meanForward(x.base, offsets: offsets, hidden: h, into: raw.base)
        case .cls: PoolingOp.clsForward(x.base, offsets: offsets, hidden: h, into: raw.base)
        }
        var pooled = raw, norms: FloatBuffer?
        if pooling.normalize {
            pooled = FloatBuffer(count: b * h)
            let n = FloatBuffer(count: b)
            L2NormalizationOp.forward(raw.base, rows: b, count: h, into: pooled.base, norms: n.base)
            norms = n
        }
        let cache = Cache(offsets: offsets, rows: rows, embedding: keepCache && frozenLayers == 0 ? ec : nil,
                          layers: caches, pooledRaw: raw, norms: norms, pooled: pooled)
        return (pooled, cache)
    }

    /// Accumulates parameter gradients for `dpooled` (`sequences × hidden`) down to the lowest trained layer.
    func backward(_ dpooled: FloatBuffer, cache c: Cache) {
        let h = config.hiddenSize, b = c.offsets.count - 1
        var draw = dpooled
        if let norms = c.norms {
            draw = FloatBuffer(count: b * h)
            L2NormalizationOp.backward(dy: dpooled.base, y: c.pooled.base, norms: norms.base, rows: b, count: h,
                                       into: draw.base)
        }
        var dx = FloatBuffer(count: c.rows * h)
        switch pooling.mode {
        case .mean: PoolingOp.meanBackward(dout: draw.base, offsets: c.offsets, hidden: h, into: dx.base)
        case .cls: PoolingOp.clsBackward(dout: draw.base, offsets: c.offsets, hidden: h, rows: c.rows, into: dx.base)
        }
        for i in stride(from: layers.count - 1, through: frozenLayers, by: -1) {
            guard let lc = c.layers[i] else { return }
            dx = layers[i].backward(dx, cache: lc)
        }
        if let ec = c.embedding { embeddings.backward(dx, cache: ec) }
    }
}
