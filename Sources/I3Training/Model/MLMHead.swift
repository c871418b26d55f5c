/// The reconstruction head (`BertOnlyMLMHead`, names `cls.predictions.*`): dense → GELU → LayerNorm →
/// decoder to vocabulary logits (its own weight, not tied to the embeddings, as the released code), then
/// softmax cross-entropy against the target token of each labelled pseudo-query position.
final class MLMHead {
    let transform: DenseLayer
    let norm: LayerNormLayer
    let decoder: DenseLayer

    init(hidden: Int, vocabulary: Int, epsilon: Float, source: ParameterSource) throws {
        transform = try DenseLayer("cls.predictions.transform.dense", in: hidden, out: hidden, source: source, group: .backbone)
        norm = try LayerNormLayer("cls.predictions.transform.LayerNorm", count: hidden, epsilon: epsilon, source: source,
                                  group: .backbone)
        decoder = try DenseLayer(weightName: "cls.predictions.decoder.weight", biasName: "cls.predictions.bias",
                                 in: hidden, out: vocabulary, source: source, group: .backbone)
    }

    var parameters: [Parameter] { transform.parameters + norm.parameters + decoder.parameters }

    /// Mean cross-entropy of `rows` states `z` (`rows × hidden`) against `targets`; accumulates the head's
    /// parameter gradients for `weight·loss` and returns dL/dz with the same weight.
    func lossAndBackward(_ z: FloatBuffer, rows: Int, targets: [Int], weight: Float) -> (Double, FloatBuffer) {
        let t = transform.forward(z, rows: rows)
        let g = FloatBuffer(count: t.count)
        GELUOp.forward(t.base, count: t.count, into: g.base)
        let (n, nc) = norm.forward(g, residual: nil, rows: rows)
        let logits = decoder.forward(n, rows: rows)
        let loss = SoftmaxCrossEntropyOp.lossAndGradient(logits.base, rows: rows, columns: decoder.outFeatures,
                                                         targets: targets, gradientScale: weight)
        let dn = FloatBuffer(count: n.count)
        decoder.backward(x: n, dy: logits, rows: rows, dx: dn)
        let dg = norm.backward(dn, cache: nc)
        GELUOp.backward(x: t.base, dy: dg.base, count: dg.count, into: dg.base)
        let dz = FloatBuffer(count: z.count)
        transform.backward(x: z, dy: dg, rows: rows, dx: dz)
        return (loss, dz)
    }
}
