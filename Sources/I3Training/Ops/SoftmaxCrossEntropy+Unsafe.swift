import Foundation

/// Mean softmax cross-entropy of logit rows against integer targets (the MLM head's reconstruction
/// loss; the InfoNCE loss over score rows). Accumulated in double precision.
///
///     loss = (1/R)·Σ_r (logsumexp(z_r) − z_r[t_r]),     dz_r = (softmax(z_r) − onehot(t_r)) / R
enum SoftmaxCrossEntropyOp {
    /// Returns the mean loss and overwrites `logits` with `scale·(softmax − onehot)/R` (the gradient
    /// of `scale·loss`).
    static func lossAndGradient(_ logits: UnsafeMutablePointer<Float>, rows: Int, columns c: Int, targets: [Int],
                                gradientScale scale: Float = 1) -> Double {
        guard rows > 0 else { return 0 }
        var total = 0.0
        let invR = scale / Float(rows)
        for r in 0..<rows {
            let z = logits + r * c
            var m = -Float.infinity
            for j in 0..<c { m = max(m, z[j]) }
            var s = 0.0
            for j in 0..<c { s += exp(Double(z[j] - m)) }
            let lse = Double(m) + log(s)
            total += lse - Double(z[targets[r]])
            for j in 0..<c { z[j] = Float(exp(Double(z[j]) - lse)) * invR }
            z[targets[r]] -= invR
        }
        return total / Double(rows)
    }
}
