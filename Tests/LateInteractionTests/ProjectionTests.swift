import Testing
import VectorKernels
@testable import LateInteraction

@Suite struct ProjectionTests {
    /// Rows lying in a 4-dimensional subspace of 16 dimensions keep their inner products (up to the
    /// final normalisation, a no-op for unit rows inside the subspace) under a fitted 4-d projection.
    @Test func pcaKeepsInnerProductsOfALowRankSample() throws {
        var rng = SeededRandom(seed: 3)
        let basis = (0..<(4 * 16)).map { _ in rng.nextGaussian() }
        var orth = basis
        TokenProjection.orthonormalizeRows(&orth, rows: 4, dimension: 16)
        var rows: [Float] = []
        for _ in 0..<500 {
            let c = Normalization.normalized((0..<4).map { _ in rng.nextGaussian() })
            rows += (0..<16).map { k in (0..<4).reduce(0) { $0 + c[$1] * orth[$1 * 16 + k] } }
        }
        let p = try TokenProjection.fitPCA(rows, dimension: 16, outputDimension: 4)
        for i in 0..<4 { for j in 0..<4 {
            let dot = (0..<16).reduce(Float(0)) { $0 + p.matrix[i * 16 + $1] * p.matrix[j * 16 + $1] }
            #expect(abs(dot - (i == j ? 1 : 0)) < 1e-4)
        } }
        let projected = try p.apply(rows)
        for (a, b) in [(0, 1), (2, 3), (10, 400)] {
            let before = (0..<16).reduce(Float(0)) { $0 + rows[a * 16 + $1] * rows[b * 16 + $1] }
            let after = (0..<4).reduce(Float(0)) { $0 + projected[a * 4 + $1] * projected[b * 4 + $1] }
            #expect(abs(before - after) < 1e-3)
        }
        #expect(throws: (any Error).self) { try TokenProjection.fitPCA(rows, dimension: 16, outputDimension: 17) }
    }
}
