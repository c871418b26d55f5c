/// The self-attention half of a post-LN BERT layer: `y = LN(x + W_o·MHA(W_q x, W_k x, W_v x))`,
/// names `<prefix>.attention.self.{query,key,value}`, `<prefix>.attention.output.{dense,LayerNorm}`.
final class AttentionBlock {
    let query, key, value, output: DenseLayer
    let norm: LayerNormLayer
    let heads: Int
    let hidden: Int

    struct Cache {
        let x, q, k, v, probabilities, context: FloatBuffer
        let norm: LayerNormLayer.Cache
        let offsets: [Int]
        let rows: Int
    }

    init(_ prefix: String, hidden: Int, heads: Int, epsilon: Float, source: ParameterSource, group: ParameterGroup) throws {
        let p = prefix + ".attention."
        query = try DenseLayer(p + "self.query", in: hidden, out: hidden, source: source, group: group)
        key = try DenseLayer(p + "self.key", in: hidden, out: hidden, source: source, group: group)
        value = try DenseLayer(p + "self.value", in: hidden, out: hidden, source: source, group: group)
        output = try DenseLayer(p + "output.dense", in: hidden, out: hidden, source: source, group: group)
        norm = try LayerNormLayer(p + "output.LayerNorm", count: hidden, epsilon: epsilon, source: source, group: group)
        self.heads = heads
        self.hidden = hidden
    }

    var parameters: [Parameter] { query.parameters + key.parameters + value.parameters + output.parameters + norm.parameters }

    func forward(_ x: FloatBuffer, rows: Int, offsets: [Int]) -> (FloatBuffer, Cache) {
        let q = query.forward(x, rows: rows), k = key.forward(x, rows: rows), v = value.forward(x, rows: rows)
        let probs = FloatBuffer(count: SelfAttentionOp.probabilityCount(offsets: offsets, heads: heads))
        let ctx = FloatBuffer(count: rows * hidden)
        SelfAttentionOp.forward(q: q.base, k: k.base, v: v.base, offsets: offsets, heads: heads, hidden: hidden,
                                probabilities: probs.base, into: ctx.base)
        let a = output.forward(ctx, rows: rows)
        let (y, nc) = norm.forward(x, residual: a, rows: rows)
        return (y, Cache(x: x, q: q, k: k, v: v, probabilities: probs, context: ctx, norm: nc, offsets: offsets, rows: rows))
    }

    /// Returns dL/dx.
    func backward(_ dy: FloatBuffer, cache c: Cache) -> FloatBuffer {
        let rows = c.rows
        let dsum = norm.backward(dy, cache: c.norm)
        let dctx = FloatBuffer(count: rows * hidden)
        output.backward(x: c.context, dy: dsum, rows: rows, dx: dctx)
        let dq = FloatBuffer(count: rows * hidden), dk = FloatBuffer(count: rows * hidden), dv = FloatBuffer(count: rows * hidden)
        SelfAttentionOp.backward(dctx: dctx.base, q: c.q.base, k: c.k.base, v: c.v.base, probabilities: c.probabilities.base,
                                 offsets: c.offsets, heads: heads, hidden: hidden, dq: dq.base, dk: dk.base, dv: dv.base)
        let dx = dsum  // residual path; the three projections add to it
        query.backward(x: c.x, dy: dq, rows: rows, dx: dx, accumulate: true)
        key.backward(x: c.x, dy: dk, rows: rows, dx: dx, accumulate: true)
        value.backward(x: c.x, dy: dv, rows: rows, dx: dx, accumulate: true)
        return dx
    }
}
