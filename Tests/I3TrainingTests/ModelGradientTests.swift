import Foundation
import Testing
@testable import I3Training
import I3Encoder

/// Finite-difference checks of a whole BERT layer and of the whole model (towers, head, both losses).
@Suite("Gradient checks: layer and whole model")
struct ModelGradientTests {
    @Test("one post-LN BERT layer: dx and every parameter")
    func layer() throws {
        let layer = try TransformerLayer("l", hidden: 8, heads: 2, intermediate: 16, epsilon: 1e-12,
                                         source: TinyModels.source(20), group: .backbone)
        TinyModels.perturbNorms(layer.parameters, seed: 21)
        var r = TestRandom(22)
        let offsets = [0, 4, 9], x = r.buffer(9 * 8), w = r.buffer(9 * 8)
        func loss() -> Double { dot(w, layer.forward(x, rows: 9, offsets: offsets).0) }
        let (_, cache) = layer.forward(x, rows: 9, offsets: offsets)
        let dx = layer.backward(w, cache: cache)
        var bad = GradientCheck.compare("dx", analytic: dx.array, buffer: x, maxProbes: 36, loss)
        for p in layer.parameters { bad += GradientCheck.compare(p.name, analytic: p.gradient.array, buffer: p.value, loss) }
        #expect(bad.isEmpty, "\(bad)")
    }

    /// A tiny dual encoder: mean pooling + L2 (cosine model), shared towers, with or without a head.
    static func model(head: Bool, normalize: Bool = true, seed: UInt64 = 30) throws -> TrainableDualEncoder {
        let c = TinyModels.config
        let tower = try BertTower(config: c, pooling: PoolingConfiguration(trainingMode: .mean, normalize: normalize),
                                  source: TinyModels.source(seed))
        var h: I3HeadModel?
        if head {
            h = try I3HeadModel(config: c, heads: 2, pseudoQueryLength: 6, classID: 1, maskID: 3, separatorID: 2,
                                source: TinyModels.source(seed + 1))
        }
        let m = try TrainableDualEncoder(queryTower: tower, passageTower: tower, head: h, scale: 3)
        TinyModels.perturbNorms(m.parameters, seed: seed + 2)
        return m
    }

    static let batch = TrainingBatch(
        queries: [[1, 4, 5, 2], [1, 6, 2], [1, 7, 8, 9, 2]],
        passages: [[1, 4, 10, 11, 2], [1, 12, 2], [1, 6, 13, 2], [1, 14, 15, 16, 2], [1, 7, 9, 17, 18, 2], [1, 19, 2]],
        group: 2, targets: [[4, 5], [], [6], [], [7, 8, 9], []])

    @Test("whole model, shared towers + I^3 head, InfoNCE + β·reconstruction: every parameter tensor")
    func wholeModelWithHead() throws {
        let m = try Self.model(head: true)
        let beta: Float = 0.5
        func loss() -> Double {
            let saved = m.parameters.map { $0.gradient.array }
            let l = (try? m.accumulateGradients(Self.batch, beta: beta).total) ?? .nan
            for (p, s) in zip(m.parameters, saved) { p.gradient.copy(from: FloatBuffer(s)) }
            return l
        }
        m.zeroGradients()
        let l = try m.accumulateGradients(Self.batch, beta: beta)
        #expect(l.reconstruction > 0 && l.contrastive > 0)
        var bad: [String] = [], checked = 0
        for p in m.parameters where !p.frozen {
            bad += GradientCheck.compare(p.name, analytic: p.gradient.array, buffer: p.value, maxProbes: 4, loss)
            checked += 1
        }
        #expect(checked > 60)
        #expect(bad.isEmpty, "\(bad.prefix(10))")
    }

    @Test("whole model without head, lowest layer frozen: trained parameters match, frozen ones get nothing")
    func wholeModelFrozen() throws {
        let m = try Self.model(head: false, seed: 40)
        m.queryTower.freeze(lowestLayers: 1)
        func loss() -> Double {
            let saved = m.parameters.map { $0.gradient.array }
            let l = (try? m.accumulateGradients(Self.batch, beta: 0).total) ?? .nan
            for (p, s) in zip(m.parameters, saved) { p.gradient.copy(from: FloatBuffer(s)) }
            return l
        }
        m.zeroGradients()
        _ = try m.accumulateGradients(Self.batch, beta: 0)
        var bad: [String] = []
        for p in m.parameters {
            if p.frozen { #expect(p.gradient.array.allSatisfy { $0 == 0 }, "\(p.name) is frozen") }
            else { bad += GradientCheck.compare(p.name, analytic: p.gradient.array, buffer: p.value, maxProbes: 4, loss) }
        }
        #expect(bad.isEmpty, "\(bad.prefix(10))")
    }
}
