import CVectorKernels
import Foundation

/// Exact GELU as BERT (`hidden_act = "gelu"`): `y = x·Φ(x) = 0.5·x·(1 + erf(x/√2))`.
/// Forward uses the inference SIMD kernel, so training and inference agree bit for bit.
///
/// Backward: `dx = dy·(Φ(x) + x·φ(x))`, `φ(x) = exp(−x²/2)/√(2π)`.
enum GELUOp {
    static func forward(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<Float>) {
        y.update(from: x, count: count)
        ivk_gelu_erf_f32(y, count)
    }

    static func backward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, count: Int,
                         into dx: UnsafeMutablePointer<Float>) {
        let invSqrt2 = 1 / Float(2).squareRoot()
        let invSqrt2Pi = 1 / Float(2 * Double.pi).squareRoot()
        for i in 0..<count {
            let v = x[i]
            let cdf = 0.5 * (1 + erff(v * invSqrt2))
            let pdf = expf(-0.5 * v * v) * invSqrt2Pi
            dx[i] = dy[i] * (cdf + v * pdf)
        }
    }
}
