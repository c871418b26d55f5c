import Foundation
import Testing
@testable import DataSets
import TestSupport

/// Duplicate ids found in bounded memory: the same lines whether the finder's buckets stay in memory or
/// spill to its scratch directory, hash collisions told apart, and readers that take the scan's lines.
@Suite struct DuplicateIDTests {
    /// ids 0..<n with every 7th line repeating an id from 100 lines before.
    func collection(_ n: Int) -> (text: String, duplicates: [Int: Int]) {
        var lines: [String] = [], dups: [Int: Int] = [:], firstLine: [String: Int] = [:]
        for i in 0..<n {
            let line = i + 1
            let id = i % 7 == 6 && i >= 100 ? "p\(i - 100)" : "p\(i)"
            if let f = firstLine[id] { dups[line] = f } else { firstLine[id] = line }
            lines.append("\(id)\ttext of line \(line)")
        }
        return (lines.joined(separator: "\n") + "\n", dups)
    }

    @Test func spilledAndInMemoryBucketsFindTheSameDuplicates() throws {
        let dir = try TemporaryDirectory()
        let u = dir.path("c.tsv")
        let (text, expected) = collection(5000)
        try writeText(text, u)
        let inMemory = try CollectionScan.scan(u)
        let spilled = try CollectionScan.scan(u, maxLineBytes: 1 << 20,
                                              finder: DuplicateIDFinder(bufferEntries: 3, scratchParent: dir.url))
        #expect(inMemory.duplicates.firstLine == expected)
        #expect(spilled.duplicates == inMemory.duplicates)
        #expect(spilled.passageCount == 5000 - expected.count && spilled.problemCount == expected.count)
        #expect(spilled.problems.map(\.line) == expected.keys.sorted())
        #expect(spilled.problems.first?.detail == "id p4 first appeared on line 5")
        // The scratch directory is gone once the scan returns.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == ["c.tsv"])
    }

    @Test func finderSpillsToDiskAndReturnsEveryLineOfARepeatedHash() throws {
        let dir = try TemporaryDirectory()
        var f = DuplicateIDFinder(bufferEntries: 2, scratchParent: dir.url)
        for (i, id) in ["a", "b", "a", "c", "d", "b", "a"].enumerated() { try f.add(id: id, line: i + 1) }
        for i in 0..<2000 { try f.add(id: "u\(i)", line: 100 + i) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).count == 1)   // spilled
        #expect(try f.candidateLines() == [1, 2, 3, 6, 7])
        f.removeScratch()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
    }

    @Test func aReaderResumedMidFileKnowsDuplicatesOfLinesBeforeIt() throws {
        let dir = try TemporaryDirectory()
        let u = dir.path("c.tsv")
        try writeText("a\tone\nb\ttwo\na\t\nc\tthree\n", u)
        let scan = try CollectionScan.scan(u)
        #expect(scan.duplicates.firstLine == [3: 1])
        #expect(scan.passageCount == 3 && scan.emptyTexts == 0)   // the empty text was the duplicate's
        var first = try PassageTSVReader(url: u, duplicates: scan.duplicates)
        guard case let .passage(_, _, end)? = try first.next(), case .passage? = try first.next() else {
            Issue.record("no first passages"); return
        }
        var resumed = try PassageTSVReader(url: u, startOffset: end, startLine: 2, duplicates: scan.duplicates)
        var kinds: [String] = []
        while let item = try resumed.next() {
            switch item {
            case let .passage(p, _, _): kinds.append(p.id)
            case let .problem(p, _): kinds.append("\(p.line): \(p.kind.rawValue)")
            }
        }
        #expect(kinds == ["b", "3: duplicate id", "c"])
    }

    @Test func manyMalformedLinesAreCountedAndAllReported() throws {
        let dir = try TemporaryDirectory()
        let u = dir.path("c.tsv")
        let bad = CollectionScan.keptProblems + 50
        try writeText((0..<bad).map { "no-tab-\($0)\n" }.joined() + "ok\tfine\n", u)
        let scan = try CollectionScan.scan(u)
        #expect(scan.problems.count == CollectionScan.keptProblems)
        #expect(scan.problemCount == bad && scan.passageCount == 1)
        #expect(scan.problems.last?.line == CollectionScan.keptProblems)
        let report = dir.path("skipped.tsv")
        try scan.writeReport(collection: u, to: report)
        let rows = try String(contentsOf: report, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == bad + 1)   // the header, then every malformed line
        #expect(rows.last?.hasPrefix("\(u.path)\t\(bad)\twrong column count\t") == true)
    }
}
