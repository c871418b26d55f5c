/// The feed-forward half of a post-LN BERT layer: `y = LN(x + W₂·gelu(W₁·x + b₁) + b₂)`,
/// names `<prefix>.intermediate.dense`, `<prefix>.output.{dense,LayerNorm}`.
final class FeedForwardBlock {
    let intermediate, output: DenseLayer
    let norm: LayerNormLayer

    struct Cache {
        let x, preActivation, activation: FloatBuffer
        let norm: LayerNormLayer.Cache
        let rows: Int
    }

    init(_ prefix: String, hidden: Int, intermediate size: Int, epsilon: Float, source: ParameterSource,
         group: ParameterGroup) throws {
        intermediate = try DenseLayer(prefix + ".intermediate.dense", in: hidden, out: size, source: source, group: group)
        output = try DenseLayer(prefix + ".output.dense", in: size, out: hidden, source: source, group: group)
        norm = try LayerNormLayer(prefix + ".output.LayerNorm", count: hidden, epsilon: epsilon, source: source, group: group)
    }

    var parameters: [Parameter] { intermediate.parameters + output.parameters + norm.parameters }

    func forward(_ x: FloatBuffer, rows: Int) -> (FloatBuffer, Cache) {
        let i = intermediate.forward(x, rows: rows)
        let g = FloatBuffer(count: i.count)
        GELUOp.forward(i.base, count: i.count, into: g.base)
        let o = output.forward(g, rows: rows)
        let (y, nc) = norm.forward(x, residual: o, rows: rows)
        return (y, Cache(x: x, preActivation: i, activation: g, norm: nc, rows: rows))
    }

    func backward(_ dy: FloatBuffer, cache c: Cache) -> FloatBuffer {
        let dsum = norm.backward(dy, cache: c.norm)
        let dg = FloatBuffer(count: c.activation.count)
        output.backward(x: c.activation, dy: dsum, rows: c.rows, dx: dg)
        GELUOp.backward(x: c.preActivation.base, dy: dg.base, count: dg.count, into: dg.base)
        let dx = dsum
        intermediate.backward(x: c.x, dy: dg, rows: c.rows, dx: dx, accumulate: true)
        return dx
    }
}

/// One post-LN BERT encoder layer (`<prefix>.attention.*`, `<prefix>.intermediate.*`, `<prefix>.output.*`).
final class TransformerLayer {
    let attention: AttentionBlock
    let feedForward: FeedForwardBlock

    struct Cache {
        let attention: AttentionBlock.Cache
        let feedForward: FeedForwardBlock.Cache
    }

    init(_ prefix: String, hidden: Int, heads: Int, intermediate: Int, epsilon: Float, source: ParameterSource,
         group: ParameterGroup) throws {
        attention = try AttentionBlock(prefix, hidden: hidden, heads: heads, epsilon: epsilon, source: source, group: group)
        feedForward = try FeedForwardBlock(prefix, hidden: hidden, intermediate: intermediate, epsilon: epsilon,
                                           source: source, group: group)
    }

    var parameters: [Parameter] { attention.parameters + feedForward.parameters }

    func forward(_ x: FloatBuffer, rows: Int, offsets: [Int]) -> (FloatBuffer, Cache) {
        let (a, ac) = attention.forward(x, rows: rows, offsets: offsets)
        let (y, fc) = feedForward.forward(a, rows: rows)
        return (y, Cache(attention: ac, feedForward: fc))
    }

    func backward(_ dy: FloatBuffer, cache: Cache) -> FloatBuffer {
        attention.backward(feedForward.backward(dy, cache: cache.feedForward), cache: cache.attention)
    }
}
