import Foundation
import ShardStore
import Testing
import TestSupport

/// Every column type written and read back: empty, one record, many shards; fixed and variable length.
@Suite struct RoundTripTests {
    /// Small shards and blocks so that a few thousand values span many shards and blocks.
    static let smallShards = 4096

    @Test(arguments: [0, 1, 1000])
    func everyColumnTypeRoundTrips(records: Int) throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("object")
        let d = 7
        var rng = SystemRandomNumberGenerator()
        let floats = (0..<(records * d)).map { _ in Float.random(in: -1...1, using: &rng) }
        let halves = floats.map { Float16($0) }
        let bytes = (0..<(records * 3)).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        let ints32 = (0..<records).map { Int32(truncatingIfNeeded: $0 &* 2_654_435_761) }
        let ints64 = (0..<records).map { Int64($0) * -1_000_000_007 }
        let strings = (0..<records).map { i in i % 5 == 0 ? "" : "record \(i) — naïve café ☕︎ " + String(repeating: "x", count: i % 50) }
        let ragged = (0..<records).map { i in (0..<(i % 9)).map { Float($0) + Float(i) } }

        var w = try ShardWriter(directory: url, kind: "test", metadata: ["model": "none"], maxShardBytes: Self.smallShards, blockBytes: 4096)
        try w.addColumn("f32", type: .float32, recordLength: d)
        try w.addColumn("f16", type: .float16, recordLength: d)
        try w.addColumn("u8", type: .uint8, recordLength: 3)
        try w.addColumn("i32", type: .int32, recordLength: 1)
        try w.addColumn("i64", type: .int64, recordLength: 1)
        try w.addColumn("text", type: .utf8)
        try w.addColumn("ragged", type: .float32, blockBytes: 8192)
        // Appends in uneven chunks, mixing arrays and slices.
        var at = 0
        while at < records {
            let n = min(records - at, 1 + at % 13)
            try w.append(floats: floats[at * d ..< (at + n) * d], to: "f32")
            try w.append(float16s: Array(halves[at * d ..< (at + n) * d]), to: "f16")
            try w.append(uint8s: bytes[at * 3 ..< (at + n) * 3], to: "u8")
            try w.append(int32s: ints32[at ..< at + n], to: "i32")
            try w.append(int64s: ints64[at ..< at + n], to: "i64")
            at += n
        }
        for s in strings { try w.appendRecord(string: s, to: "text") }
        for r in ragged { try w.appendRecord(floats: r, to: "ragged") }
        try w.commit()

        let r = try ShardReader(directory: url, verifyChecksums: true)
        #expect(r.kind == "test")
        #expect(r.metadata == ["model": "none"])
        #expect(r.columnNames == ["f32", "f16", "u8", "i32", "i64", "text", "ragged"])
        let f32 = try r.column("f32")
        #expect(f32.recordCount == records)
        #expect(f32.elementType == .float32)
        #expect(f32.recordLength == d)
        #expect(try f32.allFloats() == floats)
        #expect(try r.column("f16").allFloat16s() == halves)
        #expect(try r.column("u8").allUInt8s() == bytes)
        #expect(try r.column("i32").allInt32s() == ints32)
        #expect(try r.column("i64").allInt64s() == ints64)
        #expect(try r.column("text").allStrings() == strings)
        #expect(try r.column("ragged").allFloats() == ragged.flatMap { $0 })
        if records > 1 {
            #expect(f32.shardCount > 1, "many shards")
        }
        // Random access, forwards and backwards.
        for i in stride(from: records - 1, through: 0, by: -1) where i % 7 == 0 || i == records - 1 {
            #expect(try f32.floats(record: i) == Array(floats[i * d ..< (i + 1) * d]))
            #expect(try r.column("f16").float16s(record: i) == Array(halves[i * d ..< (i + 1) * d]))
            #expect(try r.column("u8").uint8s(record: i) == Array(bytes[i * 3 ..< (i + 1) * 3]))
            #expect(try r.column("i32").int32s(record: i) == [ints32[i]])
            #expect(try r.column("i64").int64s(record: i) == [ints64[i]])
            #expect(try r.column("text").string(record: i) == strings[i])
            #expect(try r.column("ragged").floats(record: i) == ragged[i])
        }
        // Streaming shard by shard covers every record once.
        var seen = 0
        try f32.forEachShard { (s: Int, range: Range<Int>) throws in
            #expect(range.lowerBound == seen)
            #expect(try f32.floats(records: range) == Array(floats[range.lowerBound * d ..< range.upperBound * d]))
            seen = range.upperBound
            _ = s
        }
        #expect(seen == records)
        try r.verify()
    }

    @Test func rangesAcrossShardAndBlockBoundaries() throws {
        let dir = try TemporaryDirectory()
        let n = 3000, d = 5
        let data = (0..<(n * d)).map { Float($0) * 0.5 }
        var w = try ShardWriter(directory: dir.path("o"), kind: "k", maxShardBytes: 10_000, blockBytes: 4096)
        try w.addColumn("v", type: .float32, recordLength: d)
        try w.append(floats: data, to: "v")
        try w.commit()
        let c = try ShardReader(directory: dir.path("o")).column("v")
        #expect(c.shardCount == (n * d * 4 + 9_999) / 10_000)
        for (a, b) in [(0, 1), (499, 501), (0, n), (1234, 2999), (n - 1, n), (10, 10)] {
            #expect(try c.floats(records: a ..< b) == Array(data[a * d ..< b * d]))
        }
    }

    @Test func typedErrorsForMisuse() throws {
        let dir = try TemporaryDirectory()
        var w = try ShardWriter(directory: dir.path("o"), kind: "k")
        try w.addColumn("v", type: .float32, recordLength: 4)
        #expect(throws: ShardStoreError.duplicateColumn("v")) { try w.addColumn("v", type: .int32) }
        #expect(throws: ShardStoreError.recordLengthMismatch(column: "v", recordLength: 4, got: 6)) {
            try w.append(floats: [Float](repeating: 0, count: 6), to: "v")
        }
        #expect(throws: ShardStoreError.typeMismatch(column: "v", expected: .float32, actual: .int32)) {
            try w.append(int32s: [1, 2, 3, 4], to: "v")
        }
        #expect(throws: ShardStoreError.columnNotFound(name: "nope", available: ["v"])) { try w.append(floats: [1], to: "nope") }
        #expect(throws: ShardStoreError.self) { try w.addColumn("../evil", type: .uint8) }
        try w.append(floats: [1, 2, 3, 4, 5, 6, 7, 8], to: "v")
        try w.commit()
        #expect(throws: ShardStoreError.writerClosed(path: dir.path("o").path)) { try w.append(floats: [1, 2, 3, 4], to: "v") }
        let r = try ShardReader(directory: dir.path("o"))
        let c = try r.column("v")
        #expect(throws: ShardStoreError.recordOutOfRange(column: "v", index: 2, count: 2)) { try c.floats(record: 2) }
        #expect(throws: ShardStoreError.recordOutOfRange(column: "v", index: -1, count: 2)) { try c.floats(record: -1) }
        #expect(throws: ShardStoreError.typeMismatch(column: "v", expected: .int64, actual: .float32)) { try c.int64s(record: 0) }
        #expect(throws: ShardStoreError.columnNotFound(name: "w", available: ["v"])) { try r.column("w") }
        #expect(throws: ShardStoreError.missingManifest(path: dir.path("absent").path)) { try ShardReader(directory: dir.path("absent")) }
    }

    @Test func uncommittedWriterLeavesNothingAndCommitReplaces() throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("o")
        do {
            var w = try ShardWriter(directory: url, kind: "first")
            try w.addColumn("x", type: .int64, recordLength: 1)
            try w.append(int64s: [1, 2, 3], to: "x")
            try w.commit()
        }
        do {
            var w = try ShardWriter(directory: url, kind: "dropped")
            try w.addColumn("x", type: .int64, recordLength: 1)
            try w.append(int64s: [9], to: "x")
            // dropped without commit
        }
        #expect(try ShardReader(directory: url).kind == "first")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["o"], "no temporary siblings left")
        var w = try ShardWriter(directory: url, kind: "second")
        try w.addColumn("x", type: .int64, recordLength: 1)
        try w.append(int64s: [4, 5], to: "x")
        try w.commit()
        let r = try ShardReader(directory: url)
        #expect(r.kind == "second")
        #expect(try r.column("x").allInt64s() == [4, 5])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["o"])
    }
}
