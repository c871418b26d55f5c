import Foundation

/// AdamW (decoupled weight decay, Loshchilov & Hutter) with bias correction, as `torch.optim.AdamW`:
///
///     m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  θ ← θ − lr·(m̂/(√v̂ + ε) + λθ)
///
/// Weight decay is not applied to biases and LayerNorm parameters (the usual BERT recipe).
public final class AdamW {
    public struct Settings: Sendable, Equatable, Codable {
        public var beta1: Float = 0.9
        public var beta2: Float = 0.999
        public var epsilon: Float = 1e-8
        public var weightDecay: Float = 0.01
        public init() {}
    }

    public let settings: Settings
    let parameters: [Parameter]
    /// First and second moments, one pair per parameter (same order).
    let first: [FloatBuffer]
    let second: [FloatBuffer]
    /// Updates done so far (bias correction).
    public internal(set) var step = 0

    public init(parameters: [Parameter], settings: Settings = .init()) {
        self.parameters = parameters
        self.settings = settings
        first = parameters.map { FloatBuffer(count: $0.count) }
        second = parameters.map { FloatBuffer(count: $0.count) }
    }

    /// One update with learning rate `lr(group)`.
    public func update(learningRate lr: (ParameterGroup) -> Float) {
        step += 1
        let s = settings
        let c1 = 1 - powf(s.beta1, Float(step)), c2 = 1 - powf(s.beta2, Float(step))
        for (k, p) in parameters.enumerated() where !p.frozen {
            let rate = lr(p.group)
            let decay = p.shape.count > 1 ? s.weightDecay : 0
            let w = p.value.base, g = p.gradient.base, m = first[k].base, v = second[k].base
            for i in 0..<p.count {
                let gi = g[i]
                m[i] = s.beta1 * m[i] + (1 - s.beta1) * gi
                v[i] = s.beta2 * v[i] + (1 - s.beta2) * gi * gi
                let mh = m[i] / c1, vh = v[i] / c2
                w[i] -= rate * (mh / (vh.squareRoot() + s.epsilon) + decay * w[i])
            }
        }
    }
}

/// Linear warm-up to the peak rate, then linear decay to zero at `totalSteps` (the BERT schedule).
public struct LearningRateSchedule: Sendable, Equatable, Codable {
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(warmupSteps: Int, totalSteps: Int) {
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// Multiplier of the peak rate for update number `step` (1-based).
    public func factor(step: Int) -> Float {
        if warmupSteps > 0, step <= warmupSteps { return Float(step) / Float(warmupSteps) }
        let rest = max(1, totalSteps - warmupSteps)
        return max(0, Float(totalSteps - step) / Float(rest))
    }
}

/// Scales all gradients so that their global L2 norm is at most `maxNorm`; returns the norm before.
@discardableResult
public func clipGradients(_ parameters: [Parameter], maxNorm: Float) -> Double {
    var sq = 0.0
    for p in parameters where !p.frozen { sq += p.gradient.sumOfSquares() }
    let norm = sq.squareRoot()
    if maxNorm > 0, norm > Double(maxNorm), norm.isFinite {
        let s = Float(Double(maxNorm) / norm)
        for p in parameters where !p.frozen { p.gradient.scale(by: s) }
    }
    return norm
}
