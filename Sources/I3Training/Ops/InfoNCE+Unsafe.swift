import CBLAS

/// InfoNCE over in-batch and hard negatives (released I^3 code, `τ = 1/scale`): query i's positive is
/// passage `i·group` (each query brings its positive then `group − 1` hard negatives), and every
/// passage of the batch is a candidate.
///
///     S = scale·Q·Pᵀ  [B × M],   loss = mean_i CE(S_i, i·group)
///     dQ = scale·dS·P,   dP = scale·dSᵀ·Q      (dS from `SoftmaxCrossEntropyOp`)
enum InfoNCEOp {
    /// Returns the loss; writes `dq` (`B × d`) and `dp` (`M × d`) for the loss times `lossWeight`.
    static func lossAndGradients(q: UnsafePointer<Float>, queries b: Int, p: UnsafePointer<Float>, passages m: Int,
                                 dimension d: Int, group: Int, scale: Float, lossWeight: Float = 1,
                                 dq: UnsafeMutablePointer<Float>, dp: UnsafeMutablePointer<Float>) -> Double {
        let s = UnsafeMutablePointer<Float>.allocate(capacity: max(1, b * m))
        defer { s.deallocate() }
        i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasTrans, Int32(b), Int32(m), Int32(d), scale, q, Int32(d),
                    p, Int32(d), 0, s, Int32(m))
        let loss = SoftmaxCrossEntropyOp.lossAndGradient(s, rows: b, columns: m, targets: (0..<b).map { $0 * group },
                                                         gradientScale: lossWeight)
        i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasNoTrans, Int32(b), Int32(d), Int32(m), scale, s, Int32(m),
                    p, Int32(d), 0, dq, Int32(d))
        i3blas_sgemm(I3BlasRowMajor, I3BlasTrans, I3BlasNoTrans, Int32(m), Int32(d), Int32(b), scale, s, Int32(m),
                    q, Int32(d), 0, dp, Int32(d))
        return loss
    }
}
