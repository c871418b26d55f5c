import CBLAS

/// Dense (linear) layer `y = x·Wᵀ + b`, PyTorch layout `W[out, in]`; every product is SGEMM.
///
/// Backward, for `rows` input rows:
///
///     dW += dyᵀ · x        [out × in]
///     db += Σ_rows dy      [out]
///     dx  = dy · W         [rows × in]   (or += when accumulating into a shared input gradient)
///
/// The training workers (`ParallelChunks`) split `y` and `dx` by rows and `dW`, `db` by output
/// features, one SGEMM per chunk on the worker's own thread.
enum DenseOp {
    /// Rows (or output features) below which a product is not split further.
    static let minimumChunk = 64

    static func forward(_ x: UnsafePointer<Float>, rows: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                        inFeatures: Int, outFeatures: Int, into y: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        let o = outFeatures, i = inFeatures
        ParallelChunks.forEach(count: rows, minimumPerChunk: minimumChunk) { _, range in
            let yc = y + range.lowerBound * o
            for r in 0..<range.count { (yc + r * o).update(from: bias, count: o) }
            i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasTrans, Int32(range.count), Int32(o), Int32(i),
                        1, x + range.lowerBound * i, Int32(i), weight, Int32(i), 1, yc, Int32(o))
        }
    }

    static func backward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, rows: Int, weight: UnsafePointer<Float>,
                         inFeatures: Int, outFeatures: Int,
                         weightGradient: UnsafeMutablePointer<Float>?, biasGradient: UnsafeMutablePointer<Float>?,
                         inputGradient: UnsafeMutablePointer<Float>?, accumulateInput: Bool) {
        guard rows > 0 else { return }
        let i = inFeatures, o = outFeatures
        if weightGradient != nil || biasGradient != nil {
            // Output features split over the workers: each owns rows o₀..<o₁ of dW and entries of db.
            ParallelChunks.forEach(count: o, minimumPerChunk: minimumChunk) { _, features in
                if let dW = weightGradient {
                    i3blas_sgemm(I3BlasRowMajor, I3BlasTrans, I3BlasNoTrans, Int32(features.count), Int32(i), Int32(rows),
                                1, dy + features.lowerBound, Int32(o), x, Int32(i), 1, dW + features.lowerBound * i, Int32(i))
                }
                if let db = biasGradient {
                    for r in 0..<rows {
                        let row = dy + r * o
                        for j in features { db[j] += row[j] }
                    }
                }
            }
        }
        if let dx = inputGradient {
            ParallelChunks.forEach(count: rows, minimumPerChunk: minimumChunk) { _, range in
                i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasNoTrans, Int32(range.count), Int32(i), Int32(o), 1,
                            dy + range.lowerBound * o, Int32(o), weight, Int32(i),
                            accumulateInput ? 1 : 0, dx + range.lowerBound * i, Int32(i))
            }
        }
    }
}
