import Foundation
import Testing
@testable import I3Training

/// Finite-difference checks of each operation's backward pass (see `GradientCheck` for the tolerance).
@Suite("Gradient checks: each op")
struct OpGradientTests {
    @Test("dense: dx, dW, db")
    func dense() throws {
        var r = TestRandom(1)
        let layer = try DenseLayer("d", in: 5, out: 4, source: TinyModels.source(2), group: .backbone)
        for i in 0..<4 { layer.bias.value[i] = r.rng.nextGaussian() }
        let x = r.buffer(3 * 5), w = r.buffer(3 * 4)
        func loss() -> Double { dot(w, layer.forward(x, rows: 3)) }
        let dx = FloatBuffer(count: 15)
        layer.backward(x: x, dy: w, rows: 3, dx: dx)
        var bad = GradientCheck.compare("dx", analytic: dx.array, buffer: x, loss)
        bad += GradientCheck.compare("dW", analytic: layer.weight.gradient.array, buffer: layer.weight.value, loss)
        bad += GradientCheck.compare("db", analytic: layer.bias.gradient.array, buffer: layer.bias.value, loss)
        #expect(bad.isEmpty, "\(bad)")
    }

    @Test("LayerNorm with residual: dx, dγ, dβ")
    func layerNorm() throws {
        var r = TestRandom(3)
        let ln = try LayerNormLayer("n", count: 6, epsilon: 1e-12, source: TinyModels.source(4), group: .backbone)
        for i in 0..<6 { ln.gamma.value[i] += r.rng.nextGaussian() * 0.3; ln.beta.value[i] = r.rng.nextGaussian() }
        let x = r.buffer(4 * 6), res = r.buffer(4 * 6), w = r.buffer(4 * 6)
        func loss() -> Double { dot(w, ln.forward(x, residual: res, rows: 4).0) }
        let (_, cache) = ln.forward(x, residual: res, rows: 4)
        let dx = ln.backward(w, cache: cache)
        var bad = GradientCheck.compare("dx", analytic: dx.array, buffer: x, loss)
        bad += GradientCheck.compare("dres", analytic: dx.array, buffer: res, loss)
        bad += GradientCheck.compare("dγ", analytic: ln.gamma.gradient.array, buffer: ln.gamma.value, loss)
        bad += GradientCheck.compare("dβ", analytic: ln.beta.gradient.array, buffer: ln.beta.value, loss)
        #expect(bad.isEmpty, "\(bad)")
    }

    @Test("GELU (erf form): dx")
    func gelu() {
        var r = TestRandom(5)
        let x = r.buffer(40, scale: 2), w = r.buffer(40)
        func loss() -> Double { let y = FloatBuffer(count: 40); GELUOp.forward(x.base, count: 40, into: y.base); return dot(w, y) }
        let dx = FloatBuffer(count: 40)
        GELUOp.backward(x: x.base, dy: w.base, count: 40, into: dx.base)
        let bad = GradientCheck.compare("dx", analytic: dx.array, buffer: x, maxProbes: 40, loss)
        #expect(bad.isEmpty, "\(bad)")
    }

    @Test("masked multi-head self-attention over packed sequences: dQ, dK, dV")
    func selfAttention() {
        var r = TestRandom(6)
        let offsets = [0, 3, 7, 8], rows = 8, hidden = 8, heads = 2
        let q = r.buffer(rows * hidden), k = r.buffer(rows * hidden), v = r.buffer(rows * hidden), w = r.buffer(rows * hidden)
        let probs = FloatBuffer(count: SelfAttentionOp.probabilityCount(offsets: offsets, heads: heads))
        func forward() -> FloatBuffer {
            let ctx = FloatBuffer(count: rows * hidden)
            SelfAttentionOp.forward(q: q.base, k: k.base, v: v.base, offsets: offsets, heads: heads, hidden: hidden,
                                    probabilities: probs.base, into: ctx.base)
            return ctx
        }
        func loss() -> Double { dot(w, forward()) }
        _ = forward()
        let dq = FloatBuffer(count: rows * hidden), dk = FloatBuffer(count: rows * hidden), dv = FloatBuffer(count: rows * hidden)
        SelfAttentionOp.backward(dctx: w.base, q: q.base, k: k.base, v: v.base, probabilities: probs.base, offsets: offsets,
                                 heads: heads, hidden: hidden, dq: dq.base, dk: dk.base, dv: dv.base)
        var bad = GradientCheck.compare("dQ", analytic: dq.array, buffer: q, maxProbes: 64, loss)
        bad += GradientCheck.compare("dK", analytic: dk.array, buffer: k, maxProbes: 64, loss)
        bad += GradientCheck.compare("dV", analytic: dv.array, buffer: v, maxProbes: 64, loss)
        #expect(bad.isEmpty, "\(bad)")
        // the mask: a token's output does not depend on another sequence's keys
        let before = forward()
        k[7 * hidden] += 5
        let after = forward()
        #expect((0..<(7 * hidden)).allSatisfy { before[$0] == after[$0] })
    }

    @Test("cross-attention with a one-vector memory: dz, dh, dW_v, dW_o, LayerNorm; query/key have no effect")
    func crossAttention() throws {
        var r = TestRandom(7)
        let block = try CrossAttentionBlock("c", hidden: 8, epsilon: 1e-12, source: TinyModels.source(8), group: .head)
        TinyModels.perturbNorms(block.parameters, seed: 9)
        let z = r.buffer(4 * 8), h = r.buffer(3 * 8), w = r.buffer(3 * 4 * 8)
        func loss() -> Double { dot(w, block.forward(z, length: 4, memory: h, passages: 3).0) }
        let (_, c) = block.forward(z, length: 4, memory: h, passages: 3)
        let (dz, dh) = block.backward(w, cache: c)
        var bad = GradientCheck.compare("dz", analytic: dz.array, buffer: z, maxProbes: 32, loss)
        bad += GradientCheck.compare("dh", analytic: dh.array, buffer: h, maxProbes: 24, loss)
        for p in [block.value.weight, block.value.bias, block.output.weight, block.output.bias,
                  block.norm.gamma, block.norm.beta, block.query.weight, block.key.weight] {
            bad += GradientCheck.compare(p.name, analytic: p.gradient.array, buffer: p.value, loss)
        }
        #expect(bad.isEmpty, "\(bad)")
        #expect(block.query.weight.gradient.array.allSatisfy { $0 == 0 })
    }

    @Test("embeddings (word + position + token type, LayerNorm): table gradients")
    func embeddings() throws {
        let c = TinyModels.config
        let e = try EmbeddingLayer(prefix: "", vocabulary: c.vocabularySize, positions: c.maxPositionEmbeddings, types: 2,
                                   hidden: 8, epsilon: 1e-12, source: TinyModels.source(10), group: .backbone)
        TinyModels.perturbNorms(e.parameters, seed: 11)
        var r = TestRandom(12)
        let seqs: [[Int32]] = [[1, 5, 5, 2], [1, 7, 2]], w = r.buffer(7 * 8)
        func loss() -> Double { dot(w, e.forward(seqs, rows: 7).0) }
        let (_, cache) = e.forward(seqs, rows: 7)
        e.backward(w, cache: cache)
        var bad: [String] = []
        for p in e.parameters { bad += GradientCheck.compare(p.name, analytic: p.gradient.array, buffer: p.value, maxProbes: 48, loss) }
        #expect(bad.isEmpty, "\(bad)")
    }

    @Test("mean pooling, CLS pooling and L2 normalisation: dx")
    func poolingAndNormalization() {
        var r = TestRandom(13)
        let offsets = [0, 2, 5], x = r.buffer(5 * 6), w = r.buffer(2 * 6)
        for mode in [0, 1] {
            func forward() -> FloatBuffer {
                let p = FloatBuffer(count: 12), y = FloatBuffer(count: 12), n = FloatBuffer(count: 2)
                if mode == 0 { PoolingOp.meanForward(x.base, offsets: offsets, hidden: 6, into: p.base) }
                else { PoolingOp.clsForward(x.base, offsets: offsets, hidden: 6, into: p.base) }
                L2NormalizationOp.forward(p.base, rows: 2, count: 6, into: y.base, norms: n.base)
                return y
            }
            func loss() -> Double { dot(w, forward()) }
            let p = FloatBuffer(count: 12), y = FloatBuffer(count: 12), n = FloatBuffer(count: 2)
            if mode == 0 { PoolingOp.meanForward(x.base, offsets: offsets, hidden: 6, into: p.base) }
            else { PoolingOp.clsForward(x.base, offsets: offsets, hidden: 6, into: p.base) }
            L2NormalizationOp.forward(p.base, rows: 2, count: 6, into: y.base, norms: n.base)
            let dp = FloatBuffer(count: 12), dx = FloatBuffer(count: 30)
            L2NormalizationOp.backward(dy: w.base, y: y.base, norms: n.base, rows: 2, count: 6, into: dp.base)
            if mode == 0 { PoolingOp.meanBackward(dout: dp.base, offsets: offsets, hidden: 6, into: dx.base) }
            else { PoolingOp.clsBackward(dout: dp.base, offsets: offsets, hidden: 6, rows: 5, into: dx.base) }
            let bad = GradientCheck.compare(mode == 0 ? "mean" : "cls", analytic: dx.array, buffer: x, maxProbes: 30, loss)
            #expect(bad.isEmpty, "\(bad)")
        }
    }

    @Test("softmax cross-entropy (MLM reconstruction loss) and the MLM head")
    func crossEntropyAndMLMHead() throws {
        var r = TestRandom(14)
        let z = r.buffer(3 * 7, scale: 2), targets = [2, 0, 6]
        func loss() -> Double {
            let copy = FloatBuffer(z.array)
            return SoftmaxCrossEntropyOp.lossAndGradient(copy.base, rows: 3, columns: 7, targets: targets)
        }
        let g = FloatBuffer(z.array)
        _ = SoftmaxCrossEntropyOp.lossAndGradient(g.base, rows: 3, columns: 7, targets: targets)
        var bad = GradientCheck.compare("logits", analytic: g.array, buffer: z, maxProbes: 21, loss)

        let mlm = try MLMHead(hidden: 8, vocabulary: 20, epsilon: 1e-12, source: TinyModels.source(15))
        TinyModels.perturbNorms(mlm.parameters, seed: 16)
        let x = r.buffer(4 * 8), t = [3, 9, 0, 19]
        func mlmLoss() -> Double {
            let saved = mlm.parameters.map { $0.gradient.array }
            let l = mlm.lossAndBackward(x, rows: 4, targets: t, weight: 1).0
            for (p, s) in zip(mlm.parameters, saved) { p.gradient.copy(from: FloatBuffer(s)) }
            return l
        }
        let (_, dx) = mlm.lossAndBackward(x, rows: 4, targets: t, weight: 1)
        bad += GradientCheck.compare("dz", analytic: dx.array, buffer: x, maxProbes: 32, mlmLoss)
        for p in mlm.parameters { bad += GradientCheck.compare(p.name, analytic: p.gradient.array, buffer: p.value, mlmLoss) }
        #expect(bad.isEmpty, "\(bad)")
    }

    @Test("InfoNCE over in-batch and hard negatives: dq, dp")
    func infoNCE() {
        var r = TestRandom(17)
        let b = 3, g = 2, d = 5
        let q = r.buffer(b * d), p = r.buffer(b * g * d)
        func loss() -> Double {
            let a = FloatBuffer(count: b * d), c = FloatBuffer(count: b * g * d)
            return InfoNCEOp.lossAndGradients(q: q.base, queries: b, p: p.base, passages: b * g, dimension: d, group: g,
                                              scale: 2, dq: a.base, dp: c.base)
        }
        let dq = FloatBuffer(count: b * d), dp = FloatBuffer(count: b * g * d)
        let l = InfoNCEOp.lossAndGradients(q: q.base, queries: b, p: p.base, passages: b * g, dimension: d, group: g,
                                           scale: 2, dq: dq.base, dp: dp.base)
        #expect(l > 0)
        var bad = GradientCheck.compare("dq", analytic: dq.array, buffer: q, maxProbes: 15, loss)
        bad += GradientCheck.compare("dp", analytic: dp.array, buffer: p, maxProbes: 30, loss)
        #expect(bad.isEmpty, "\(bad)")
    }
}
