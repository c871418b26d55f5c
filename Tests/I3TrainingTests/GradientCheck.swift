import Foundation
@testable import I3Training
import I3Encoder
import VectorKernels

/// Central finite differences for the gradient checks.
///
/// Tolerance: the forward passes run in Float32, so one loss evaluation (O(1), summed in Double) carries
/// a rounding error of about 1e-6; divided by the step 2ε = 2e-2 that is ~1e-4 of noise in the numerical
/// gradient. The central difference's truncation error is ε²·|f'''|/6 ≈ 2e-5 for curvatures of order 1.
/// `|analytic − numeric| ≤ 2e-3 + 3e-2·max(|analytic|, |numeric|)` is therefore > 10× the expected
/// discrepancy, while a wrong backward pass (a missing term, a wrong transpose or scale) is off by a
/// sizeable fraction of the gradient itself and fails.
enum GradientCheck {
    static let epsilon: Float = 1e-2

    static func numeric(_ buffer: FloatBuffer, _ i: Int, _ f: () -> Double) -> Double {
        let old = buffer[i]
        let up = old + epsilon, down = old - epsilon
        buffer[i] = up
        let a = f()
        buffer[i] = down
        let b = f()
        buffer[i] = old
        return (a - b) / (Double(up) - Double(down))
    }

    static func agrees(_ analytic: Double, _ numeric: Double) -> Bool {
        abs(analytic - numeric) <= 2e-3 + 3e-2 * max(abs(analytic), abs(numeric))
    }

    /// Indices to probe in a buffer of `count` (all when small, else an even spread).
    static func probes(_ count: Int, max n: Int = 12) -> [Int] {
        count <= n ? Array(0..<count) : (0..<n).map { $0 * (count - 1) / (n - 1) }
    }

    /// Checks `analytic` (gradient of f w.r.t. `buffer`) at the probe points; returns the failures.
    static func compare(_ name: String, analytic: [Float], buffer: FloatBuffer, maxProbes: Int = 12,
                        _ f: () -> Double) -> [String] {
        var bad: [String] = []
        for i in probes(buffer.count, max: maxProbes) {
            let n = numeric(buffer, i, f)
            if !agrees(Double(analytic[i]), n) { bad.append("\(name)[\(i)]: analytic \(analytic[i]), numeric \(n)") }
        }
        return bad
    }
}

/// Seeded test data.
struct TestRandom {
    var rng: SeededRandom
    init(_ seed: UInt64) { rng = SeededRandom(seed: seed) }
    mutating func buffer(_ n: Int, scale: Float = 1) -> FloatBuffer {
        FloatBuffer((0..<n).map { _ in rng.nextGaussian() * scale })
    }
    mutating func array(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in rng.nextGaussian() * scale } }
}

/// Σ w·y in double precision (a random linear functional: its gradient w.r.t. y is w).
func dot(_ w: FloatBuffer, _ y: FloatBuffer) -> Double {
    var s = 0.0
    for i in 0..<min(w.count, y.count) { s += Double(w[i]) * Double(y[i]) }
    return s
}

enum TinyModels {
    /// hidden 8, 2 heads, 2 layers, intermediate 16, vocabulary 20, 16 positions.
    static var config: BertConfiguration {
        var c = BertConfiguration()
        c.vocabularySize = 20; c.hiddenSize = 8; c.layerCount = 2; c.headCount = 2
        c.intermediateSize = 16; c.maxPositionEmbeddings = 16; c.typeVocabularySize = 2
        return c
    }

    /// Random weights with σ = 0.3 (large enough that every non-linearity matters).
    static func source(_ seed: UInt64) -> RandomParameterSource { RandomParameterSource(seed: seed, standardDeviation: 0.3) }

    /// LayerNorm γ/β perturbed too, so their gradients are exercised away from 1/0.
    static func perturbNorms(_ ps: [Parameter], seed: UInt64) {
        var r = TestRandom(seed)
        for p in ps where p.name.contains("LayerNorm") {
            for i in 0..<p.count { p.value[i] += r.rng.nextGaussian() * 0.2 }
        }
    }
}
