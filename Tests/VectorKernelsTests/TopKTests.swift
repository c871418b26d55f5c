import Testing
import VectorKernels

@Suite struct TopKTests {
    @Test func keepsTheBestKSortedWithTiesByID() {
        var rng = SeededRandom(seed: 3)
        var top = TopK(k: 10)
        var all: [(UInt64, Float)] = []
        for id in 0..<1000 {
            let s = Float(Int(rng.nextUnitFloat() * 50))  // many ties
            all.append((UInt64(id), s))
            top.push(id: UInt64(id), score: s)
        }
        let expected = all.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(10)
        #expect(top.sorted().map(\.id) == expected.map(\.0))
        #expect(top.sorted().map(\.score) == expected.map(\.1))
    }

    @Test func zeroKKeepsNothing() {
        var top = TopK(k: 0)
        let kept = top.push(id: 1, score: 1)
        #expect(!kept)
        #expect(top.sorted().isEmpty)
    }

    @Test func seededRandomIsReproducible() {
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42), c = SeededRandom(seed: 43)
        let xa = (0..<5).map { _ in a.next() }, xb = (0..<5).map { _ in b.next() }, xc = (0..<5).map { _ in c.next() }
        #expect(xa == xb)
        #expect(xa != xc)
    }
}
