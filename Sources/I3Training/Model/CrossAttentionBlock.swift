/// Cross-attention with a one-vector memory (the I^3 reconstructor, `<prefix>.crossattention.*`):
/// every position of passage b's pseudo-query attends to the single memory vector `h_b`. A softmax over
/// one key is exactly 1, so
///
///     y[b, j] = LN(z[j] + W_o·(W_v·h_b + b_v) + b_o)
///
/// and the query/key projections do not change the output (their gradient is exactly zero; they are
/// kept, unchanged, so the head file has the full Hugging Face layout). This is the computation of
/// `I3Encoder.I3Head.apply`. `z` (`L × d`) is shared by all passages of the batch.
final class CrossAttentionBlock {
    let query, key, value, output: DenseLayer
    let norm: LayerNormLayer
    let hidden: Int

    struct Cache {
        let memory, projected: FloatBuffer
        let norm: LayerNormLayer.Cache
        let passages: Int
        let length: Int
    }

    init(_ prefix: String, hidden: Int, epsilon: Float, source: ParameterSource, group: ParameterGroup) throws {
        let p = prefix + ".crossattention."
        query = try DenseLayer(p + "self.query", in: hidden, out: hidden, source: source, group: group)
        key = try DenseLayer(p + "self.key", in: hidden, out: hidden, source: source, group: group)
        value = try DenseLayer(p + "self.value", in: hidden, out: hidden, source: source, group: group)
        output = try DenseLayer(p + "output.dense", in: hidden, out: hidden, source: source, group: group)
        norm = try LayerNormLayer(p + "output.LayerNorm", count: hidden, epsilon: epsilon, source: source, group: group)
        self.hidden = hidden
        query.weight.frozen = true; query.bias.frozen = true
        key.weight.frozen = true; key.bias.frozen = true
    }

    var parameters: [Parameter] { query.parameters + key.parameters + value.parameters + output.parameters + norm.parameters }

    /// `z`: `length × d` (shared); `memory`: `passages × d`. Output `passages·length × d`.
    func forward(_ z: FloatBuffer, length l: Int, memory h: FloatBuffer, passages b: Int) -> (FloatBuffer, Cache) {
        let d = hidden
        let v = value.forward(h, rows: b)
        let c = output.forward(v, rows: b)
        let pre = FloatBuffer(count: b * l * d)
        for p in 0..<b {
            for j in 0..<l {
                let dst = pre.base + (p * l + j) * d, zj = z.base + j * d, cp = c.base + p * d
                for i in 0..<d { dst[i] = zj[i] + cp[i] }
            }
        }
        let (y, nc) = norm.forward(pre, residual: nil, rows: b * l)
        return (y, Cache(memory: h, projected: v, norm: nc, passages: b, length: l))
    }

    /// Returns (dL/dz `L × d`, dL/dmemory `passages × d`).
    func backward(_ dy: FloatBuffer, cache c: Cache) -> (FloatBuffer, FloatBuffer) {
        let d = hidden, b = c.passages, l = c.length
        let dpre = norm.backward(dy, cache: c.norm)
        let dz = FloatBuffer(count: l * d), dc = FloatBuffer(count: b * d)
        for p in 0..<b {
            for j in 0..<l {
                let g = dpre.base + (p * l + j) * d, zj = dz.base + j * d, cp = dc.base + p * d
                for i in 0..<d { zj[i] += g[i]; cp[i] += g[i] }
            }
        }
        let dv = FloatBuffer(count: b * d), dh = FloatBuffer(count: b * d)
        output.backward(x: c.projected, dy: dc, rows: b, dx: dv)
        value.backward(x: c.memory, dy: dv, rows: b, dx: dh)
        return (dz, dh)
    }
}
