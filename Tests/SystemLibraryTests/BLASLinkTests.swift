import CBLAS
import Testing

/// Proves OpenBLAS is opened and used: its sgemm (through the CBLAS loader) against a naive triple loop.
@Suite struct BLASLinkTests {
    @Test func sgemmMatchesNaiveProduct() {
        #expect(i3blas_available() == 1)
        let m = 37, n = 29, k = 53
        var seed: UInt32 = 12345
        func next() -> Float { seed = seed &* 1_664_525 &+ 1_013_904_223; return Float(seed >> 8) / Float(1 << 24) - 0.5 }
        let a = (0..<(m * k)).map { _ in next() }
        let b = (0..<(k * n)).map { _ in next() }
        var c = [Float](repeating: 0, count: m * n)
        i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasNoTrans, Int32(m), Int32(n), Int32(k),
                     1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
        var maxDiff: Float = 0
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k { s += a[i * k + p] * b[p * n + j] }
                maxDiff = max(maxDiff, abs(s - c[i * n + j]))
            }
        }
        #expect(maxDiff < 1e-4)
        #expect(c.contains { $0 != 0 })
    }

    @Test func sgemmTransposedWeightsLikeALinearLayer() {
        // y = x · Wᵀ with W stored [out, in] row-major, as PyTorch stores Linear weights.
        let batch = 3, inDim = 5, outDim = 4
        let x: [Float] = (0..<(batch * inDim)).map { Float($0 % 7) - 3 }
        let w: [Float] = (0..<(outDim * inDim)).map { Float($0 % 5) * 0.5 - 1 }
        var y = [Float](repeating: 0, count: batch * outDim)
        i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasTrans, Int32(batch), Int32(outDim), Int32(inDim),
                     1, x, Int32(inDim), w, Int32(inDim), 0, &y, Int32(outDim))
        for r in 0..<batch {
            for o in 0..<outDim {
                var s: Float = 0
                for i in 0..<inDim { s += x[r * inDim + i] * w[o * inDim + i] }
                #expect(abs(s - y[r * outDim + o]) < 1e-5)
            }
        }
    }
}
