import Foundation
import IndexCore
import ShardStore
import Testing
import TestSupport
@testable import LateInteraction

@Suite struct PersistenceTests {
    @Test(arguments: TokenPrecision.allCases)
    func savedTokenStoreAnswersIdentically(precision: TokenPrecision) throws {
        let data = LateFixture.passages(120)
        let store = try LateFixture.store(data, precision)
        let dir = try TemporaryDirectory()
        try store.save(to: dir.path("tokens"), metadata: ["model": "fixture"])
        let (loaded, meta) = try TokenStore.open(directory: dir.path("tokens"), expectedDimension: LateFixture.d)
        #expect(meta["model"] == "fixture")
        #expect(loaded.precision == precision && loaded.ids == store.ids && loaded.offsets == store.offsets)
        for q in try LateFixture.queries(5, from: data) {
            #expect(try ExactMaxSim(store: loaded).search(q, k: 10) == ExactMaxSim(store: store).search(q, k: 10))
        }
        #expect(throws: IndexError.dimensionMismatch(expected: 7, got: LateFixture.d)) {
            try TokenStore.open(directory: dir.path("tokens"), expectedDimension: 7)
        }
    }

    @Test func savedPLAIDIndexAnswersIdentically() throws {
        let data = LateFixture.passages(200)
        let index = try PLAIDIndex.build(store: LateFixture.store(data), parameters: .init(bits: 2, centroids: 32))
        let dir = try TemporaryDirectory()
        try index.save(to: dir.path("plaid"), metadata: ["model": "fixture"])
        let (loaded, meta) = try PLAIDIndex.open(directory: dir.path("plaid"))
        #expect(meta["model"] == "fixture")
        #expect(loaded.centroidCount == 32 && loaded.codec == index.codec)
        for q in try LateFixture.queries(10, from: data) {
            for p in [PLAIDSearchParameters.defaults(k: 10), .init(nprobe: 4, centroidScoreThreshold: 0.2, ndocs: 64)] {
                #expect(try loaded.search(q, k: 10, parameters: p) == index.search(q, k: 10, parameters: p))
            }
        }
        // one kind is not the other
        #expect(throws: IndexError.kindMismatch(expected: "index.late-tokens", stored: "index.plaid")) {
            try TokenStore.open(directory: dir.path("plaid"))
        }
    }

    /// Flipping a byte of, or truncating, any data file fails the open with a named shard-store error.
    @Test func corruptOrTruncatedFilesGiveNamedErrors() throws {
        let data = LateFixture.passages(60)
        let dir = try TemporaryDirectory()
        let store = try LateFixture.store(data, .float16)
        try store.save(to: dir.path("tokens"))
        try PLAIDIndex.build(store: store, parameters: .init(bits: 2, centroids: 16)).save(to: dir.path("plaid"))
        for name in ["tokens", "plaid"] {
            let url = dir.path(name)
            let files = try FileManager.default.subpathsOfDirectory(atPath: url.path)
                .filter { !$0.hasSuffix(".json") && !$0.hasSuffix("/") }.sorted()
            #expect(!files.isEmpty)
            func open(_ at: URL) throws {
                if name == "tokens" { _ = try TokenStore.open(directory: at) } else { _ = try PLAIDIndex.open(directory: at) }
            }
            for f in files {
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: url.appendingPathComponent(f).path, isDirectory: &isDir),
                      !isDir.boolValue else { continue }
                let copy = dir.path("copy-\(name)-\(f.replacingOccurrences(of: "/", with: "_"))")
                try FileManager.default.copyItem(at: url, to: copy)
                let file = copy.appendingPathComponent(f)
                var bytes = try Data(contentsOf: file)
                guard bytes.count > 0 else { continue }
                bytes[bytes.count / 2] ^= 0x5A
                try bytes.write(to: file)
                #expect(throws: ShardStoreError.self, "flipped byte in \(name)/\(f)") { try open(copy) }
                try bytes.prefix(bytes.count / 3).write(to: file)
                #expect(throws: ShardStoreError.self, "truncated \(name)/\(f)") { try open(copy) }
            }
        }
    }

    /// Well-formed shards with impossible contents (a centroid id past K) are reported as corrupt.
    @Test func inconsistentContentsAreCorrupt() throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("bad")
        var w = try StoredIndex.writer(directory: url, header: StoredIndexHeader(
            type: "plaid", formatVersion: 1, dimension: 8, metric: .innerProduct, count: 1, parameters: [
                "bits": "2", "centroids": "1", "tokens": "1", "ivf.entries": "1", "kmeansIterations": "4", "seed": "1",
                "bucketSampleTokens": "10",
            ]))
        try w.addColumn("centroids", type: .float16, recordLength: 8)
        try w.addColumn("buckets", type: .float32)
        try w.addColumn("codes", type: .int32, recordLength: 1)
        try w.addColumn("residuals", type: .uint8, recordLength: 2)
        try w.addColumn("ids", type: .int64, recordLength: 1)
        try w.addColumn("offsets", type: .int64, recordLength: 1)
        try w.addColumn("ivf", type: .int32, recordLength: 1)
        try w.addColumn("ivf.offsets", type: .int64, recordLength: 1)
        try w.append(float16s: [Float16](repeating: 0.25, count: 8), to: "centroids")
        try w.appendRecord(floats: [-0.1, 0, 0.1], to: "buckets")
        try w.appendRecord(floats: [-0.2, -0.05, 0.05, 0.2], to: "buckets")
        try w.append(int32s: [3], to: "codes")   // centroid 3 of 1
        try w.append(uint8s: [0, 0], to: "residuals")
        try w.append(int64s: [1], to: "ids")
        try w.append(int64s: [0, 1], to: "offsets")
        try w.append(int32s: [0], to: "ivf")
        try w.append(int64s: [0, 1], to: "ivf.offsets")
        try w.commit()
        #expect {
            try PLAIDIndex.open(directory: url)
        } throws: { error in
            guard case let IndexError.corrupt(_, reason) = error else { return false }
            return reason.contains("centroid 3")
        }
    }
}
