import Foundation
import Testing
@testable import I3Training

/// AdamW, the schedule and clipping against hand-computed values (torch.optim.AdamW's formulas).
@Suite("Optimizer")
struct OptimizerTests {
    @Test("AdamW: two updates equal the closed form; no decay on vectors; frozen parameters unchanged")
    func adamW() {
        let w = Parameter(name: "w", shape: [1, 2], values: [1, -2], group: .backbone)
        let b = Parameter(name: "b", shape: [2], values: [0.5, 0.5], group: .head)
        let f = Parameter(name: "f", shape: [1], values: [3], group: .backbone)
        f.frozen = true
        var s = AdamW.Settings()
        s.weightDecay = 0.1
        let opt = AdamW(parameters: [w, b, f], settings: s)
        let grads: [[Float]] = [[0.2, -0.4], [0.1, 0.3]]
        // reference in double precision
        var ref = [1.0, -2.0], m = [0.0, 0.0], v = [0.0, 0.0]
        for (t, g) in grads.enumerated() {
            w.gradient[0] = g[0]; w.gradient[1] = g[1]
            b.gradient[0] = 1; b.gradient[1] = 1; f.gradient[0] = 1
            opt.update { $0 == .head ? 0.5 : 0.01 }
            for i in 0..<2 {
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i]); v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                let mh = m[i] / (1 - pow(0.9, Double(t + 1))), vh = v[i] / (1 - pow(0.999, Double(t + 1)))
                ref[i] -= 0.01 * (mh / (vh.squareRoot() + 1e-8) + 0.1 * ref[i])
            }
        }
        #expect(abs(Double(w.value[0]) - ref[0]) < 1e-6 && abs(Double(w.value[1]) - ref[1]) < 1e-6)
        // bias: gradient 1 twice → m̂/√v̂ = 1 each step, lr 0.5 (head group), no weight decay
        #expect(abs(b.value[0] - (0.5 - 2 * 0.5)) < 1e-5)
        #expect(f.value[0] == 3)
        #expect(opt.step == 2)
    }

    @Test("warm-up then linear decay; global-norm clipping")
    func scheduleAndClipping() {
        let s = LearningRateSchedule(warmupSteps: 4, totalSteps: 12)
        #expect(s.factor(step: 1) == 0.25 && s.factor(step: 4) == 1)
        #expect(s.factor(step: 8) == 0.5 && s.factor(step: 12) == 0)
        let p = Parameter(name: "p", shape: [2], values: [0, 0], group: .backbone)
        p.gradient[0] = 3; p.gradient[1] = 4
        #expect(clipGradients([p], maxNorm: 1) == 5)
        #expect(abs(p.gradient[0] - 0.6) < 1e-6 && abs(p.gradient[1] - 0.8) < 1e-6)
        #expect(clipGradients([p], maxNorm: 10) < 1.0001)
        #expect(abs(p.gradient[0] - 0.6) < 1e-6)
    }
}
