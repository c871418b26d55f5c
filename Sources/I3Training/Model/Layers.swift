/// A dense layer with trainable weight `[out, in]` and bias `[out]` (see `DenseOp`).
final class DenseLayer {
    let weight: Parameter
    let bias: Parameter
    let inFeatures: Int
    let outFeatures: Int

    init(weightName: String, biasName: String, in inF: Int, out outF: Int, source: ParameterSource,
         group: ParameterGroup) throws {
        weight = Parameter(name: weightName, shape: [outF, inF], values: try source.values(weightName, shape: [outF, inF]),
                           group: group)
        bias = Parameter(name: biasName, shape: [outF], values: try source.values(biasName, shape: [outF]), group: group)
        inFeatures = inF
        outFeatures = outF
    }

    convenience init(_ prefix: String, in inF: Int, out outF: Int, source: ParameterSource, group: ParameterGroup) throws {
        try self.init(weightName: prefix + ".weight", biasName: prefix + ".bias", in: inF, out: outF, source: source,
                      group: group)
    }

    var parameters: [Parameter] { [weight, bias] }

    func forward(_ x: FloatBuffer, rows: Int) -> FloatBuffer {
        let y = FloatBuffer(count: rows * outFeatures)
        DenseOp.forward(x.base, rows: rows, weight: weight.value.base, bias: bias.value.base,
                        inFeatures: inFeatures, outFeatures: outFeatures, into: y.base)
        return y
    }

    /// Accumulates dW, db; writes (or adds to, with `accumulate`) `dx` when given.
    func backward(x: FloatBuffer, dy: FloatBuffer, rows: Int, dx: FloatBuffer?, accumulate: Bool = false) {
        DenseOp.backward(x: x.base, dy: dy.base, rows: rows, weight: weight.value.base, inFeatures: inFeatures,
                         outFeatures: outFeatures, weightGradient: weight.frozen ? nil : weight.gradient.base,
                         biasGradient: bias.frozen ? nil : bias.gradient.base, inputGradient: dx?.base,
                         accumulateInput: accumulate)
    }
}

/// A LayerNorm with trainable γ (`.weight`) and β (`.bias`).
final class LayerNormLayer {
    let gamma: Parameter
    let beta: Parameter
    let count: Int
    let epsilon: Float

    struct Cache {
        let normalized: FloatBuffer
        let rstd: FloatBuffer
        let rows: Int
    }

    init(_ prefix: String, count: Int, epsilon: Float, source: ParameterSource, group: ParameterGroup) throws {
        gamma = Parameter(name: prefix + ".weight", shape: [count], values: try source.values(prefix + ".weight", shape: [count]),
                          group: group)
        beta = Parameter(name: prefix + ".bias", shape: [count], values: try source.values(prefix + ".bias", shape: [count]),
                         group: group)
        self.count = count
        self.epsilon = epsilon
    }

    var parameters: [Parameter] { [gamma, beta] }

    /// `LN(x + residual)`.
    func forward(_ x: FloatBuffer, residual: FloatBuffer?, rows: Int) -> (FloatBuffer, Cache) {
        let y = FloatBuffer(count: rows * count)
        let cache = Cache(normalized: FloatBuffer(count: rows * count), rstd: FloatBuffer(count: rows), rows: rows)
        LayerNormOp.forward(x.base, residual: residual.map { UnsafePointer($0.base) }, rows: rows, count: count,
                            gamma: gamma.value.base, beta: beta.value.base, epsilon: epsilon, into: y.base,
                            normalized: cache.normalized.base, rstd: cache.rstd.base)
        return (y, cache)
    }

    /// Gradient with respect to the LayerNorm input (`x + residual`).
    func backward(_ dy: FloatBuffer, cache: Cache) -> FloatBuffer {
        let dx = FloatBuffer(count: cache.rows * count)
        LayerNormOp.backward(dy: dy.base, normalized: cache.normalized.base, rstd: cache.rstd.base, rows: cache.rows,
                             count: count, gamma: gamma.value.base,
                             gammaGradient: gamma.frozen ? nil : gamma.gradient.base,
                             betaGradient: beta.frozen ? nil : beta.gradient.base, into: dx.base)
        return dx
    }
}
