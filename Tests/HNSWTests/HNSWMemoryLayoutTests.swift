import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import HNSW
import IndexCore
import ShardStore
import Testing
import TestSupport
import VectorKernels

/// The compact node layout: upper links in the shared arena, the exactly sized id map, and what
/// `memoryBytes` counts.
@Suite struct HNSWMemoryLayoutTests {
    /// Blocks handed out across many chunks never overlap and keep their contents.
    @Test func arenaBlocksStayDistinctAcrossChunks() {
        let arena = UpperLinkArena(blockWords: 3)
        defer { arena.deallocate() }
        var rng = SeededRandom(seed: 9)
        var taken: [(address: UInt32, count: Int, tag: UInt32)] = []
        for i in 0..<3000 {
            if i % 500 == 0 { arena.reserve(blocks: 40) }   // small chunks: many chunk boundaries
            let count = 1 + Int(rng.next() % 5)
            guard let address = arena.allocate(count) else {
                Issue.record("allocation \(i) failed")
                return
            }
            let first = arena.block(address)
            for b in 0..<count {
                #expect(first[b * 3] == 0)   // a fresh block starts with an empty list
                for w in 0..<3 { first[b * 3 + w] = UInt32(i) }
            }
            taken.append((address, count, UInt32(i)))
        }
        for (address, count, tag) in taken {
            let first = arena.block(address)
            #expect((0..<count * 3).allSatisfy { first[$0] == tag })
        }
        #expect(arena.allocatedBlocks >= taken.reduce(0) { $0 + $1.count })
        #expect(arena.memoryBytes == arena.allocatedBlocks * 3 * 4 + UpperLinkArena.maxChunks * 8)
    }

    /// When every chunk is taken, allocation reports it (nil) instead of overrunning.
    @Test func arenaReportsExhaustion() {
        let arena = UpperLinkArena(blockWords: 2)
        defer { arena.deallocate() }
        for _ in 0..<UpperLinkArena.maxChunks {
            arena.reserve(blocks: 1)
            #expect(arena.allocate(1) != nil)
        }
        arena.reserve(blocks: 1)
        #expect(arena.allocate(1) == nil)
        #expect(arena.allocatedBlocks == UpperLinkArena.maxChunks)
    }

    /// `memoryBytes` is exactly the sum of the buffers, a batch build into an empty index leaves no
    /// unused slots, and the upper-link arena holds little more than the blocks the levels need.
    @Test func memoryBytesIsTheSumOfTheBuffers() throws {
        let index = try Fixture.build(metric: .l2, threads: 1)
        let stride = index.level0Stride
        index.withGraph { g in
            guard let g else {
                Issue.record("no graph")
                return
            }
            let store = g.store
            #expect(store.capacity == 2000)
            let usedBlocks = (0..<2000).reduce(0) { $0 + Int(store.levels[$1]) }
            #expect(store.upper.allocatedBlocks >= usedBlocks)
            #expect(store.upper.allocatedBlocks <= NodeStore.expectedUpperBlocks(slots: 2000, maxM: 16) + usedBlocks / 4)
            let idMapBuckets = (2000 * 4 + 2) / 3
            let stripes = 1024 * LockStripes.bytesPerStripe
            let expected = 2000 * (stride + 8 + 1 + 4) + (2000 + 63) / 64 * 8
                + store.upper.allocatedBlocks * 17 * 4 + UpperLinkArena.maxChunks * 8
                + idMapBuckets * 4 + stripes + g.contexts.memoryBytes
            #expect(g.memoryBytes == expected)
        }
    }

    /// With M = 2 about half the nodes reach level 1 (many arena blocks); one-by-one inserts grow the
    /// store and the arena several times. Save → open gives the same graph and answers, the loaded
    /// arena holds exactly the needed blocks, and saving the loaded index writes the same columns.
    @Test func manyUpperLevelsSurviveGrowthSaveAndLoad() throws {
        let dir = try TemporaryDirectory()
        let index = try HNSWIndex(dimension: Fixture.dimension, metric: .l2,
                                  parameters: HNSWParameters(m: 2, efConstruction: 40))
        for r in 0..<300 { try index.add(TestData.row(Fixture.base, r, dimension: Fixture.dimension), id: UInt64(r)) }
        try index.add(contentsOf: Array(Fixture.base[(300 * 32)...]), ids: (300..<2000).map { UInt64($0) }, threads: 2)
        for id in stride(from: UInt64(0), to: 2000, by: 13) { try index.remove(id: id) }
        try index.add(TestData.row(Fixture.base, 7, dimension: Fixture.dimension), id: 7)   // replaces a tombstone
        let levels = index.withGraph { g in (0..<(g?.slotCount ?? 0)).map { Int(g?.store.levels[$0] ?? 0) } }
        #expect(levels.filter { $0 > 0 }.count > 600)

        try index.save(to: dir.path("a"))
        let loaded = try HNSWIndex.open(directory: dir.path("a"), expectedDimension: 32, expectedMetric: .l2)
        #expect(Fixture.linkDump(loaded) == Fixture.linkDump(index))
        #expect(loaded.withGraph { $0?.store.upper.allocatedBlocks } == levels.reduce(0, +))
        #expect(loaded.memoryBytes <= index.memoryBytes)
        let params = SearchParameters(ef: 32)
        #expect(try loaded.search(batch: Fixture.queries, k: 10, parameters: params)
                == index.search(batch: Fixture.queries, k: 10, parameters: params))

        try loaded.save(to: dir.path("b"))
        let a = try ShardReader(directory: dir.path("a")), b = try ShardReader(directory: dir.path("b"))
        for column in ["links.level0", "links.upper"] {
            let ca = try a.column(column), cb = try b.column(column)
            #expect(ca.recordCount == 2001 && cb.recordCount == 2001)
            #expect(try (0..<2001).allSatisfy { try ca.int32s(record: $0) == cb.int32s(record: $0) })
        }
        #expect(try a.column("ids").allInt64s() == b.column("ids").allInt64s())
        #expect(try a.column("levels").allUInt8s() == b.column("levels").allUInt8s())
        #expect(try a.column("deleted").allUInt8s() == b.column("deleted").allUInt8s())
        #expect(try a.column("vectors").allFloats() == b.column("vectors").allFloats())
    }

    /// `reserveCapacity` preallocates exactly; `shrinkToFit` drops the unused capacity of one-by-one
    /// growth and the arena's slack, and the graph, the answers and later inserts are unchanged.
    @Test func reserveAndShrinkToFit() throws {
        let index = try HNSWIndex(dimension: Fixture.dimension, metric: .l2,
                                  parameters: HNSWParameters(m: 4, efConstruction: 40))
        try index.reserveCapacity(1500)
        #expect(index.withGraph { $0?.store.capacity } == 1500)
        for r in 0..<1100 { try index.add(TestData.row(Fixture.base, r, dimension: Fixture.dimension), id: UInt64(r)) }
        #expect(index.withGraph { $0?.store.capacity } == 1500)
        for id in stride(from: UInt64(0), to: 1100, by: 10) { try index.remove(id: id) }
        let links = Fixture.linkDump(index)
        let params = SearchParameters(ef: 32)
        let answers = try index.search(batch: Fixture.queries, k: 10, parameters: params)
        let before = index.memoryBytes

        index.shrinkToFit()
        #expect(index.withGraph { $0?.store.capacity } == 1100)
        let usedBlocks = index.withGraph { g in (0..<1100).reduce(0) { $0 + Int(g?.store.levels[$1] ?? 0) } }
        #expect(index.withGraph { $0?.store.upper.allocatedBlocks } == usedBlocks)
        #expect(index.memoryBytes < before)
        #expect(Fixture.linkDump(index) == links)
        #expect(try index.search(batch: Fixture.queries, k: 10, parameters: params) == answers)
        #expect(index.count == 990 && index.tombstoneCount == 110)

        try index.add(TestData.row(Fixture.base, 1500, dimension: Fixture.dimension), id: 1500)   // grows again
        #expect(try index.search(TestData.row(Fixture.base, 1500, dimension: Fixture.dimension), k: 1).first?.id == 1500)
        #expect(throws: IndexError.self) { try index.reserveCapacity(-1) }
    }
}
