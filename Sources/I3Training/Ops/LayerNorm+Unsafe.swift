/// LayerNorm over the last axis, `y = γ·x̂ + β` with `x̂ = (x − μ)·rstd`, `rstd = 1/√(σ² + ε)`.
/// Statistics in double precision, as the inference kernel (`BertKernels.addLayerNorm`).
///
/// Backward (per row, n features), with `g = dy·γ`:
///
///     dγ += Σ_rows dy·x̂,   dβ += Σ_rows dy
///     dx  = rstd · (g − mean(g) − x̂·mean(g·x̂))
///
/// Rows run in chunks on the training workers; dγ and dβ are summed per chunk and the chunks added in
/// order (deterministic for a thread count).
enum LayerNormOp {
    static let rowsPerChunk = 64

    /// `y = LN(x + residual)`; stores `x̂` and `rstd` for the backward pass.
    static func forward(_ x: UnsafePointer<Float>, residual: UnsafePointer<Float>?, rows: Int, count n: Int,
                        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float,
                        into y: UnsafeMutablePointer<Float>, normalized xhat: UnsafeMutablePointer<Float>,
                        rstd: UnsafeMutablePointer<Float>) {
        ParallelChunks.forEach(count: rows, minimumPerChunk: rowsPerChunk) { _, range in
          for r in range {
            let xr = x + r * n, yr = y + r * n, hr = xhat + r * n
            if let res = residual {
                let rr = res + r * n
                for i in 0..<n { yr[i] = xr[i] + rr[i] }
            } else {
                yr.update(from: xr, count: n)
            }
            var sum = 0.0
            for i in 0..<n { sum += Double(yr[i]) }
            let mean = sum / Double(n)
            var sq = 0.0
            for i in 0..<n { let d = Double(yr[i]) - mean; sq += d * d }
            let inv = Float(1 / (sq / Double(n) + Double(epsilon)).squareRoot())
            let m = Float(mean)
            rstd[r] = inv
            for i in 0..<n {
                let h = (yr[i] - m) * inv
                hr[i] = h
                yr[i] = h * gamma[i] + beta[i]
            }
          }
        }
    }

    static func backward(dy: UnsafePointer<Float>, normalized xhat: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                         rows: Int, count n: Int, gamma: UnsafePointer<Float>,
                         gammaGradient: UnsafeMutablePointer<Float>?, betaGradient: UnsafeMutablePointer<Float>?,
                         into dx: UnsafeMutablePointer<Float>) {
        let inv = 1 / Double(n)
        let chunks = ParallelChunks.chunks(count: rows, minimumPerChunk: rowsPerChunk)
        let wantsParameters = gammaGradient != nil && betaGradient != nil
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: wantsParameters ? max(1, chunks.count * 2 * n) : 1)
        if wantsParameters { partial.initialize(repeating: 0, count: chunks.count * 2 * n) }
        defer { partial.deallocate() }
        ParallelChunks.forEach(count: rows, minimumPerChunk: rowsPerChunk) { chunk, range in
            let dg = partial + chunk * 2 * n, db = dg + n
            for r in range {
                let g = dy + r * n, h = xhat + r * n, out = dx + r * n
                if wantsParameters {
                    for i in 0..<n { dg[i] += g[i] * h[i]; db[i] += g[i] }
                }
                var sg = 0.0, sgh = 0.0
                for i in 0..<n {
                    let gi = Double(g[i] * gamma[i])
                    sg += gi
                    sgh += gi * Double(h[i])
                }
                let mg = Float(sg * inv), mgh = Float(sgh * inv), s = rstd[r]
                for i in 0..<n { out[i] = s * (g[i] * gamma[i] - mg - h[i] * mgh) }
            }
        }
        if let dg = gammaGradient, let db = betaGradient {
            for c in 0..<chunks.count {
                let pg = partial + c * 2 * n, pb = pg + n
                for i in 0..<n { dg[i] += pg[i]; db[i] += pb[i] }
            }
        }
    }
}
