import CBLAS
import IndexCore
import VectorKernels

/// A linear map of token vectors to fewer dimensions, fitted as PCA without centering (the rank-r
/// map that best keeps the inner products of the sample, which is what MaxSim scores), followed by L2
/// normalisation: the stand-in for ColBERT's learned 384 → 128 layer on an untrained model.
public struct TokenProjection: Sendable, Equatable {
    public let inputDimension: Int
    public let outputDimension: Int
    /// `outputDimension × inputDimension`, row-major, orthonormal rows (the top eigenvectors of XᵀX).
    public let matrix: [Float]

    public init(inputDimension: Int, outputDimension: Int, matrix: [Float]) throws {
        guard inputDimension > 0, outputDimension > 0, outputDimension <= inputDimension,
              matrix.count == inputDimension * outputDimension, matrix.allSatisfy(\.isFinite) else {
            throw IndexError.invalidParameter(name: "projection", reason: "needs \(outputDimension) × \(inputDimension) finite values")
        }
        self.inputDimension = inputDimension
        self.outputDimension = outputDimension
        self.matrix = matrix
    }

    /// Fits the top-`outputDimension` principal directions of at most `sampleLimit` rows of `vectors`
    /// (a seeded sample) by subspace iteration on the second-moment matrix.
    public static func fitPCA(_ vectors: [Float], dimension d: Int, outputDimension r: Int, sampleLimit: Int = 100_000,
                              iterations: Int = 60, seed: UInt64 = 17) throws -> TokenProjection {
        guard d > 0, r >= 1, r <= d, vectors.count % d == 0, vectors.count >= d else {
            throw IndexError.invalidParameter(name: "projection", reason: "need whole \(d)-component rows and 1 ≤ \(r) ≤ \(d)")
        }
        let n = vectors.count / d
        var rng = SeededRandom(seed: seed)
        var sample = vectors
        if n > sampleLimit {
            var rows = Array(0..<n)
            for i in 0..<sampleLimit { rows.swapAt(i, i + Int(rng.next() % UInt64(n - i))) }
            sample = []
            sample.reserveCapacity(sampleLimit * d)
            for row in rows.prefix(sampleLimit).sorted() { sample += vectors[(row * d)..<((row + 1) * d)] }
        }
        let m = sample.count / d
        // C = XᵀX / m (d × d)
        var c = [Float](repeating: 0, count: d * d)
        i3blas_sgemm(I3BlasRowMajor, I3BlasTrans, I3BlasNoTrans, Int32(d), Int32(d), Int32(m), 1 / Float(m),
                    sample, Int32(d), sample, Int32(d), 0, &c, Int32(d))
        // V (r × d), rows orthonormal; iterate V ← orth(V·C)
        var v = (0..<(r * d)).map { _ in rng.nextGaussian() }
        orthonormalizeRows(&v, rows: r, dimension: d)
        var w = [Float](repeating: 0, count: r * d)
        for _ in 0..<iterations {
            i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasNoTrans, Int32(r), Int32(d), Int32(d), 1,
                        v, Int32(d), c, Int32(d), 0, &w, Int32(d))
            orthonormalizeRows(&w, rows: r, dimension: d)
            swap(&v, &w)
        }
        return try TokenProjection(inputDimension: d, outputDimension: r, matrix: v)
    }

    /// Modified Gram–Schmidt in Double over the rows.
    static func orthonormalizeRows(_ a: inout [Float], rows r: Int, dimension d: Int) {
        var x = a.map(Double.init)
        for i in 0..<r {
            for j in 0..<i {
                var dot = 0.0
                for k in 0..<d { dot += x[i * d + k] * x[j * d + k] }
                for k in 0..<d { x[i * d + k] -= dot * x[j * d + k] }
            }
            var norm = 0.0
            for k in 0..<d { norm += x[i * d + k] * x[i * d + k] }
            let inv = norm > 0 ? 1 / norm.squareRoot() : 0
            for k in 0..<d { x[i * d + k] *= inv }
        }
        a = x.map(Float.init)
    }

    /// Projects `count` rows (row-major, `inputDimension` each) and L2-normalises each result.
    public func apply(_ vectors: [Float]) throws -> [Float] {
        guard vectors.count % inputDimension == 0 else {
            throw IndexError.dimensionMismatch(expected: inputDimension, got: vectors.count % inputDimension)
        }
        let n = vectors.count / inputDimension
        guard n > 0 else { return [] }
        var out = [Float](repeating: 0, count: n * outputDimension)
        i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasTrans, Int32(n), Int32(outputDimension), Int32(inputDimension), 1,
                    vectors, Int32(inputDimension), matrix, Int32(inputDimension), 0, &out, Int32(outputDimension))
        out.withUnsafeMutableBufferPointer { o in
            guard let base = o.baseAddress else { return }
            for i in 0..<n { _ = Normalization.normalize(base + i * outputDimension, count: outputDimension) }
        }
        return out
    }
}
