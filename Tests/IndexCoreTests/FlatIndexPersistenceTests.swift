import Foundation
import IndexCore
import ShardStore
import Testing
import TestSupport
import VectorKernels

@Suite struct FlatIndexPersistenceTests {
    @Test(arguments: Metric.allCases) func saveAndOpenGiveTheSameSearchResults(metric: Metric) throws {
        let dir = try TemporaryDirectory()
        let d = 24, n = 500
        let base = TestData.gaussian(count: n, dimension: d, seed: 3)
        let index = try FlatIndex(dimension: d, metric: metric)
        for i in 0..<n { try index.add(TestData.row(base, i, dimension: d), id: UInt64(i) * 7 + (1 << 40)) }
        try index.remove(id: 7 * 3 + (1 << 40))
        try index.save(to: dir.path("flat"), metadata: ["model": "test-model"])

        let opened = try FlatIndex.open(directory: dir.path("flat"), expectedDimension: d, expectedMetric: metric)
        #expect(opened.count == n - 1)
        #expect(opened.allIDs == index.allIDs)
        #expect(opened.metadata == ["model": "test-model"])
        #expect(try ShardReader(directory: dir.path("flat")).metadata["user.model"] == "test-model")
        let queries = TestData.gaussian(count: 10, dimension: d, seed: 4)
        for q in 0..<10 {
            let query = TestData.row(queries, q, dimension: d)
            #expect(try opened.search(query, k: 10) == index.search(query, k: 10))
        }
        // The opened index is a working index.
        try opened.add([Float](repeating: 1, count: d), id: 1)
        #expect(opened.count == n)
    }

    @Test func emptyIndexRoundTrips() throws {
        let dir = try TemporaryDirectory()
        try FlatIndex(dimension: 3, metric: .l2).save(to: dir.path("e"))
        let opened = try FlatIndex.open(directory: dir.path("e"))
        #expect(opened.count == 0)
        #expect(opened.dimension == 3)
        #expect(opened.metric == .l2)
    }

    @Test func mismatchesAreTypedErrors() throws {
        let dir = try TemporaryDirectory()
        let index = try FlatIndex(dimension: 4, metric: .cosine)
        try index.add([1, 2, 3, 4], id: 9)
        try index.save(to: dir.path("f"))
        #expect(throws: IndexError.dimensionMismatch(expected: 8, got: 4)) {
            _ = try FlatIndex.open(directory: dir.path("f"), expectedDimension: 8)
        }
        #expect(throws: IndexError.metricMismatch(expected: .l2, stored: .cosine)) {
            _ = try FlatIndex.open(directory: dir.path("f"), expectedMetric: .l2)
        }
        // User keys live in their own namespace: a key named like a header value cannot clobber it.
        try index.save(to: dir.path("g"), metadata: ["metric": "x"])
        #expect(try FlatIndex.open(directory: dir.path("g")).metric == .cosine)
        #expect(try FlatIndex.open(directory: dir.path("g")).metadata == ["metric": "x"])
        var w = try ShardWriter(directory: dir.path("other"), kind: "passages")
        try w.addColumn("text", type: .utf8)
        try w.commit()
        #expect(throws: IndexError.kindMismatch(expected: "index.flat", stored: "passages")) {
            _ = try FlatIndex.open(directory: dir.path("other"))
        }
        #expect(throws: ShardStoreError.missingManifest(path: dir.path("absent").path)) {
            _ = try FlatIndex.open(directory: dir.path("absent"))
        }
    }

    @Test func damagedFilesAreReportedNotLoaded() throws {
        let dir = try TemporaryDirectory()
        let index = try FlatIndex(dimension: 8, metric: .innerProduct)
        for i in 0..<100 { try index.add((0..<8).map { Float($0 + i) }, id: UInt64(i)) }
        try index.save(to: dir.path("f"))
        let shard = dir.path("f").appendingPathComponent("vectors.00000.lz4")
        var bytes = try [UInt8](Data(contentsOf: shard))
        bytes[bytes.count / 2] ^= 0x10
        try Data(bytes).write(to: shard)
        #expect(throws: ShardStoreError.self) { _ = try FlatIndex.open(directory: dir.path("f")) }
    }
}
