/// Mean pooling (sentence-transformers `pooling_mode_mean_tokens`) or the first ([CLS]) row, over
/// packed sequences; one output row per sequence.
///
/// Backward of the mean: every token row of sequence s receives `dout[s] / n_s`; of CLS: row 0 only.
enum PoolingOp {
    static func meanForward(_ x: UnsafePointer<Float>, offsets: [Int], hidden h: Int, into out: UnsafeMutablePointer<Float>) {
        for s in 0..<(offsets.count - 1) {
            let o = offsets[s], n = offsets[s + 1] - o, dst = out + s * h
            dst.update(repeating: 0, count: h)
            for r in 0..<n { let row = x + (o + r) * h; for j in 0..<h { dst[j] += row[j] } }
            let inv = 1 / Float(max(1, n))
            for j in 0..<h { dst[j] *= inv }
        }
    }

    static func meanBackward(dout: UnsafePointer<Float>, offsets: [Int], hidden h: Int, into dx: UnsafeMutablePointer<Float>) {
        for s in 0..<(offsets.count - 1) {
            let o = offsets[s], n = offsets[s + 1] - o, g = dout + s * h
            let inv = 1 / Float(max(1, n))
            for r in 0..<n { let row = dx + (o + r) * h; for j in 0..<h { row[j] = g[j] * inv } }
        }
    }

    static func clsForward(_ x: UnsafePointer<Float>, offsets: [Int], hidden h: Int, into out: UnsafeMutablePointer<Float>) {
        for s in 0..<(offsets.count - 1) { (out + s * h).update(from: x + offsets[s] * h, count: h) }
    }

    static func clsBackward(dout: UnsafePointer<Float>, offsets: [Int], hidden h: Int, rows: Int,
                            into dx: UnsafeMutablePointer<Float>) {
        dx.update(repeating: 0, count: rows * h)
        for s in 0..<(offsets.count - 1) { (dx + offsets[s] * h).update(from: dout + s * h, count: h) }
    }
}
