import Foundation
import ShardStore
import Testing
import TestSupport

/// The usage snippet offered for the README, compiled and run as written.
@Suite struct ReadmeSnippetTests {
    @Test func readmeSnippetRuns() throws {
        let tmp = try TemporaryDirectory()
        let url = tmp.path("passages")
        let embeddings = [Float](repeating: 0.5, count: 2 * 384)

        // --- README snippet begins ---
        var w = try ShardWriter(directory: url, kind: "passages", metadata: ["model": "all-MiniLM-L6-v2"])
        try w.addColumn("vectors", type: .float32, recordLength: 384, blockBytes: 16 << 10)
        try w.addColumn("text", type: .utf8)
        try w.append(floats: embeddings, to: "vectors")       // any whole number of records
        try w.appendRecord(string: "A passage.", to: "text")  // one record
        try w.appendRecord(string: "Another passage.", to: "text")
        try w.commit()                                        // atomic: old or new object, never a mix

        let r = try ShardReader(directory: url)               // checks manifest, version, sizes, indexes
        let vectors = try r.column("vectors")
        let first = try vectors.floats(record: 0)             // decodes one 16 KiB block
        let texts = try r.column("text").allStrings()
        try vectors.forEachShard { shard, records in          // bounded-memory streaming
            _ = try vectors.floats(records: records)
        }
        // --- README snippet ends ---

        #expect(r.metadata["model"] == "all-MiniLM-L6-v2")
        #expect(first == [Float](repeating: 0.5, count: 384))
        #expect(texts == ["A passage.", "Another passage."])
    }
}
