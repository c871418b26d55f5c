import CVectorKernels
import Foundation
import IndexCore
import Testing
import VectorKernels
@testable import LateInteraction

@Suite(.serialized) struct MaxSimTests {
    /// Every ISA level the CPU has (scalar twin included) matches the definition, for dimensions with
    /// and without SIMD tails and bags of 0 to 17 rows, float32 and float16.
    @Test func kernelsMatchTheDefinitionAtEveryLevel() {
        let cpuLevel = ivk_isa_level()
        defer { _ = ivk_force_isa_level(cpuLevel) }
        var rng = SeededRandom(seed: 5)
        for level in 0...cpuLevel {
            #expect(ivk_force_isa_level(Int32(level)) == Int32(level))
            for d in [8, 16, 40, 64, 128, 384] {
                for (m, n) in [(1, 1), (3, 0), (5, 17), (32, 9), (7, 2)] {
                    let q = (0..<(m * d)).map { _ in rng.nextGaussian() }
                    let x = (0..<(n * d)).map { _ in rng.nextGaussian() }
                    let half = HalfPrecision.encode(x)
                    var best = [Float](repeating: 0, count: m)
                    let want = LateFixture.naiveMaxSim(q, x, dimension: d)
                    let wantHalf = LateFixture.naiveMaxSim(q, HalfPrecision.decode(half), dimension: d)
                    let got = ivk_maxsim_f32(q, m, x, n, d, &best)
                    let gotHalf = ivk_maxsim_f16(q, m, half, n, d, &best)
                    let tol = 1e-4 * Double(m) * Double(d).squareRoot()
                    #expect(abs(Double(got) - want) <= tol, "f32 level \(level) d \(d) m \(m) n \(n): \(got) vs \(want)")
                    #expect(abs(Double(gotHalf) - wantHalf) <= tol, "f16 level \(level) d \(d) m \(m) n \(n)")
                }
            }
        }
    }

    /// Centroid interaction (pruned and unpruned) against its scalar twin and the definition.
    @Test func centroidInteractionMatchesTheDefinition() {
        let cpuLevel = ivk_isa_level()
        defer { _ = ivk_force_isa_level(cpuLevel) }
        var rng = SeededRandom(seed: 8)
        let k = 50
        for level in 0...cpuLevel {
            _ = ivk_force_isa_level(Int32(level))
            for m in [1, 15, 16, 17, 32] {
                let s = (0..<(k * m)).map { _ in rng.nextGaussian() }
                let codes = (0..<23).map { _ in Int32(rng.next() % UInt64(k)) }
                let keep = (0..<k).map { _ in UInt8(rng.next() % 2) }
                var best = [Float](repeating: 0, count: m)
                var full = 0.0, pruned = 0.0
                for i in 0..<m {
                    full += Double(codes.map { s[Int($0) * m + i] }.max()!)
                    pruned += Double(codes.filter { keep[Int($0)] != 0 }.map { s[Int($0) * m + i] }.max() ?? 0)
                }
                #expect(abs(Double(ivk_centroid_interaction(s, m, codes, codes.count, nil, &best)) - full) < 1e-4)
                #expect(abs(Double(ivk_centroid_interaction(s, m, codes, codes.count, keep, &best)) - pruned) < 1e-4)
                let none = [UInt8](repeating: 0, count: k)
                #expect(ivk_centroid_interaction(s, m, codes, codes.count, none, &best) == 0)
            }
        }
    }

    /// Brute-force search returns the ranking of the naive definition, for float32 and float16 storage
    /// and any thread count; re-ranking a candidate list equals searching that subset.
    @Test(arguments: TokenPrecision.allCases)
    func bruteForceEqualsNaive(precision: TokenPrecision) throws {
        let data = LateFixture.passages(300)
        let store = try LateFixture.store(data, precision)
        let exact = ExactMaxSim(store: store)
        for q in try LateFixture.queries(10, from: data) {
            let want = LateFixture.naiveSearch(q, store: store, k: 10)
            #expect(try exact.search(q, k: 10, threads: 1).map(\.id) == want)
            #expect(try exact.search(q, k: 10, threads: 3) == exact.search(q, k: 10, threads: 1))
            let positions = Array(stride(from: 0, to: 300, by: 2))
            let subset = positions.map { store.ids[$0] }
            let naiveSubset = LateFixture.naiveSearch(q, store: store, k: 300).filter { subset.contains($0) }.prefix(5)
            #expect(try exact.rerank(q, positions: positions, k: 5).map(\.id) == Array(naiveSubset))
        }
    }

    @Test func badQueriesAreNamedErrors() throws {
        let store = try LateFixture.store(LateFixture.passages(5))
        let exact = ExactMaxSim(store: store)
        #expect(throws: IndexError.dimensionMismatch(expected: LateFixture.d, got: 4)) {
            try exact.search(QueryTokens(vectors: [1, 0, 0, 0], dimension: 4), k: 1)
        }
        #expect(throws: IndexError.self) { try QueryTokens(vectors: [1, 2, 3], dimension: 2) }
        #expect(throws: IndexError.nonFiniteComponent(component: 1)) { try QueryTokens(vectors: [1, .nan], dimension: 2) }
        let q = try QueryTokens(vectors: store.vectors(of: 0), dimension: LateFixture.d)
        #expect(throws: IndexError.invalidK(0)) { try exact.search(q, k: 0) }
        #expect(throws: IndexError.self) { try exact.rerank(q, positions: [99], k: 1) }
        #expect(throws: IndexError.self) {
            try TokenStore(vectors: [1, 0], offsets: [0, 2], ids: [1], dimension: 2, precision: .float32)
        }
    }
}
