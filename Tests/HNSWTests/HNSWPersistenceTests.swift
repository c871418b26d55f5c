import Foundation
@testable import HNSW
import IndexCore
import ShardStore
import Testing
import TestSupport
import VectorKernels

@Suite struct HNSWPersistenceTests {
    @Test(arguments: VectorStorage.allCases)
    func savedIndexAnswersExactlyAsBefore(storage: VectorStorage) throws {
        let dir = try TemporaryDirectory()
        let index = try Fixture.build(metric: .cosine, storage: storage)
        for id in stride(from: UInt64(0), to: 2000, by: 17) { try index.remove(id: id) }
        try index.add(TestData.row(Fixture.base, 5, dimension: 32), id: 100_000)   // a replaced id too
        let url = dir.path("index")
        try index.save(to: url, metadata: ["model": "all-MiniLM-L6-v2", "revision": "abc"])
        let loaded = try HNSWIndex.open(directory: url, expectedDimension: 32, expectedMetric: .cosine)
        #expect(loaded.metadata == ["model": "all-MiniLM-L6-v2", "revision": "abc"])
        #expect(loaded.count == index.count && loaded.tombstoneCount == index.tombstoneCount)
        #expect(loaded.parameters == index.parameters)
        #expect(Fixture.linkDump(loaded) == Fixture.linkDump(index))
        for ef in [10, 64] {
            let params = SearchParameters(ef: ef)
            #expect(try loaded.search(batch: Fixture.queries, k: 10, parameters: params)
                    == index.search(batch: Fixture.queries, k: 10, parameters: params))
        }
        // The loaded index keeps working: inserts, removals.
        try loaded.add(Array(repeating: 0.5, count: 32), id: 424_242)
        #expect(try loaded.search(Array(repeating: 0.5, count: 32), k: 1).first?.id == 424_242)
        try loaded.remove(id: 424_242)
    }

    @Test func emptyIndexesRoundTrip() throws {
        let dir = try TemporaryDirectory()
        for storage in VectorStorage.allCases {
            let url = dir.path("empty-\(storage)")
            try HNSWIndex(dimension: 8, metric: .l2, parameters: HNSWParameters(m: 4, storage: storage)).save(to: url)
            let loaded = try HNSWIndex.open(directory: url)
            #expect(loaded.count == 0 && loaded.dimension == 8 && loaded.parameters.m == 4)
            #expect(try loaded.search([Float](repeating: 1, count: 8), k: 3).isEmpty)
        }
    }

    /// Same seed and order on one thread: byte-identical link columns on disk.
    @Test func deterministicBuildsSaveIdenticalLinks() throws {
        let dir = try TemporaryDirectory()
        for name in ["a", "b"] {
            try Fixture.build(metric: .innerProduct, threads: 1).save(to: dir.path(name))
        }
        let a = try ShardReader(directory: dir.path("a")), b = try ShardReader(directory: dir.path("b"))
        for column in ["links.level0", "links.upper", "levels", "ids"] {
            let ca = try a.column(column), cb = try b.column(column)
            #expect(ca.recordCount == 2000)
            if column.hasPrefix("links") {
                #expect(try (0..<2000).allSatisfy { try ca.int32s(record: $0) == cb.int32s(record: $0) })
            }
        }
        #expect(a.metadata["param.entry.slot"] == b.metadata["param.entry.slot"])
    }

    @Test func openChecksWhatTheCallerExpects() throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("index")
        try Fixture.build(metric: .l2, m: 4).save(to: url)
        #expect(throws: IndexError.dimensionMismatch(expected: 64, got: 32)) {
            try HNSWIndex.open(directory: url, expectedDimension: 64)
        }
        #expect(throws: IndexError.metricMismatch(expected: .cosine, stored: .l2)) {
            try HNSWIndex.open(directory: url, expectedMetric: .cosine)
        }
        #expect(throws: ShardStoreError.self) { try HNSWIndex.open(directory: dir.path("missing")) }
        // Another kind of shard object.
        var w = try ShardWriter(directory: dir.path("other"), kind: "ivfpq")
        try w.commit()
        #expect(throws: IndexError.kindMismatch(expected: "index.hnsw", stored: "ivfpq")) {
            try HNSWIndex.open(directory: dir.path("other"))
        }
    }

    @Test func corruptedFilesGiveAClearError() throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("index")
        try Fixture.build(metric: .l2, m: 4).save(to: url)
        let files = try FileManager.default.subpathsOfDirectory(atPath: url.path).filter { !$0.hasSuffix(".json") }
            .sorted()
        #expect(!files.isEmpty)
        // Flip one byte in the middle of each data file in turn: opening fails with a named error.
        for f in files {
            let copy = dir.path("copy-\(f.replacingOccurrences(of: "/", with: "_"))")
            try FileManager.default.copyItem(at: url, to: copy)
            let file = copy.appendingPathComponent(f)
            var bytes = try Data(contentsOf: file)
            guard bytes.count > 0 else { continue }
            bytes[bytes.count / 2] ^= 0x5A
            try bytes.write(to: file)
            do {
                _ = try HNSWIndex.open(directory: copy)
                Issue.record("corrupted \(f) opened without error")
            } catch {
                #expect("\(error)".count > 10, "unclear error for \(f): \(error)")
            }
            // Truncation too.
            try bytes.prefix(bytes.count / 3).write(to: file)
            #expect(throws: (any Error).self) { try HNSWIndex.open(directory: copy) }
        }
    }

    /// Well-formed shards with impossible graph contents (a link past the last slot) are rejected.
    @Test func inconsistentGraphIsReportedAsCorrupt() throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("bad")
        var w = try ShardWriter(directory: url, kind: "index.hnsw", metadata: [
            "index.format": "1", "index.dimension": "2", "index.metric": "l2", "index.count": "2", "param.m": "4",
            "param.efConstruction": "10", "param.seed": "1", "param.storage": "float32", "param.defaultEf": "10",
            "param.slots": "2", "param.entry.slot": "0", "param.entry.level": "0",
        ])
        try w.addColumn("ids", type: .int64, recordLength: 1)
        try w.addColumn("levels", type: .uint8, recordLength: 1)
        try w.addColumn("deleted", type: .uint8, recordLength: 1)
        try w.addColumn("vectors", type: .float32, recordLength: 2)
        try w.addColumn("links.level0", type: .int32)
        try w.addColumn("links.upper", type: .int32)
        try w.append(int64s: [1, 2], to: "ids")
        try w.append(uint8s: [0, 0], to: "levels")
        try w.append(uint8s: [0, 0], to: "deleted")
        try w.append(floats: [0, 0, 1, 1], to: "vectors")
        try w.appendRecord(int32s: [1], to: "links.level0")
        try w.appendRecord(int32s: [7], to: "links.level0")   // slot 7 does not exist
        try w.appendRecord(int32s: [], to: "links.upper")
        try w.appendRecord(int32s: [], to: "links.upper")
        try w.commit()
        #expect {
            try HNSWIndex.open(directory: url)
        } throws: { error in
            guard case let IndexError.corrupt(_, reason) = error else { return false }
            return reason.contains("links to 7")
        }
    }
}
