/// Row-wise L2 normalisation `y = x / ‖x‖` (sentence-transformers `Normalize`; a zero row stays zero,
/// as `VectorKernels.Normalization`).
///
/// Backward: `dx = (dy − y·(y·dy)) / ‖x‖`.
enum L2NormalizationOp {
    static func forward(_ x: UnsafePointer<Float>, rows: Int, count n: Int, into y: UnsafeMutablePointer<Float>,
                        norms: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let xr = x + r * n, yr = y + r * n
            var s = 0.0
            for i in 0..<n { s += Double(xr[i]) * Double(xr[i]) }
            let norm = Float(s.squareRoot())
            norms[r] = norm
            let inv: Float = norm > 0 ? 1 / norm : 0
            for i in 0..<n { yr[i] = xr[i] * inv }
        }
    }

    static func backward(dy: UnsafePointer<Float>, y: UnsafePointer<Float>, norms: UnsafePointer<Float>, rows: Int,
                         count n: Int, into dx: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let g = dy + r * n, yr = y + r * n, o = dx + r * n
            guard norms[r] > 0 else { o.update(repeating: 0, count: n); continue }
            var dot: Float = 0
            for i in 0..<n { dot += yr[i] * g[i] }
            let inv = 1 / norms[r]
            for i in 0..<n { o[i] = (g[i] - yr[i] * dot) * inv }
        }
    }
}
