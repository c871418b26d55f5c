import VectorKernels

/// Turns the token states of packed sequences into one vector each (mean or CLS, optional L2 norm).
enum Pooling {
    /// Pools rows `offsets[s]..<offsets[s+1]` of `x` (`rows × hidden`) into `out[s]`.
    static func pool(_ x: UnsafePointer<Float>, offsets: [Int], hidden: Int, _ config: PoolingConfiguration,
                     into out: UnsafeMutablePointer<Float>) {
        for s in 0..<(offsets.count - 1) {
            let o = offsets[s], n = offsets[s + 1] - offsets[s]
            let dst = out + s * hidden
            switch config.mode {
            case .cls:
                dst.update(from: x + o * hidden, count: hidden)
            case .mean:
                dst.update(repeating: 0, count: hidden)
                for r in 0..<n {
                    let row = x + (o + r) * hidden
                    for j in 0..<hidden { dst[j] += row[j] }
                }
                let inv = 1 / Float(max(1, n))
                for j in 0..<hidden { dst[j] *= inv }
            }
            if config.normalize { Normalization.normalize(dst, count: hidden) }
        }
    }
}
