import I3Encoder

/// The trainable I^3 passage head (released III-Retriever code, HEAD; see `I3Encoder.I3Head` for the
/// inference twin that a trained head must match):
///
///     E  = Emb_p([CLS] [MASK]^(L-2) [SEP])              the passage tower's own embeddings (trained with it)
///     Z1 = LN(E + SelfAttn(E))                           c_head.0.attention    (shared by all passages)
///     Z2 = LN(Z1 + W_o(W_v·h + b_v) + b_o)               c_head.0.crossattention (one memory vector h)
///     Z  = LN(Z2 + FFN(Z2))                              c_head.0.intermediate/output: pseudo-query vectors
///     p  = BertLayer([h ; mean_j Z_j])[0]                d_head.0 (interactor)
///     L_rec = CE(MLMHead(Z_t), y_t) at labelled positions (the positive passage's training query)
public final class I3HeadModel {
    public let hidden: Int
    public let heads: Int
    public let pseudoQueryLength: Int
    let attention: AttentionBlock
    let cross: CrossAttentionBlock
    let feedForward: FeedForwardBlock
    let interactor: TransformerLayer
    let mlm: MLMHead
    /// `[CLS] [MASK]… [SEP]`, `pseudoQueryLength` ids.
    let inputIDs: [Int32]

    struct Cache {
        let embedding: EmbeddingLayer.Cache
        let attention: AttentionBlock.Cache
        let cross: CrossAttentionBlock.Cache
        let feedForward: FeedForwardBlock.Cache
        let interactor: TransformerLayer.Cache
        let passages: Int
        /// dL_rec/dZ (already weighted by β), or nil without reconstruction targets.
        let reconstructionGradient: FloatBuffer?
    }

    /// `source` provides `c_head.0.*`, `d_head.0.*` and `cls.predictions.*` (a head file, or a seeded
    /// `RandomParameterSource` for a new head).
    public init(config: BertConfiguration, heads: Int, pseudoQueryLength: Int, classID: Int32, maskID: Int32,
                separatorID: Int32, source: ParameterSource) throws {
        let h = config.hiddenSize, eps = config.layerNormEpsilon
        guard heads > 0, h % heads == 0 else {
            throw TrainingError.invalidOption("head count \(heads) does not divide the hidden size \(h)")
        }
        guard pseudoQueryLength >= 2, pseudoQueryLength <= config.maxPositionEmbeddings else {
            throw TrainingError.invalidOption("pseudo-query length \(pseudoQueryLength) outside 2...\(config.maxPositionEmbeddings)")
        }
        hidden = h
        self.heads = heads
        self.pseudoQueryLength = pseudoQueryLength
        attention = try AttentionBlock("c_head.0", hidden: h, heads: heads, epsilon: eps, source: source, group: .head)
        cross = try CrossAttentionBlock("c_head.0", hidden: h, epsilon: eps, source: source, group: .head)
        let ci = config.intermediateSize
        feedForward = try FeedForwardBlock("c_head.0", hidden: h, intermediate: ci, epsilon: eps, source: source, group: .head)
        interactor = try TransformerLayer("d_head.0", hidden: h, heads: heads, intermediate: ci, epsilon: eps,
                                          source: source, group: .head)
        mlm = try MLMHead(hidden: h, vocabulary: config.vocabularySize, epsilon: eps, source: source)
        inputIDs = [classID] + Array(repeating: maskID, count: pseudoQueryLength - 2) + [separatorID]
    }

    /// The layers that `I3Encoder.I3Head` reads (c_head.0, d_head.0), in checkpoint order.
    public var layerParameters: [Parameter] {
        attention.parameters + cross.parameters + feedForward.parameters + interactor.parameters
    }

    /// Everything trained: the two layers and the MLM head.
    public var parameters: [Parameter] { layerParameters + mlm.parameters }

    /// Final passage vectors for `h` (`passages × hidden`). `targets[b]` are passage b's reconstruction
    /// targets (word-piece ids for positions 1, 2, …; empty for none); with `beta > 0` the reconstruction
    /// loss's gradients (times β) are computed here and the unweighted loss is returned.
    func forward(_ h: FloatBuffer, passages b: Int, embeddings: EmbeddingLayer, targets: [[Int32]], beta: Float)
        -> (p: FloatBuffer, reconstructionLoss: Double, cache: Cache) {
        let d = hidden, l = pseudoQueryLength
        let (e, ec) = embeddings.forward([inputIDs], rows: l)
        let (z1, ac) = attention.forward(e, rows: l, offsets: [0, l])
        let (z2, cc) = cross.forward(z1, length: l, memory: h, passages: b)
        let (z, fc) = feedForward.forward(z2, rows: b * l)
        // reconstruction at labelled positions
        var rows: [Int] = [], labels: [Int] = []
        for (p, t) in targets.enumerated() where p < b {
            for (j, id) in t.prefix(l - 2).enumerated() { rows.append(p * l + 1 + j); labels.append(Int(id)) }
        }
        var recLoss = 0.0
        var recGradient: FloatBuffer?
        if beta > 0, !rows.isEmpty {
            let gathered = FloatBuffer(count: rows.count * d)
            for (k, r) in rows.enumerated() { (gathered.base + k * d).update(from: z.base + r * d, count: d) }
            let (loss, dzRows) = mlm.lossAndBackward(gathered, rows: rows.count, targets: labels, weight: beta)
            recLoss = loss
            let dz = FloatBuffer(count: b * l * d)
            for (k, r) in rows.enumerated() {
                let dst = dz.base + r * d, src = dzRows.base + k * d
                for i in 0..<d { dst[i] += src[i] }
            }
            recGradient = dz
        }
        // interactor over [h ; mean_j Z_j]
        let x = FloatBuffer(count: 2 * b * d)
        let inv = 1 / Float(l)
        for p in 0..<b {
            (x.base + 2 * p * d).update(from: h.base + p * d, count: d)
            let zbar = x.base + (2 * p + 1) * d
            for j in 0..<l { let zr = z.base + (p * l + j) * d; for i in 0..<d { zbar[i] += zr[i] } }
            for i in 0..<d { zbar[i] *= inv }
        }
        let (y, ic) = interactor.forward(x, rows: 2 * b, offsets: Array(stride(from: 0, through: 2 * b, by: 2)))
        let out = FloatBuffer(count: b * d)
        for p in 0..<b { (out.base + p * d).update(from: y.base + 2 * p * d, count: d) }
        return (out, recLoss, Cache(embedding: ec, attention: ac, cross: cc, feedForward: fc, interactor: ic,
                                    passages: b, reconstructionGradient: recGradient))
    }

    /// Accumulates the head's (and the shared embeddings') gradients; returns dL/dh.
    func backward(_ dp: FloatBuffer, cache c: Cache, embeddings: EmbeddingLayer, embeddingsTrainable: Bool) -> FloatBuffer {
        let d = hidden, l = pseudoQueryLength, b = c.passages
        let dy = FloatBuffer(count: 2 * b * d)
        for p in 0..<b { (dy.base + 2 * p * d).update(from: dp.base + p * d, count: d) }
        let dx = interactor.backward(dy, cache: c.interactor)
        let dh = FloatBuffer(count: b * d)
        let dz = c.reconstructionGradient ?? FloatBuffer(count: b * l * d)
        let inv = 1 / Float(l)
        for p in 0..<b {
            (dh.base + p * d).update(from: dx.base + 2 * p * d, count: d)
            let g = dx.base + (2 * p + 1) * d
            for j in 0..<l { let r = dz.base + (p * l + j) * d; for i in 0..<d { r[i] += g[i] * inv } }
        }
        let dz2 = feedForward.backward(dz, cache: c.feedForward)
        let (dz1, dhCross) = cross.backward(dz2, cache: c.cross)
        dh.add(dhCross)
        let de = attention.backward(dz1, cache: c.attention)
        if embeddingsTrainable { embeddings.backward(de, cache: c.embedding) }
        return dh
    }
}
