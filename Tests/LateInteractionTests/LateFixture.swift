import Foundation
import IndexCore
import VectorKernels
@testable import LateInteraction

/// Seeded synthetic token bags: passages of 3 to 20 unit vectors drawn around a few topic directions,
/// queries made of noisy copies of some of a passage's tokens (so every query has a clear best passage).
enum LateFixture {
    static let d = 32

    static func unit(_ v: [Float]) -> [Float] { Normalization.normalized(v) }

    /// `passages` bags; returns the packed vectors and offsets.
    static func passages(_ count: Int, dimension d: Int = d, seed: UInt64 = 7) -> (vectors: [Float], offsets: [Int]) {
        var rng = SeededRandom(seed: seed)
        let topics = (0..<16).map { _ in unit((0..<d).map { _ in rng.nextGaussian() }) }
        var vectors: [Float] = [], offsets = [0]
        for _ in 0..<count {
            let n = 3 + Int(rng.next() % 18)
            let topic = topics[Int(rng.next() % UInt64(topics.count))]
            for _ in 0..<n {
                vectors += unit((0..<d).map { topic[$0] + 0.8 * rng.nextGaussian() / Float(d).squareRoot() * 3 })
            }
            offsets.append(offsets[offsets.count - 1] + n)
        }
        return (vectors, offsets)
    }

    /// Queries of `rows` vectors, each near a token of passage `q * 7 % passages`.
    static func queries(_ count: Int, from data: (vectors: [Float], offsets: [Int]), rows: Int = 8,
                        dimension d: Int = d, seed: UInt64 = 99) throws -> [QueryTokens] {
        var rng = SeededRandom(seed: seed)
        let n = data.offsets.count - 1
        return try (0..<count).map { q in
            let p = (q * 7) % n
            let lo = data.offsets[p], len = data.offsets[p + 1] - lo
            var v: [Float] = []
            for _ in 0..<rows {
                let t = lo + Int(rng.next() % UInt64(len))
                v += unit((0..<d).map { data.vectors[t * d + $0] + 0.3 * rng.nextGaussian() / Float(d).squareRoot() })
            }
            return try QueryTokens(vectors: v, dimension: d)
        }
    }

    static func store(_ data: (vectors: [Float], offsets: [Int]), _ precision: TokenPrecision = .float32,
                      dimension d: Int = d) throws -> TokenStore {
        try TokenStore(vectors: data.vectors, offsets: data.offsets, ids: (0..<(data.offsets.count - 1)).map { UInt64($0 * 3 + 1) },
                       dimension: d, precision: precision)
    }

    /// MaxSim by definition, in Double.
    static func naiveMaxSim(_ q: [Float], _ x: [Float], dimension d: Int) -> Double {
        let m = q.count / d, n = x.count / d
        guard n > 0 else { return 0 }
        var total = 0.0
        for i in 0..<m {
            var best = -Double.infinity
            for j in 0..<n {
                var s = 0.0
                for k in 0..<d { s += Double(q[i * d + k]) * Double(x[j * d + k]) }
                best = max(best, s)
            }
            total += best
        }
        return total
    }

    /// The exact ranking by the naive definition (score descending, id ascending).
    static func naiveSearch(_ q: QueryTokens, store: TokenStore, k: Int) -> [UInt64] {
        let scored = (0..<store.passageCount).map { (store.ids[$0], naiveMaxSim(q.vectors, store.vectors(of: $0), dimension: store.dimension)) }
        return scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(k).map(\.0)
    }
}
