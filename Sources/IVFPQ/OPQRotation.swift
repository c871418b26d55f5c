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
/// hot-started from the previous codebooks; at most 256 × 256 training vectors; `X` is that sample
/// centred on its mean, as in faiss, while `R` is later applied to uncentred vectors):
/// 1. fix `R`: train the PQ on `X·R`, reconstruct `Y`;
/// 2. fix `Y`: `R = argmin ‖X·R − Y‖` over orthogonal matrices = the orthogonal polar factor `U·Vᵀ` of
///    `Xᵀ·Y = U·S·Vᵀ` (orthogonal Procrustes), from a LAPACK SVD as in faiss. `Xᵀ·Y` is singular when the
///    training vectors span fewer than `d` dimensions (MiniLM: rank 382 of 384); the SVD handles that.
/// `R` starts as the polar factor of a seeded Gaussian matrix, i.e. a uniformly random rotation.
struct OPQRotation: Sendable {
    let dimension: Int
    let matrix: [Float]

    /// Rotates `n` row vectors (`n × d`).
    func apply(_ x: [Float]) -> [Float] {
        let n = x.count / dimension
        var out = [Float](repeating: 0, count: x.count)
        guard n > 0 else { return out }
        i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasNoTrans, Int32(n), Int32(dimension), Int32(dimension),
                     1, x, Int32(dimension), matrix, Int32(dimension), 0, &out, Int32(dimension))
        return out
    }

    static func train(_ x: [Float], dimension d: Int, m: Int, seed: UInt64, iterations: Int = 50,
                      pqIterations: Int = 4, firstPQIterations: Int = 40, threads: Int = 0) throws -> OPQRotation {
        let cap = 256 * ProductQuantizer.ksub
        let n0 = x.count / d
        let sample = n0 > cap ? IVFPQIndex.sampleRows(x, dimension: d, count: cap, seed: seed &+ 7) : x
        let n = sample.count / d
        // As faiss: the rotation is learned on the centred sample (applied to uncentred vectors later).
        let centred = centredRows(sample, dimension: d)
        var rng = SeededRandom(seed: seed &+ 11)
        var r = try polarFactor((0..<(d * d)).map { _ in rng.nextGaussian() }, dimension: d)
        var pq: ProductQuantizer? = nil
        for it in 0..<iterations {
            let xr = OPQRotation(dimension: d, matrix: r).apply(centred)
            let trained = try ProductQuantizer.train(xr, dimension: d, m: m,
                                                     iterations: it == 0 ? firstPQIterations : pqIterations,
                                                     seed: seed, threads: threads, initial: pq)
            pq = trained
            let y = trained.decode(trained.encode(xr, count: n, threads: threads), count: n)
            var xty = [Float](repeating: 0, count: d * d)
            i3blas_sgemm(I3BlasRowMajor, I3BlasTrans, I3BlasNoTrans, Int32(d), Int32(d), Int32(n),
                         1, centred, Int32(d), y, Int32(d), 0, &xty, Int32(d))
            r = try polarFactor(xty, dimension: d)
        }
        return OPQRotation(dimension: d, matrix: r)
    }

    /// `x` (rows of length `d`) minus its column means.
    static func centredRows(_ x: [Float], dimension d: Int) -> [Float] {
        let n = x.count / d
        guard n > 0 else { return x }
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(x[i * d + j]) } }
        let m = mean.map { Float($0 / Double(n)) }
        var out = x
        for i in 0..<n { for j in 0..<d { out[i * d + j] -= m[j] } }
        return out
    }

    /// The orthogonal polar factor `U·Vᵀ` of the square row-major matrix `a = U·S·Vᵀ`, from a LAPACK SVD
    /// (`sgesvd`, as faiss). Defined for every matrix, singular ones included: the singular vectors of a
    /// zero singular value are some orthonormal completion, so the result is always orthogonal.
    /// - Throws: `IndexError.trainingFailed` when `a` holds a NaN or an infinity, or the SVD fails.
    static func polarFactor(_ a: [Float], dimension d: Int) throws -> [Float] {
        guard d > 0, a.count == d * d else {
            throw IndexError.trainingFailed("OPQ: polar factor of a \(a.count)-element matrix, expected \(d) × \(d)")
        }
        guard a.allSatisfy(\.isFinite) else {
            throw IndexError.trainingFailed("OPQ: non-finite value in the \(d) × \(d) rotation-update matrix")
        }
        // Read as column-major, the row-major `a` is `aᵀ = U'·S·V'ᵀ`, so `a = V'·S·U'ᵀ` and its polar factor
        // is `V'·U'ᵀ`. The column-major product `U'·V'ᵀ` is that matrix's transpose, i.e. it row-major.
        var work = a
        var s = [Float](repeating: 0, count: d)
        var u = [Float](repeating: 0, count: d * d)
        var vt = [Float](repeating: 0, count: d * d)
        var n = Int32(d), info = Int32(0)
        var query: Float = 0, lwork = Int32(-1)
        var job = CChar(UInt8(ascii: "A")) // all singular vectors
        i3blas_sgesvd(&job, &job, &n, &n, &work, &n, &s, &u, &n, &vt, &n, &query, &lwork, &info)
        guard info == 0 else {
            throw IndexError.trainingFailed("OPQ: LAPACK sgesvd workspace query failed for a \(d) × \(d) matrix (info \(info))")
        }
        lwork = Int32(max(Float(5 * d), query.rounded(.up)))
        var scratch = [Float](repeating: 0, count: Int(lwork))
        i3blas_sgesvd(&job, &job, &n, &n, &work, &n, &s, &u, &n, &vt, &n, &scratch, &lwork, &info)
        guard info == 0 else {
            let why = info < 0 ? "argument \(-info) was illegal" : "\(info) superdiagonals did not converge"
            throw IndexError.trainingFailed("OPQ: LAPACK sgesvd of the \(d) × \(d) rotation-update matrix failed: \(why)")
        }
        var r = [Float](repeating: 0, count: d * d)
        i3blas_sgemm(I3BlasColMajor, I3BlasNoTrans, I3BlasNoTrans, n, n, n, 1, u, n, vt, n, 0, &r, n)
        return r
    }
}
