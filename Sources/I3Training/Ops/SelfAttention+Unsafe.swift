import CBLAS
import CVectorKernels

/// Masked multi-head scaled dot-product self-attention over packed sequences.
///
/// Sequences lie end to end (rows `offsets[s]..<offsets[s+1]`) and attend only within themselves:
/// this is the padding mask of a padded batch (an additive −∞ on every key outside the sequence),
/// without computing the padded rows. Per sequence and head (head size d, scale 1/√d):
///
///     S = scale·Q·Kᵀ,  P = softmax_rows(S),  C = P·V
///
/// Backward:
///
///     dV = Pᵀ·dC,  dP = dC·Vᵀ,  dS = P ⊙ (dP − rowsum(dP ⊙ P)),  dQ = scale·dS·K,  dK = scale·dSᵀ·Q
enum SelfAttentionOp {
    /// Floats needed to keep every sequence's attention probabilities for the backward pass.
    static func probabilityCount(offsets: [Int], heads: Int) -> Int {
        var n = 0
        for s in 0..<(offsets.count - 1) { let l = offsets[s + 1] - offsets[s]; n += l * l * heads }
        return n
    }

    /// Where each sequence's probabilities start (`heads` matrices of n × n per sequence, end to end).
    private static func probabilityStarts(offsets: [Int], heads: Int) -> [Int] {
        var starts: [Int] = [], at = 0
        for s in 0..<(offsets.count - 1) { starts.append(at); let l = offsets[s + 1] - offsets[s]; at += l * l * heads }
        return starts
    }

    /// One job per (sequence, head), spread over the training workers (`ParallelChunks`).
    static func forward(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                        offsets: [Int], heads: Int, hidden: Int,
                        probabilities: UnsafeMutablePointer<Float>, into ctx: UnsafeMutablePointer<Float>) {
        let d = hidden / heads
        let scale = 1 / Float(d).squareRoot()
        let ld = Int32(hidden)
        let starts = probabilityStarts(offsets: offsets, heads: heads)
        ParallelChunks.forEachItem((offsets.count - 1) * heads) { _, item in
            let s = item / heads, h = item % heads
            let o = offsets[s], n = offsets[s + 1] - offsets[s]
            guard n > 0 else { return }
            let col = o * hidden + h * d
            let p = probabilities + starts[s] + h * n * n
            i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasTrans, Int32(n), Int32(n), Int32(d),
                        scale, q + col, ld, k + col, ld, 0, p, Int32(n))
            ivk_softmax_rows_f32(p, n, n)
            i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasNoTrans, Int32(n), Int32(d), Int32(n),
                        1, p, Int32(n), v + col, ld, 0, ctx + col, ld)
        }
    }

    static func backward(dctx: UnsafePointer<Float>, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                         v: UnsafePointer<Float>, probabilities: UnsafePointer<Float>, offsets: [Int],
                         heads: Int, hidden: Int, dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>,
                         dv: UnsafeMutablePointer<Float>) {
        let d = hidden / heads
        let scale = 1 / Float(d).squareRoot()
        let ld = Int32(hidden)
        var maxN = 0
        for s in 0..<(offsets.count - 1) { maxN = max(maxN, offsets[s + 1] - offsets[s]) }
        let starts = probabilityStarts(offsets: offsets, heads: heads)
        let workers = ParallelChunks.workers
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, maxN * maxN * workers))
        defer { scratch.deallocate() }
        ParallelChunks.forEachItem((offsets.count - 1) * heads) { worker, item in
            let s = item / heads, h = item % heads
            let o = offsets[s], n = offsets[s + 1] - offsets[s]
            guard n > 0 else { return }
            let ni = Int32(n)
            let col = o * hidden + h * d
            let p = probabilities + starts[s] + h * n * n
            let dp = scratch + worker * maxN * maxN
            // dV = Pᵀ·dC
            i3blas_sgemm(I3BlasRowMajor, I3BlasTrans, I3BlasNoTrans, ni, Int32(d), ni, 1, p, ni,
                        dctx + col, ld, 0, dv + col, ld)
            // dP = dC·Vᵀ
            i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasTrans, ni, ni, Int32(d), 1, dctx + col, ld,
                        v + col, ld, 0, dp, ni)
            // dS = P ⊙ (dP − rowsum(dP ⊙ P))
            for r in 0..<n {
                let pr = p + r * n, gr = dp + r * n
                var dot: Float = 0
                for c in 0..<n { dot += pr[c] * gr[c] }
                for c in 0..<n { gr[c] = pr[c] * (gr[c] - dot) }
            }
            // dQ = scale·dS·K,  dK = scale·dSᵀ·Q
            i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasNoTrans, ni, Int32(d), ni, scale, dp, ni,
                        k + col, ld, 0, dq + col, ld)
            i3blas_sgemm(I3BlasRowMajor, I3BlasTrans, I3BlasNoTrans, ni, Int32(d), ni, scale, dp, ni,
                        q + col, ld, 0, dk + col, ld)
        }
    }
}
