import Foundation
import IndexCore
import Testing
import TestSupport
import VectorKernels
@testable import IVFPQ

@Suite struct OPQRotationTests {
    static func orthogonalityError(_ r: [Float], _ d: Int) -> Float {
        var worst: Float = 0
        for i in 0..<d {
            for j in 0..<d {
                var s: Float = 0
                for t in 0..<d { s += r[t * d + i] * r[t * d + j] }
                worst = max(worst, abs(s - (i == j ? 1 : 0)))
            }
        }
        return worst
    }

    /// `count` vectors whose variance sits in 4 randomly mixed directions (where OPQ helps), with the
    /// dimensions in `zeroed` set to 0 after mixing.
    static func correlated(count n: Int, dimension d: Int, seed: UInt64, zeroed: Set<Int> = []) throws -> [Float] {
        var rng = SeededRandom(seed: seed)
        let mix = try OPQRotation.polarFactor(TestData.gaussian(count: d, dimension: d, seed: 2), dimension: d)
        var x = [Float](repeating: 0, count: n * d)
        for i in 0..<n {
            let z = (0..<d).map { j in rng.nextGaussian() * (j < 4 ? 4 : 0.3) }
            for j in 0..<d where !zeroed.contains(j) {
                var s: Float = 0
                for t in 0..<d { s += z[t] * mix[t * d + j] }
                x[i * d + j] = s
            }
        }
        return x
    }

    @Test func polarFactorIsOrthogonalAndRecoversARotation() throws {
        let d = 12
        let g = TestData.gaussian(count: d, dimension: d, seed: 5)
        let q = try OPQRotation.polarFactor(g, dimension: d)
        #expect(Self.orthogonalityError(q, d) < 1e-4)
        // Q · diag(1..d) has polar factor Q.
        var scaled = q
        for i in 0..<d { for j in 0..<d { scaled[i * d + j] *= Float(j + 1) } }
        let back = try OPQRotation.polarFactor(scaled, dimension: d)
        for i in 0..<(d * d) { #expect(abs(back[i] - q[i]) < 1e-3) }
        // Singular matrices (here rank 1 and 0) still have an orthogonal polar factor.
        let rankOne = (0..<(d * d)).map { Float(($0 / d) + 1) * Float(($0 % d) % 3) }
        #expect(Self.orthogonalityError(try OPQRotation.polarFactor(rankOne, dimension: d), d) < 1e-4)
        #expect(Self.orthogonalityError(try OPQRotation.polarFactor([Float](repeating: 0, count: 9), dimension: 3), 3) < 1e-5)
        #expect(throws: IndexError.self) { try OPQRotation.polarFactor([1, .nan, 0, 1], dimension: 2) }
        #expect(throws: IndexError.self) { try OPQRotation.polarFactor([1, 0, 0], dimension: 2) }
    }

    /// Training vectors of rank d − 2 (two dimensions zeroed, as MiniLM's 127 and 223): `XᵀY` is singular,
    /// OPQ still trains an orthogonal rotation, and recall without re-ranking is not worse than plain PQ.
    @Test func rankDeficientTrainingSetTrains() throws {
        let d = 16, n = 4000, nq = 50
        let all = try Self.correlated(count: n + nq, dimension: d, seed: 4, zeroed: [5, 11])
        let base = Array(all[..<(n * d)]), queries = Array(all[(n * d)...])
        func recall(opq: Bool) throws -> (Double, IVFPQIndex) {
            let index = try IVFPQIndex(dimension: d, metric: .l2,
                                       configuration: IVFPQConfiguration(nlist: 4, subquantizers: 4, useOPQ: opq))
            try index.train(base)
            try index.add(contentsOf: base, ids: (0..<n).map { UInt64($0) })
            let truth = try TestData.groundTruth(base: base, queries: queries, dimension: d, metric: .l2, k: 10)
            let got = try (0..<nq).map { q in
                try index.search(TestData.row(queries, q, dimension: d), k: 10, parameters: .init(nprobe: 4)).map(\.id)
            }
            return (TestData.recall(got, truth: truth, k: 10), index)
        }
        let (withOPQ, index) = try recall(opq: true)
        let (plain, _) = try recall(opq: false)
        let r = try #require(index.rotation)
        #expect(Self.orthogonalityError(r.matrix, d) < 1e-4)
        #expect(withOPQ >= plain, "recall@10 with OPQ \(withOPQ), without \(plain)")
    }

    /// Correlated data whose variance sits in a few mixed directions: OPQ balances it across the
    /// sub-spaces and quantizes with less error than PQ on the raw axes.
    @Test func opqLowersReconstructionError() throws {
        let d = 16, n = 4000, m = 4
        let x = try Self.correlated(count: n, dimension: d, seed: 9)
        func mse(_ data: [Float]) throws -> Double {
            let pq = try ProductQuantizer.train(data, dimension: d, m: m, iterations: 10, seed: 1)
            let y = pq.decode(pq.encode(data, count: n), count: n)
            var e = 0.0
            for i in 0..<data.count { let t = Double(data[i] - y[i]); e += t * t }
            return e / Double(n)
        }
        let r = try OPQRotation.train(x, dimension: d, m: m, seed: 3, iterations: 8)
        #expect(Self.orthogonalityError(r.matrix, d) < 1e-3)
        let plain = try mse(x), rotated = try mse(r.apply(x))
        #expect(rotated < plain * 0.9, "PQ MSE \(plain), after OPQ \(rotated)")
    }

    @Test func opqIndexSearchesAndRoundTrips() throws {
        let d = IVFPQFixture.d
        var cfg = IVFPQConfiguration(nlist: 8, subquantizers: 8, useOPQ: true)
        cfg.trainingSampleSize = 2000
        let index = try IVFPQIndex(dimension: d, metric: .l2, configuration: cfg)
        try index.train(IVFPQFixture.base)
        try index.add(contentsOf: IVFPQFixture.base, ids: (0..<5000).map { UInt64($0) })
        let recall = try IVFPQFixture.recall(index, metric: .l2, k: 10, parameters: .init(nprobe: 8, refineFactor: 10))
        #expect(recall >= 0.95)
        #expect(index.fixedBytes == (8 * d + 256 * d + 8 * 8 * 256 + d * d) * 4)
        let dir = try TemporaryDirectory()
        try index.save(to: dir.path("opq"))
        let opened = try IVFPQIndex.open(directory: dir.path("opq"))
        for q in 0..<10 {
            let query = TestData.row(IVFPQFixture.queries, q, dimension: d)
            #expect(try opened.search(query, k: 10, parameters: .init(nprobe: 4)) == index.search(query, k: 10, parameters: .init(nprobe: 4)))
        }
    }
}
