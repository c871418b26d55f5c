import DataSets
import Foundation
import TerminalProgress
import Testing
@testable import I3Retriever
import IndexCore
import TestSupport
import VectorKernels

@Suite struct IndexBuildTests {
    func options(shard: Int = 16, batch: Int = 8) -> IndexBuildOptions {
        var o = IndexBuildOptions()
        o.indexType = .flat
        o.shardPassages = shard
        o.batchSize = batch
        return o
    }

    @Test func malformedCollectionStopsBeforeAnythingIsWritten() throws {
        let dir = try TemporaryDirectory()
        let c = dir.path("c.tsv")
        var bytes = Array("1\tfine\n2\tfine too\n3 x\tid with a space\n4\tx\n".utf8)
        bytes += [0x35, 0x09, 0xFF, 0x0A]   // "5\t<invalid>\n"
        try Data(bytes).write(to: c)
        let out = dir.path("idx")
        do {
            try IndexBuilder.build(collection: c, output: out, encoder: HashedBagOfWordsEncoder(), options: options())
            Issue.record("a malformed collection was indexed")
        } catch let e as RetrieverError {
            guard case let .malformedInput(path, problems, total) = e else { Issue.record("wrong error \(e)"); return }
            #expect(path == c.path)
            #expect(total == 2)
            #expect(problems.map(\.line) == [3, 5])
            #expect(e.description.contains("c.tsv:3: id contains whitespace"))
            #expect(e.description.contains("c.tsv:5: invalid UTF-8"))
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(!FileManager.default.fileExists(atPath: IndexBuilder.partialDirectory(for: out).path))
    }

    @Test func skippingWritesAReportAndIndexesTheRest() throws {
        let dir = try TemporaryDirectory()
        let c = dir.path("c.tsv")
        try RT.write("1\tfine\n1\tduplicate\n2\tt\tfine too\n3\n", c)
        var o = options()
        o.skipMalformed = true
        let out = dir.path("idx")
        let res = try IndexBuilder.build(collection: c, output: out, encoder: HashedBagOfWordsEncoder(), options: o)
        #expect(res.manifest.passageCount == 2)
        #expect(res.skipped.map(\.kind) == [.duplicateID, .wrongColumnCount])
        let report = try String(contentsOf: out.appendingPathComponent("skipped.tsv"), encoding: .utf8)
        #expect(report.contains("\t2\tduplicate id\t"))
        #expect(report.contains("\t4\twrong column count\t"))
        let r = try Retriever(directory: out, encoder: HashedBagOfWordsEncoder())
        #expect(try r.search("fine too", k: 1).first?.id == "2")
    }

    @Test func existingOutputIsKeptUnlessOverwriting() throws {
        let dir = try TemporaryDirectory()
        let (out, enc) = try RT.buildFixture(in: dir)
        #expect(throws: RetrieverError.self) {
            try IndexBuilder.build(collection: RT.collection, output: out, encoder: enc, options: self.options())
        }
        var o = options()
        o.overwrite = true
        let res = try IndexBuilder.build(collection: RT.collection, output: out, encoder: enc, options: o)
        #expect(res.manifest.passageCount == 60)
        #expect(try Retriever(directory: out, encoder: enc).count == 60)
    }

    @Test func cancelledBuildResumesToTheSameIndex() throws {
        let dir = try TemporaryDirectory()
        let enc = try HashedBagOfWordsEncoder()
        let (reference, _) = try RT.buildFixture(in: dir, name: "reference")
        let out = dir.path("resumed")
        var batches = 0
        do {
            try IndexBuilder.build(collection: RT.collection, output: out, encoder: enc, options: options(),
                                   isCancelled: { batches += 1; return batches > 2 })
            Issue.record("the build was not cancelled")
        } catch let e as RetrieverError {
            guard case .cancelled = e else { Issue.record("wrong error \(e)"); return }
        }
        // Not published; two 16-passage shards were completed (the encoder gets up to 4 batches per thread
        // at a time, more than a shard here: one cancellation check per shard).
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let partial = IndexBuilder.partialDirectory(for: out)
        let state = try #require(try BuildProgressFile.read(partial))
        #expect(state.completedShards == 2)
        #expect(state.passagesDone == 32)
        // Simulate a kill right after a shard commit that was not recorded yet: a stray later shard.
        try FileManager.default.createDirectory(at: partial.appendingPathComponent("parts/part-00002"),
                                                withIntermediateDirectories: true)
        var o = options()
        o.resume = true
        var encodedAfterResume = 0
        let res = try IndexBuilder.build(collection: RT.collection, output: out, encoder: enc, options: o,
                                         progress: { total, done in
                                             #expect(total == 60)
                                             #expect(done == 32)
                                             return ProgressReporter(label: "t", total: total, startDone: done, output: { _ in })
                                         },
                                         isCancelled: { encodedAfterResume += 1; return false })
        #expect(res.resumedShards == 2)
        #expect(encodedAfterResume == 2)   // 28 passages left: shards of 16 and 12, one encoder call each
        #expect(!FileManager.default.fileExists(atPath: partial.path))
        let a = try Retriever(directory: reference, encoder: enc)
        let b = try Retriever(directory: out, encoder: enc)
        for q in try TrecFiles.readQueries(RT.queries) {
            #expect(try a.search(q.text, k: 60) == b.search(q.text, k: 60))
        }
    }

    @Test func resumeRefusesAPartialBuildOfAnotherEncoder() throws {
        let dir = try TemporaryDirectory()
        let out = dir.path("idx")
        var n = 0
        #expect(throws: RetrieverError.self) {
            try IndexBuilder.build(collection: RT.collection, output: out, encoder: HashedBagOfWordsEncoder(),
                                   options: self.options(), isCancelled: { n += 1; return n > 3 })
        }
        var o = options()
        o.resume = true
        do {
            try IndexBuilder.build(collection: RT.collection, output: out, encoder: HashedBagOfWordsEncoder(dimension: 64), options: o)
            Issue.record("resumed with another encoder")
        } catch let e as RetrieverError {
            #expect(e.description.contains("build without resuming to start over"))
        }
    }

    @Test func openingWithAnotherModelIsAnErrorThatSaysSo() throws {
        let dir = try TemporaryDirectory()
        let (out, enc) = try RT.buildFixture(in: dir)
        do {
            _ = try Retriever(directory: out, encoder: RenamedEncoder(base: enc, identity: "other-model-weights"))
            Issue.record("opened with another model")
        } catch let e as RetrieverError {
            guard case let .encoderMismatch(_, field, stored, given) = e else { Issue.record("wrong error \(e)"); return }
            #expect(field == "model (weights hash)")
            #expect(stored.hasPrefix(enc.identity))
            #expect(given.hasPrefix("other-model-weights"))
            #expect(e.description.contains("was built with a different encoder"))
        }
        #expect(throws: RetrieverError.self) { _ = try Retriever(directory: out, encoder: HashedBagOfWordsEncoder(dimension: 128)) }
    }

    @Test func manifestRecordsWhatMadeTheIndex() throws {
        let dir = try TemporaryDirectory()
        let (out, enc) = try RT.buildFixture(in: dir)
        let m = try IndexManifest.read(from: out)
        #expect(m.modelIdentity == enc.identity)
        #expect(m.dimension == 256)
        #expect(m.metric == .cosine)
        #expect(m.indexType == .flat)
        #expect(m.passageCount == 60)
        try RT.write("{}", out.appendingPathComponent(IndexManifest.fileName))
        #expect(throws: RetrieverError.self) { _ = try Retriever(directory: out, encoder: enc) }
    }
}

@Suite struct VectorReuseTests {
    /// Counts encoded passages.
    final class CountingEncoder: TextEncoding, @unchecked Sendable {
        let base: HashedBagOfWordsEncoder
        var passages = 0
        init() throws { base = try HashedBagOfWordsEncoder() }
        var dimension: Int { base.dimension }
        var metric: Metric { base.metric }
        var identity: String { base.identity }
        var displayName: String { "counting" }
        func encodeQueries(_ t: [String]) throws -> [[Float]] { try base.encodeQueries(t) }
        func encodePassages(_ t: [String]) throws -> [[Float]] { passages += t.count; return try base.encodePassages(t) }
    }

    @Test func reusesVectorsOfUnchangedPassagesOnly() throws {
        let dir = try TemporaryDirectory()
        let (donor, enc) = try RT.buildFixture(in: dir, name: "donor")
        // One passage changed, one added.
        var text = try String(contentsOf: RT.collection, encoding: .utf8)
        let firstLine = try #require(text.split(separator: "\n").first)
        text = text.replacingOccurrences(of: String(firstLine), with: String(firstLine) + " changed")
        text += "new1\tA new passage about lanterns\n"
        let c = dir.path("c.tsv")
        try RT.write(text, c)
        let counting = try CountingEncoder()
        var o = IndexBuildOptions()
        o.indexType = .flat
        o.reuseVectorsFrom = donor
        try IndexBuilder.build(collection: c, output: dir.path("reused"), encoder: counting, options: o)
        #expect(counting.passages == 2)
        let a = try Retriever(directory: dir.path("reused"), encoder: enc)
        #expect(a.count == 61)
        #expect(try a.search("new passage lanterns", k: 1).first?.id == "new1")
    }
}
