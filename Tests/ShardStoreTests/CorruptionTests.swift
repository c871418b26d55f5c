import Foundation
@testable import ShardStore
import Testing
import VectorKernels
import TestSupport

/// Damaged stores: every damage is reported as a typed error naming the file, and no read ever returns
/// wrong data or crashes.
@Suite struct CorruptionTests {
    static let d = 4
    static let n = 1000

    static func values() -> [Float] { (0..<(n * d)).map { Float($0 % 97) * 0.25 } }
    static func texts() -> [String] { (0..<n).map { "passage \($0): " + String(repeating: "lorem ipsum ", count: $0 % 4) } }

    /// A small object: 2 columns, several shards of several blocks each.
    static func makeStore(_ url: URL) throws {
        var w = try ShardWriter(directory: url, kind: "fixture", metadata: ["a": "b"], maxShardBytes: 8192, blockBytes: 4096)
        try w.addColumn("v", type: .float32, recordLength: d)
        try w.addColumn("t", type: .utf8)
        try w.append(floats: values(), to: "v")
        for s in texts() { try w.appendRecord(string: s, to: "t") }
        try w.commit()
    }

    /// Opens the store and reads everything in every way; returns nil when all of it succeeded with the
    /// right data, the error otherwise. Records that are returned must be right (expectations fail otherwise).
    static func readEverything(_ url: URL, verify: Bool) -> Error? {
        do {
            let r = try ShardReader(directory: url)
            let v = try r.column("v"), t = try r.column("t")
            let expected = values(), strings = texts()
            var firstError: Error?
            for i in 0..<n {
                do { #expect(try v.floats(record: i) == Array(expected[i * d ..< (i + 1) * d])) } catch { firstError = firstError ?? error }
                do { #expect(try t.string(record: i) == strings[i]) } catch { firstError = firstError ?? error }
            }
            do { #expect(try v.allFloats() == expected) } catch { firstError = firstError ?? error }
            do { #expect(try t.allStrings() == strings) } catch { firstError = firstError ?? error }
            if verify { try r.verify() }
            return firstError
        } catch {
            return error
        }
    }

    static func flip(_ file: URL, at offset: Int, mask: UInt8 = 0xFF) throws {
        var bytes = try [UInt8](Data(contentsOf: file))
        bytes[offset] ^= mask
        try Data(bytes).write(to: file)
    }

    @Test func intactStoreReadsCleanly() throws {
        let dir = try TemporaryDirectory()
        try Self.makeStore(dir.path("o"))
        #expect(Self.readEverything(dir.path("o"), verify: true) == nil)
    }

    /// Every single byte of a shard file, an index file and the manifest, flipped in turn, is detected by
    /// `verify()` (or earlier), and no read returns wrong data.
    @Test(arguments: ["v.00001.lz4", "t.00000.lz4", "v.00000.idx", "t.00001.idx", "manifest.json"])
    func everyFlippedByteIsDetected(file: String) throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("o")
        try Self.makeStore(url)
        let pristine = try Data(contentsOf: url.appendingPathComponent(file))
        // Every byte of the header and trailer, and a stride through the middle (keeps the test short).
        let step = max(1, pristine.count / 250)
        let offsets = Set(Array(0..<min(24, pristine.count)) + Array(max(0, pristine.count - 24)..<pristine.count)
                          + Array(stride(from: 0, to: pristine.count, by: step))).sorted()
        for offset in offsets {
            try pristine.write(to: url.appendingPathComponent(file))
            try Self.flip(url.appendingPathComponent(file), at: offset, mask: offset % 2 == 0 ? 0xFF : 0x01)
            let error = Self.readEverything(url, verify: true)
            #expect(error != nil, "flipped byte \(offset) of \(file) went unnoticed")
            if let e = error as? ShardStoreError {
                #expect(e.description.contains(file) || e.description.contains("o/"), "error names the file: \(e)")
            } else if let e = error {
                Issue.record("untyped error \(e)")
            }
        }
    }

    @Test func truncatedShardIsReported() throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("o")
        try Self.makeStore(url)
        let file = url.appendingPathComponent("v.00000.lz4")
        let bytes = try Data(contentsOf: file)
        for cut in [0, 3, 7, bytes.count / 2, bytes.count - 4, bytes.count - 1] {
            try bytes.prefix(cut).write(to: file)
            #expect(throws: ShardStoreError.truncatedFrame(path: file.path, expectedBytes: bytes.count, actualBytes: cut)) {
                _ = try ShardReader(directory: url)
            }
        }
        try (bytes + Data([0])).write(to: file)
        #expect(throws: ShardStoreError.self) { _ = try ShardReader(directory: url) }
    }

    @Test func missingShardIsReported() throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("o")
        try Self.makeStore(url)
        try FileManager.default.removeItem(at: url.appendingPathComponent("t.00001.lz4"))
        #expect(throws: ShardStoreError.missingShard(path: url.appendingPathComponent("t.00001.lz4").path)) {
            _ = try ShardReader(directory: url)
        }
    }

    /// Rewrites the manifest body (with a valid checksum).
    static func rewriteManifest(_ url: URL, _ change: (inout Manifest) -> Void) throws {
        let file = url.appendingPathComponent("manifest.json")
        var m = try ManifestFile.decode([UInt8](Data(contentsOf: file)), path: file.path)
        change(&m)
        try Data(ManifestFile.encode(m)).write(to: file)
    }

    @Test func unknownMajorVersionIsRejectedAndNewerMinorAccepted() throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("o")
        try Self.makeStore(url)
        try Self.rewriteManifest(url) { $0.formatVersion = FormatVersion(major: 1, minor: 9) }
        // A newer minor version with a key this reader does not know still reads.
        let file = url.appendingPathComponent("manifest.json")
        var text = try String(contentsOf: file, encoding: .utf8)
        let bodyStart = text.range(of: #""manifest":{"#)
        #expect(bodyStart != nil)
        if let b = bodyStart {
            text.replaceSubrange(b, with: #""manifest":{"futureKey":[1,2,3],"#)
            let prefix = #"{"checksum":"xxh32:00000000","manifest":"#
            let body = Array(text.utf8.dropFirst(prefix.utf8.count).dropLast(2))
            let fixed = #"{"checksum":""# + XXH32.label(XXH32.hash(body)) + #"","manifest":"# + String(decoding: body, as: UTF8.self) + "}\n"
            try fixed.write(to: file, atomically: true, encoding: .utf8)
        }
        #expect(try ShardReader(directory: url).formatVersion == FormatVersion(major: 1, minor: 9))
        #expect(Self.readEverything(url, verify: true) == nil)

        try Self.rewriteManifest(url) { $0.formatVersion = FormatVersion(major: 2, minor: 0) }
        #expect(throws: ShardStoreError.unknownVersion(path: file.path, found: "2.0", supported: "1.x")) {
            _ = try ShardReader(directory: url)
        }
    }

    @Test func manifestThatDoesNotMatchTheShardsIsRejected() throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("o")
        try Self.makeStore(url)
        let file = url.appendingPathComponent("manifest.json")
        let pristine = try Data(contentsOf: file)
        let changes: [(String, (inout Manifest) -> Void)] = [
            ("compressed size", { $0.columns[0].shards[0].compressedBytes -= 1; $0.columns[0].compressedBytes -= 1 }),
            ("record count", { $0.columns[1].shards[0].recordCount += 1; $0.columns[1].recordCount += 1
                               for s in 1..<$0.columns[1].shards.count { $0.columns[1].shards[s].firstRecord += 1 } }),
            ("raw bytes", { $0.columns[1].shards[1].rawBytes += 1; $0.columns[1].rawBytes += 1 }),
            ("checksum", { $0.columns[0].shards[1].checksum = "xxh32:00000000" }),
            ("totals", { $0.columns[0].recordCount += 1 }),
            ("file name", { $0.columns[0].shards[0].file = "../escape.lz4" }),
            ("block size", { $0.columns[0].blockBytes = 8192 }),
            ("element type", { $0.columns[0].elementType = .float16; $0.columns[0].recordLength = 8 }),
        ]
        for (what, change) in changes {
            try pristine.write(to: file)
            try Self.rewriteManifest(url, change)
            #expect(Self.readEverything(url, verify: true) != nil, "changed \(what) went unnoticed")
        }
    }

    /// Random damage (flips, truncations, garbage) never crashes and never yields wrong data.
    @Test func randomDamageNeverCrashes() throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("o")
        try Self.makeStore(url)
        let files = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
        var pristine: [String: Data] = [:]
        for f in files { pristine[f] = try Data(contentsOf: url.appendingPathComponent(f)) }
        var rng = SeededRandom(seed: 42)
        for round in 0..<150 {
            for (f, data) in pristine { try data.write(to: url.appendingPathComponent(f)) }
            let f = files[Int(rng.next() % UInt64(files.count))]
            var bytes = [UInt8](pristine[f] ?? Data())
            switch round % 3 {
            case 0: for _ in 0..<(1 + rng.next() % 8) where !bytes.isEmpty { bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            case 1: bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1))))
            default: bytes += (0..<(1 + rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            try Data(bytes).write(to: url.appendingPathComponent(f))
            let changed = bytes != [UInt8](pristine[f] ?? Data())
            let error = Self.readEverything(url, verify: true)
            if changed { #expect(error != nil, "damage to \(f) in round \(round) went unnoticed") }
        }
    }
}

