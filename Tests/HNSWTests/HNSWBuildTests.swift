import Foundation
@testable import HNSW
import IndexCore
import Testing
import TestSupport
import VectorKernels

@Suite struct HNSWBuildTests {
    @Test func singleThreadedBuildIsDeterministic() throws {
        let a = try Fixture.build(metric: .l2, threads: 1)
        let b = try Fixture.build(metric: .l2, threads: 1)
        let linksA = Fixture.linkDump(a), linksB = Fixture.linkDump(b)
        #expect(linksA.count >= 2000)
        #expect(linksA == linksB)
        // One-by-one inserts in the same order build the same graph as a single-threaded batch.
        let c = try HNSWIndex(dimension: 32, metric: .l2, parameters: HNSWParameters(efConstruction: 100))
        for i in 0..<2000 { try c.add(TestData.row(Fixture.base, i, dimension: 32), id: UInt64(i)) }
        #expect(Fixture.linkDump(c) == linksA)
        // Another seed gives another graph.
        let d = try HNSWIndex(dimension: 32, metric: .l2, parameters: HNSWParameters(efConstruction: 100, seed: 7))
        try d.add(contentsOf: Fixture.base, ids: Fixture.ids, threads: 1)
        #expect(Fixture.linkDump(d) != linksA)
    }

    @Test func graphInvariantsHold() throws {
        let index = try Fixture.build(metric: .innerProduct, threads: 4)
        index.withGraph { g in
            guard let g else { Issue.record("no graph"); return }
            var levelCounts = [Int](repeating: 0, count: 64)
            for s in 0..<g.slotCount {
                let top = Int(g.store.levels[s])
                levelCounts[top] += 1
                for l in 0...top {
                    let links = g.links(of: UInt32(s), level: l)
                    #expect(links.count <= (l == 0 ? 32 : 16))
                    #expect(Set(links).count == links.count, "duplicate links")
                    #expect(!links.contains(UInt32(s)), "self link")
                    #expect(links.allSatisfy { Int($0) < g.slotCount && Int(g.store.levels[Int($0)]) >= l })
                    if l == 0 { #expect(!links.isEmpty) }
                }
            }
            // Level distribution ~ geometric with ratio 1/M: about 1/16 of the nodes above level 0.
            let above = 2000 - levelCounts[0]
            #expect(above > 60 && above < 200, "\(above) nodes above level 0")
            #expect(g.entryPoint.map { Int(g.store.levels[Int($0.slot)]) == $0.level } == true)
        }
    }

    @Test func parallelBuildReachesTheSameRecall() throws {
        let index = try Fixture.build(metric: .l2, threads: 4)
        #expect(index.count == 2000)
        #expect(try Fixture.recall(index, metric: .l2, ef: 64) >= 0.95)
    }
}
