/// The I^3 passage-side head of the released implementation (III-Retriever `DualEncoder`, HEAD):
///
///     E  = Emb_p([CLS] [MASK]^(L-2) [SEP])                     constant, L = pseudo-query length
///     Z1 = LN(E + SelfAttn(E))                                  constant (no mask, bidirectional)
///     Z2 = LN(Z1 + W_o(W_v·h + b_v) + b_o)                      cross-attention, one memory vector h
///     Z  = LN(Z2 + FFN(Z2))                                     pseudo-query vectors   (c_head.0)
///     p  = BertLayer([h ; mean_j Z_j])[0]                       query-passage interactor (d_head.0)
///
/// With a single memory vector the cross-attention weights are exactly 1, so query/key of the
/// cross-attention drop out; `Z1` does not depend on the passage and is computed once at load.
final class I3Head: Sendable {
    let reconstructor: BertLayerWeights
    /// The reconstructor's cross-attention over the one memory vector `h`.
    let reconstructorCross: CrossAttentionWeights
    let interactor: BertLayerWeights
    let hidden: Int
    let headCount: Int
    let epsilon: Float
    let pseudoQueryLength: Int
    /// `L × hidden`, the constant first half of the reconstructor.
    private let z1: FloatStorage
    private let owners: [any AnyObject & Sendable]
    /// Largest intermediate size of the two layers (workspace sizing).
    let intermediate: Int

    init(loader: TensorLoader, reconstructorPrefix: String = "c_head.0", interactorPrefix: String = "d_head.0",
         headCount: Int, epsilon: Float, pseudoQueryLength: Int, passageTower: BertModel,
         classID: Int32, maskID: Int32, separatorID: Int32) throws {
        let h = passageTower.config.hiddenSize
        let path = loader.file.path
        guard headCount > 0, h % headCount == 0 else {
            throw EncoderError.invalidConfiguration(path: path, reason: "head count \(headCount) does not divide \(h)")
        }
        guard pseudoQueryLength >= 2, pseudoQueryLength <= passageTower.config.maxPositionEmbeddings else {
            throw EncoderError.invalidConfiguration(
                path: path, reason: "pseudo-query length \(pseudoQueryLength) outside 2...\(passageTower.config.maxPositionEmbeddings)")
        }
        let ci = try loader.shape(reconstructorPrefix + ".intermediate.dense.weight")
        let di = try loader.shape(interactorPrefix + ".intermediate.dense.weight")
        guard ci.count == 2, di.count == 2 else {
            throw EncoderError.invalidConfiguration(path: path, reason: "intermediate weights are not matrices")
        }
        reconstructor = try loader.layer(reconstructorPrefix, hidden: h, intermediate: ci[0])
        reconstructorCross = try loader.crossAttention(reconstructorPrefix, hidden: h)
        interactor = try loader.layer(interactorPrefix, hidden: h, intermediate: di[0])
        hidden = h
        self.headCount = headCount
        self.epsilon = epsilon
        self.pseudoQueryLength = pseudoQueryLength
        intermediate = max(ci[0], di[0])

        // Z1 = LN(E + SelfAttn(E)) for the constant [CLS] [MASK]… [SEP] sequence.
        let ids = [classID] + Array(repeating: maskID, count: pseudoQueryLength - 2) + [separatorID]
        let ws = Workspace(hidden: h, intermediate: max(intermediate, passageTower.config.intermediateSize))
        ws.reserve(rows: pseudoQueryLength, maxLength: pseudoQueryLength)
        passageTower.embed([ids], into: ws.x)
        let w = reconstructor
        let rows = pseudoQueryLength
        BertKernels.linear(ws.x, rows: rows, w.query, into: ws.q)
        BertKernels.linear(ws.x, rows: rows, w.key, into: ws.k)
        BertKernels.linear(ws.x, rows: rows, w.value, into: ws.v)
        BertKernels.attention(q: ws.q, k: ws.k, v: ws.v, ctx: ws.ctx, offsets: [0, rows], heads: headCount,
                              hidden: h, scores: ws.scores)
        BertKernels.linear(ws.ctx, rows: rows, w.attentionOutput, into: ws.tmp)
        BertKernels.addLayerNorm(ws.x, residual: ws.tmp, rows: rows, w.attentionNorm, epsilon: epsilon)
        let z = FloatStorage(count: rows * h)
        z.pointer.update(from: ws.x, count: rows * h)
        z1 = z
        owners = loader.owners
    }

    /// Maps `count` passage vectors `h` (`count × hidden`) to the final passage vectors `out`.
    func apply(_ h: UnsafePointer<Float>, count b: Int, into out: UnsafeMutablePointer<Float>, workspace ws: Workspace) {
        guard b > 0 else { return }
        let cross = reconstructorCross
        let d = hidden, l = pseudoQueryLength
        ws.reserve(rows: max(b * l, 2 * b), maxLength: l)
        // cross-attention context, identical for every position of a passage
        BertKernels.linear(h, rows: b, cross.value, into: ws.q)
        BertKernels.linear(ws.q, rows: b, cross.output, into: ws.k)
        for p in 0..<b {
            for j in 0..<l {
                let dst = ws.x + (p * l + j) * d
                let z = z1.pointer + j * d, c = ws.k + p * d
                for i in 0..<d { dst[i] = z[i] + c[i] }
            }
        }
        BertKernels.addLayerNorm(ws.x, residual: nil, rows: b * l, cross.norm, epsilon: epsilon)
        BertKernels.feedForward(ws.x, rows: b * l, reconstructor, epsilon: epsilon, workspace: ws)
        // interactor input [h ; mean_j Z_j] per passage, rows 2p and 2p+1
        var pair = [Float](repeating: 0, count: 2 * b * d)
        pair.withUnsafeMutableBufferPointer { buf in
            guard let x = buf.baseAddress else { return }
            let inv = 1 / Float(l)
            for p in 0..<b {
                (x + 2 * p * d).update(from: h + p * d, count: d)
                let zbar = x + (2 * p + 1) * d
                for j in 0..<l {
                    let z = ws.x + (p * l + j) * d
                    for i in 0..<d { zbar[i] += z[i] }
                }
                for i in 0..<d { zbar[i] *= inv }
            }
            let offsets = Array(stride(from: 0, through: 2 * b, by: 2))
            BertKernels.layer(x, rows: 2 * b, offsets: offsets, interactor, heads: headCount, epsilon: epsilon,
                              workspace: ws)
            for p in 0..<b { (out + p * d).update(from: x + 2 * p * d, count: d) }
        }
    }
}
