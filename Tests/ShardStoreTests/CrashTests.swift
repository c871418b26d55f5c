import Foundation
import Synchronization
@_spi(CrashTesting) import ShardStore
import Testing
import TestSupport

/// A writer killed with SIGKILL at every step of writing and committing leaves the previous committed object
/// readable and intact (or, once the swap has happened, the new one), never a mix.
@Suite(.serialized) struct CrashTests {
    /// Checks that `url` holds exactly generation `g` of the probe's object.
    static func expectGeneration(_ url: URL, _ g: Int) throws {
        let r = try ShardReader(directory: url, verifyChecksums: true)
        #expect(r.metadata["generation"] == String(g))
        let v = try r.column("v"), t = try r.column("t")
        #expect(v.recordCount == 3000)
        #expect(t.recordCount == 3000)
        for i in [0, 1, 1499, 1500, 2999] {
            #expect(try v.floats(record: i) == [Float](repeating: Float(g * 1_000_000 + i), count: 8))
            #expect(try t.string(record: i) == "g\(g) record \(i)")
        }
        let all = try v.allFloats()
        #expect(all.count == 3000 * 8)
        #expect(all.enumerated().allSatisfy { $0.element == Float(g * 1_000_000 + $0.offset / 8) })
        try r.verify()
    }

    static func siblings(_ url: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            .filter { $0 != url.lastPathComponent }
    }

    @Test(arguments: [false, true])
    func killedWriterLeavesOldOrNewObject(fallback: Bool) throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("store")
        let (status, _) = try ProbeProcess.run(["commit", url.path, "1", "none"])
        #expect(status == 0)
        try Self.expectGeneration(url, 1)

        // Stages before which the old object must survive, and after which the new one must be in place.
        let stages: [(String, newVisible: Bool)] = fallback
            ? [("writing", false), ("filesSynced", false), ("temporaryDirectorySynced", false),
               ("movedAside", false), ("renamedIntoPlace", true), ("parentSynced", true)]
            : [("writing", false), ("filesSynced", false), ("temporaryDirectorySynced", false),
               ("exchanged", true), ("parentSynced", true)]
        var current = 1
        for (n, (stage, newVisible)) in stages.enumerated() {
            let next = current + 1 + n
            var args = ["commit", url.path, String(next), stage]
            if fallback { args.append("fallback") }
            let (p, out) = try ProbeProcess.start(args)
            let text = ProbeProcess.read(out, until: "STAGE")
            #expect(text.contains("STAGE \(stage)"), "probe reached \(stage): \(text)")
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal)
            // The reader repairs a missing directory itself (restores the old object of a dead writer).
            try Self.expectGeneration(url, newVisible ? next : current)
            if newVisible { current = next }
            // Leftovers of the dead writer are reclaimed.
            try ShardStore.recover(directory: url)
            #expect(try Self.siblings(url) == [], "no .tmp/.old siblings after recover at \(stage)")
            try Self.expectGeneration(url, current)
        }
    }

    /// Readers opened while another process commits new generations over and over (both swap methods)
    /// each see one complete generation. Four reader threads on a two-core machine are descheduled often,
    /// which is when a reader can miss a whole swap and land in the next one.
    @Test(arguments: [false, true])
    func readersDuringRepeatedCommitsSeeOneGeneration(fallback: Bool) throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("store")
        #expect(try ProbeProcess.run(["commit", url.path, "1", "none"]).0 == 0)
        let (p, _) = try ProbeProcess.start(["loop", url.path, "2", "40"] + (fallback ? ["fallback"] : []))
        let opened = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            var first = true
            while p.isRunning || first {
                first = false
                do {
                    let r = try ShardReader(directory: url)
                    guard let g = r.metadata["generation"].flatMap({ Int($0) }) else {
                        Issue.record("no generation in \(r.metadata)")
                        return
                    }
                    let v = try r.column("v"), t = try r.column("t")
                    #expect(try v.floats(record: 2999) == [Float](repeating: Float(g * 1_000_000 + 2999), count: 8))
                    #expect(try t.string(record: 1234) == "g\(g) record 1234")
                    #expect(try v.allFloats().last == Float(g * 1_000_000 + 2999))
                    opened.withLock { $0.append(g) }
                } catch {
                    Issue.record("reader failed during commits: \(error)")
                    return
                }
            }
        }
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(opened.withLock { $0.count } > 4)
        try Self.expectGeneration(url, 40)
        #expect(try Self.siblings(url) == [])
    }

    @Test func recoverRestoresAMovedAsideObject() throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("store")
        #expect(try ProbeProcess.run(["commit", url.path, "7", "none"]).0 == 0)
        let (p, out) = try ProbeProcess.start(["commit", url.path, "8", "movedAside", "fallback"])
        _ = ProbeProcess.read(out, until: "STAGE")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: url.path), "killed between the two renames")
        let report = try ShardStore.recover(directory: url)
        #expect(report.restored != nil)
        #expect(report.removed.count == 1, "the dead writer's new object is removed")
        try Self.expectGeneration(url, 7)
    }

    @Test func readerOpenedBeforeACommitKeepsItsSnapshot() throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("store")
        #expect(try ProbeProcess.run(["commit", url.path, "1", "none"]).0 == 0)
        let before = try ShardReader(directory: url)
        for fallback in [false, true] {
            var args = ["commit", url.path, fallback ? "3" : "2", "none"]
            if fallback { args.append("fallback") }
            #expect(try ProbeProcess.run(args).0 == 0)
        }
        // The old files are unlinked, but the open reader still sees generation 1, fully and correctly.
        #expect(try before.column("v").floats(record: 2999) == [Float](repeating: 1_002_999, count: 8))
        #expect(try before.column("t").allStrings().last == "g1 record 2999")
        try before.verify()
        try Self.expectGeneration(url, 3)
    }
}
