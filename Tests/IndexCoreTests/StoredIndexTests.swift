import Foundation
import IndexCore
import ShardStore
import Testing
import TestSupport

/// The one file convention of saved indexes (`StoredIndexHeader`).
@Suite struct StoredIndexTests {
    @Test func headerRoundTripsWithSettingsAndUserKeysInTheirOwnNamespaces() throws {
        let dir = try TemporaryDirectory()
        let header = StoredIndexHeader(type: "toy", formatVersion: 2, dimension: 7, metric: .l2, count: 3,
                                       parameters: ["m": "16", "metric": "not-the-metric"],
                                       userMetadata: ["index.metric": "cosine", "model": "x"])
        var w = try StoredIndex.writer(directory: dir.path("t"), header: header)
        try w.addColumn("ids", type: .int64, recordLength: 1)
        try w.commit()
        let (reader, back) = try StoredIndex.open(directory: dir.path("t"), type: "toy", supportedFormats: 1...2)
        #expect(back == header)
        #expect(reader.kind == "index.toy")
        #expect(reader.metadata["index.metric"] == "l2")
        #expect(reader.metadata["user.index.metric"] == "cosine")
        #expect(try back.intParameter("m", path: "p") == 16)
        #expect(throws: IndexError.corrupt(path: "p", reason: "setting \"absent\" is missing or not an integer")) {
            _ = try back.intParameter("absent", path: "p")
        }
        #expect(throws: IndexError.dimensionMismatch(expected: 8, got: 7)) {
            _ = try StoredIndex.open(directory: dir.path("t"), type: "toy", supportedFormats: 1...2, expectedDimension: 8)
        }
    }

    @Test func olderAndNewerFormatsAreRefusedWithHowToRebuild() throws {
        let dir = try TemporaryDirectory()
        for (name, format) in [("new", 9), ("old", 1)] {
            var w = try StoredIndex.writer(directory: dir.path(name), header: StoredIndexHeader(
                type: "toy", formatVersion: format, dimension: 2, metric: .cosine, count: 0))
            try w.commit()
        }
        for name in ["new", "old"] {
            #expect {
                _ = try StoredIndex.open(directory: dir.path(name), type: "toy", supportedFormats: 2...3)
            } throws: { error in
                guard case let IndexError.unsupportedFormat(_, reason) = error else { return false }
                return reason.contains("rebuild it from its collection or vectors")
                    && reason.contains(name == "new" ? "newer" : "older")
            }
        }
    }

    /// Directories written before the convention (kinds `flat-index`, `hnsw`, `ivfpq-index`) are refused
    /// by the index that wrote them with a message that says so, not opened half-way.
    @Test func directoriesOfTheEarlierConventionAreRefusedByName() throws {
        let dir = try TemporaryDirectory()
        var w = try ShardWriter(directory: dir.path("legacy"), kind: "flat-index",
                                metadata: ["dimension": "2", "metric": "ip", "count": "0"])
        try w.addColumn("vectors", type: .float32, recordLength: 2)
        try w.addColumn("ids", type: .int64, recordLength: 1)
        try w.commit()
        #expect {
            _ = try FlatIndex.open(directory: dir.path("legacy"))
        } throws: { error in
            guard case let IndexError.unsupportedFormat(path, reason) = error else { return false }
            return path == dir.path("legacy").path && reason.contains("earlier version") && reason.contains("rebuild")
        }
    }

    @Test func missingOrInvalidHeaderValuesAreCorrupt() throws {
        let dir = try TemporaryDirectory()
        var w = try ShardWriter(directory: dir.path("bad"), kind: "index.toy",
                                metadata: ["index.format": "1", "index.dimension": "0", "index.metric": "ip", "index.count": "0"])
        try w.commit()
        #expect(throws: IndexError.corrupt(path: dir.path("bad").path, reason: "dimension 0 is not positive")) {
            _ = try StoredIndex.open(directory: dir.path("bad"), type: "toy", supportedFormats: 1...1)
        }
    }
}
