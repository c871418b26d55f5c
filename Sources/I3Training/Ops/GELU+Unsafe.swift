import CVectorKernels

/// Exact GELU as BERT (`hidden_act = "gelu"`): `y = x·Φ(x) = 0.5·x·(1 + erf(x/√2))`.
/// Forward uses the inference SIMD kernel, so training and inference agree bit for bit.
///
/// Backward: `dx = dy·(Φ(x) + x·φ(x))`, `φ(x) = exp(−x²/2)/√(2π)` (`ivk_gelu_erf_grad_f32`, SIMD with a
/// scalar twin). Both run in chunks on the training workers.
enum GELUOp {
    static let chunk = 16_384

    static func forward(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<Float>) {
        ParallelChunks.forEach(count: count, minimumPerChunk: chunk, granularity: 16) { _, r in
            (y + r.lowerBound).update(from: x + r.lowerBound, count: r.count)
            ivk_gelu_erf_f32(y + r.lowerBound, r.count)
        }
    }

    /// `dx` may be `dy`.
    static func backward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, count: Int,
                         into dx: UnsafeMutablePointer<Float>) {
        ParallelChunks.forEach(count: count, minimumPerChunk: chunk, granularity: 16) { _, r in
            ivk_gelu_erf_grad_f32(x + r.lowerBound, dy + r.lowerBound, dx + r.lowerBound, r.count)
        }
    }
}
