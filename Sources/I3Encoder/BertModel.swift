/// A BERT encoder (embeddings + N post-LN layers, no pooler) over packed, unpadded sequences.
///
/// A batch is a list of token-id sequences laid end to end (`rows = Σ lengths`); every linear layer
/// is one SGEMM over all rows, and attention runs per sequence, so no padding is ever computed.
final class BertModel: Sendable {
    let weights: BertWeights
    var config: BertConfiguration { weights.config }
    /// Keeps the mapping / converted tensors alive.
    private let owners: [any AnyObject & Sendable]

    init(weights: BertWeights, owners: [any AnyObject & Sendable]) {
        self.weights = weights
        self.owners = owners
    }

    /// Runs embeddings and the first `layerLimit` layers (all by default) on `sequences`; the
    /// hidden states are left in `ws.x` (`rows × hidden`). Returns the row offsets of the sequences.
    /// `attended[s]`, when given, limits what sequence `s` attends to (its first positions; see
    /// `BertKernels.attention`), for `[MASK]` query expansion.
    @discardableResult
    func forward(_ sequences: [[Int32]], workspace ws: Workspace, layerLimit: Int? = nil,
                 attended: [Int]? = nil) -> [Int] {
        var offsets = [0]
        offsets.reserveCapacity(sequences.count + 1)
        var maxLength = 0
        for s in sequences {
            offsets.append(offsets[offsets.count - 1] + s.count)
            maxLength = max(maxLength, s.count)
        }
        let rows = offsets[offsets.count - 1]
        ws.reserve(rows: rows, maxLength: maxLength)
        embed(sequences, into: ws.x)
        let n = min(layerLimit ?? weights.layers.count, weights.layers.count)
        for l in 0..<n {
            BertKernels.layer(ws.x, rows: rows, offsets: offsets, weights.layers[l], heads: config.headCount,
                              epsilon: config.layerNormEpsilon, workspace: ws, attended: attended)
        }
        return offsets
    }

    /// Word + position + token-type(0) embeddings, then LayerNorm. Out-of-range ids read row 0.
    func embed(_ sequences: [[Int32]], into x: UnsafeMutablePointer<Float>) {
        let h = config.hiddenSize
        let e = weights.embeddings
        var row = 0
        for s in sequences {
            for (p, id) in s.enumerated() {
                let out = x + row * h
                let i = Int(id) >= 0 && Int(id) < config.vocabularySize ? Int(id) : 0
                let w = e.word.pointer + i * h
                let pos = e.position.pointer + min(p, config.maxPositionEmbeddings - 1) * h
                let t = e.tokenType.pointer
                for j in 0..<h { out[j] = w[j] + pos[j] + t[j] }
                row += 1
            }
        }
        BertKernels.addLayerNorm(x, residual: nil, rows: row, e.norm, epsilon: config.layerNormEpsilon)
    }
}

