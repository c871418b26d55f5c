import CBLAS
import IndexCore
import VectorKernels

/// An orthogonal rotation applied before quantization: OPQ, non-parametric variant (Ge, He, Ke & Sun,
/// *Optimized Product Quantization*, TPAMI 2014, §3.1), as faiss `OPQMatrix` trains it.
///
/// `matrix` is `d × d` row-major; a vector `x` (a row) becomes `x · R`. Because `R` is orthogonal, inner
/// products and L2 distances are unchanged, so queries are rotated the same way and exact re-ranking uses
/// the original vectors.
///
/// Training alternates (faiss defaults: 50 iterations; PQ k-means 40 iterations the first time, then 4,
/// hot-started from the previous codebooks; at most 256 × 256 training vectors):
/// 1. fix `R`: train the PQ on `X·R`, reconstruct `Y`;
/// 2. fix `Y`: `R = argmin ‖X·R − Y‖` over orthogonal matrices = the orthogonal polar factor `U·Vᵀ` of
///    `Xᵀ·Y = U·S·Vᵀ` (orthogonal Procrustes). The polar factor is computed with the Newton–Schulz
///    iteration `Z ← Z·(3I − ZᵀZ)/2` (matrix products only, BLAS), so no LAPACK is needed.
/// `R` starts as the polar factor of a seeded Gaussian matrix, i.e. a uniformly random rotation.
struct OPQRotation: Sendable {
    let dimension: Int
    let matrix: [Float]

    /// Rotates `n` row vectors (`n × d`).
    func apply(_ x: [Float]) -> [Float] {
        let n = x.count / dimension
        var out = [Float](repeating: 0, count: x.count)
        guard n > 0 else { return out }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(dimension), Int32(dimension),
                    1, x, Int32(dimension), matrix, Int32(dimension), 0, &out, Int32(dimension))
        return out
    }

    static func train(_ x: [Float], dimension d: Int, m: Int, seed: UInt64, iterations: Int = 50,
                      pqIterations: Int = 4, firstPQIterations: Int = 40, threads: Int = 0) throws -> OPQRotation {
        let cap = 256 * ProductQuantizer.ksub
        let n0 = x.count / d
        let sample = n0 > cap ? IVFPQIndex.sampleRows(x, dimension: d, count: cap, seed: seed &+ 7) : x
        let n = sample.count / d
        var rng = SeededRandom(seed: seed &+ 11)
        var r = try polarFactor((0..<(d * d)).map { _ in rng.nextGaussian() }, dimension: d)
        var pq: ProductQuantizer? = nil
        for it in 0..<iterations {
            let xr = OPQRotation(dimension: d, matrix: r).apply(sample)
            let trained = try ProductQuantizer.train(xr, dimension: d, m: m,
                                                     iterations: it == 0 ? firstPQIterations : pqIterations,
                                                     seed: seed, threads: threads, initial: pq)
            pq = trained
            let y = trained.decode(trained.encode(xr, count: n, threads: threads), count: n)
            var xty = [Float](repeating: 0, count: d * d)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(d), Int32(n),
                        1, sample, Int32(d), y, Int32(d), 0, &xty, Int32(d))
            r = try polarFactor(xty, dimension: d)
        }
        return OPQRotation(dimension: d, matrix: r)
    }

    /// The orthogonal polar factor of the square matrix `a` (Newton–Schulz on `a / ‖a‖_F`).
    /// - Throws: `IndexError.trainingFailed` when the iteration does not converge (a singular matrix).
    static func polarFactor(_ a: [Float], dimension d: Int) throws -> [Float] {
        var frob = 0.0
        for v in a { frob += Double(v) * Double(v) }
        guard frob > 0, frob.isFinite else { throw IndexError.trainingFailed("OPQ: degenerate matrix in the rotation update") }
        var z = a.map { Float(Double($0) / frob.squareRoot()) }
        var ztz = [Float](repeating: 0, count: d * d)
        var next = [Float](repeating: 0, count: d * d)
        for _ in 0..<100 {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(d), Int32(d),
                        1, z, Int32(d), z, Int32(d), 0, &ztz, Int32(d))
            var err = 0.0
            for i in 0..<d {
                for j in 0..<d {
                    let e = Double(ztz[i * d + j]) - (i == j ? 1 : 0)
                    err += e * e
                }
            }
            if err.squareRoot() < 1e-5 * Double(d).squareRoot() { return z }
            // B = (3I − ZᵀZ)/2; Z ← Z·B
            for i in 0..<(d * d) { ztz[i] *= -0.5 }
            for i in 0..<d { ztz[i * d + i] += 1.5 }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(d), Int32(d),
                        1, z, Int32(d), ztz, Int32(d), 0, &next, Int32(d))
            swap(&z, &next)
        }
        throw IndexError.trainingFailed("OPQ: the rotation update did not converge (the training vectors may span a lower-dimensional space)")
    }
}
