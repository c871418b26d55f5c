import Foundation
import Testing
@testable import I3Retriever
import TestSupport

/// A small filesystem of its own (tmpfs), so that a test can fill it or make it read-only. Needs root
/// (CI and the development machines run as root); elsewhere the tests that use it say so and stop.
final class SmallFilesystem {
    let url: URL
    private let dir: TemporaryDirectory
    private(set) var mounted = false

    init(megabytes: Int) throws {
        dir = try TemporaryDirectory(prefix: "i3fs")
        url = dir.url
        mounted = Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", url.path])
    }

    deinit { if mounted { _ = Self.run("/bin/umount", ["-l", url.path]) } }

    func remount(readOnly: Bool) -> Bool {
        Self.run("/bin/mount", ["-o", "remount,\(readOnly ? "ro" : "rw")", url.path])
    }

    /// Writes a file until the filesystem is full; returns its URL.
    func fill() throws -> URL {
        let filler = url.appendingPathComponent("filler")
        _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
        let h = try FileHandle(forWritingTo: filler)
        defer { try? h.close() }
        let chunk = Data(repeating: 0x55, count: 4096)
        while (try? h.write(contentsOf: chunk)) != nil {}
        return filler
    }

    @discardableResult
    static func run(_ tool: String, _ args: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}

@Suite(.serialized) struct DiskFaultTests {
    func options(overwrite: Bool) -> IndexBuildOptions {
        var o = IndexBuildOptions()
        o.indexType = .hnsw
        o.shardPassages = 16
        o.batchSize = 8
        o.overwrite = overwrite
        return o
    }

    /// An index of the fixture built on a fresh small filesystem, or nil (with a message) where none can
    /// be mounted.
    func indexOnSmallFilesystem(megabytes: Int) throws -> (fs: SmallFilesystem, out: URL, encoder: HashedBagOfWordsEncoder)? {
        let fs = try SmallFilesystem(megabytes: megabytes)
        guard fs.mounted else {
            print("DiskFaultTests: cannot mount a tmpfs here (not root?); skipped")
            return nil
        }
        let enc = try HashedBagOfWordsEncoder(dimension: 256)
        let out = fs.url.appendingPathComponent("index")
        try IndexBuilder.build(collection: RT.collection, output: out, encoder: enc, options: options(overwrite: false))
        return (fs, out, enc)
    }

    /// A full filesystem during a rebuild: a clear error, the old index intact, and once there is room
    /// again a later build succeeds (nothing left behind trips it).
    @Test func fullFilesystemDuringRebuildKeepsTheOldIndex() throws {
        guard let (fs, out, enc) = try indexOnSmallFilesystem(megabytes: 4) else { return }
        let before = try Retriever(directory: out, encoder: enc).search("pertaining to the ear", k: 5)
        let filler = try fs.fill()
        #expect {
            try IndexBuilder.build(collection: RT.collection, output: out, encoder: enc, options: options(overwrite: true))
        } throws: { error in
            let text = "\(error)"
            return text.contains("No space left") || text.contains("space")
        }
        #expect(try Retriever(directory: out, encoder: enc).search("pertaining to the ear", k: 5) == before)
        try FileManager.default.removeItem(at: filler)
        try IndexBuilder.build(collection: RT.collection, output: out, encoder: enc, options: options(overwrite: true))
        #expect(try Retriever(directory: out, encoder: enc).search("pertaining to the ear", k: 5) == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fs.url.path).filter { $0 != "index" && $0 != "index.lock" }
        #expect(leftovers == [])
    }

    /// A read-only target: a clear error, the old index intact and still searchable.
    @Test func readOnlyFilesystemIsAClearErrorAndKeepsTheOldIndex() throws {
        guard let (fs, out, enc) = try indexOnSmallFilesystem(megabytes: 8) else { return }
        let before = try Retriever(directory: out, encoder: enc).search("atmospheric pressure", k: 5)
        #expect(fs.remount(readOnly: true))
        defer { _ = fs.remount(readOnly: false) }
        #expect {
            try IndexBuilder.build(collection: RT.collection, output: out, encoder: enc, options: options(overwrite: true))
        } throws: { error in
            "\(error)".contains("Read-only") || "\(error)".contains("read-only")
        }
        #expect(try Retriever(directory: out, encoder: enc).search("atmospheric pressure", k: 5) == before)
    }
}
