import CBLAS

/// Dense (linear) layer `y = x·Wᵀ + b`, PyTorch layout `W[out, in]`; every product is one SGEMM.
///
/// Backward, for `rows` input rows:
///
///     dW += dyᵀ · x        [out × in]
///     db += Σ_rows dy      [out]
///     dx  = dy · W         [rows × in]   (or += when accumulating into a shared input gradient)
enum DenseOp {
    static func forward(_ x: UnsafePointer<Float>, rows: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                        inFeatures: Int, outFeatures: Int, into y: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        let o = outFeatures
        for r in 0..<rows { (y + r * o).update(from: bias, count: o) }
        i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasTrans, Int32(rows), Int32(o), Int32(inFeatures),
                    1, x, Int32(inFeatures), weight, Int32(inFeatures), 1, y, Int32(o))
    }

    static func backward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, rows: Int, weight: UnsafePointer<Float>,
                         inFeatures: Int, outFeatures: Int,
                         weightGradient: UnsafeMutablePointer<Float>?, biasGradient: UnsafeMutablePointer<Float>?,
                         inputGradient: UnsafeMutablePointer<Float>?, accumulateInput: Bool) {
        guard rows > 0 else { return }
        let i = Int32(inFeatures), o = Int32(outFeatures)
        if let dW = weightGradient {
            i3blas_sgemm(I3BlasRowMajor, I3BlasTrans, I3BlasNoTrans, o, i, Int32(rows), 1, dy, o, x, i, 1, dW, i)
        }
        if let db = biasGradient {
            for r in 0..<rows {
                let row = dy + r * outFeatures
                for j in 0..<outFeatures { db[j] += row[j] }
            }
        }
        if let dx = inputGradient {
            i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasNoTrans, Int32(rows), i, o, 1, dy, o, weight, i,
                        accumulateInput ? 1 : 0, dx, i)
        }
    }
}
