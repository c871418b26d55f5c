import Foundation
import Testing
@testable import DataSets
import TestSupport

@Suite struct PassageTSVTests {
    func read(_ bytes: [UInt8], maxLine: Int = 1 << 20) throws -> (passages: [Passage], problems: [TSVProblem]) {
        let dir = try TemporaryDirectory()
        let u = dir.path("c.tsv")
        try Data(bytes).write(to: u)
        var r = try PassageTSVReader(url: u, maxLineBytes: maxLine)
        var ps: [Passage] = [], pr: [TSVProblem] = []
        while let item = try r.next() {
            switch item {
            case let .passage(p, _, _): ps.append(p)
            case let .problem(p, _): pr.append(p)
            }
        }
        return (ps, pr)
    }

    @Test func readsTwoAndThreeColumnsAndCRLF() throws {
        let (ps, pr) = try read(Array("1\tplain text\r\n\n2\tA Title\tbody here\n3\tlast without newline".utf8))
        #expect(pr.isEmpty)
        #expect(ps == [Passage(id: "1", text: "plain text"), Passage(id: "2", title: "A Title", text: "body here"),
                       Passage(id: "3", text: "last without newline")])
        #expect(ps[1].encoderText == "A Title. body here")
        #expect(ps[0].encoderText == "plain text")
    }

    @Test func reportsEachMalformedKindWithItsLine() throws {
        var bytes = Array("a\tok\nb\tone\ttwo\tthree\nc\t  \n\tno id\nd\tbad ".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("\na\tduplicate\nonly-one-column\n".utf8)
        let (ps, pr) = try read(bytes)
        #expect(ps.map(\.id) == ["a", "c"])   // an empty text is a passage (see the reader's documentation)
        #expect(ps[1].text.isEmpty)
        #expect(pr.map(\.kind) == [.wrongColumnCount, .emptyID, .invalidUTF8, .duplicateID, .wrongColumnCount])
        #expect(pr.map(\.line) == [2, 4, 5, 6, 7])
        #expect(pr[3].description.hasSuffix("c.tsv:6: duplicate id: id a first appeared on line 1"))
    }

    @Test func overLongLinesAreReportedAndSkipped() throws {
        let long = String(repeating: "x", count: 5000)
        let (ps, pr) = try read(Array("1\tshort\n2\t\(long)\n3\tafter\n".utf8), maxLine: 1000)
        #expect(ps.map(\.id) == ["1", "3"])
        #expect(pr.count == 1)
        #expect(pr.first?.kind == .overLong)
        #expect(pr.first?.line == 2)
    }

    @Test func resumesFromARecordedOffset() throws {
        let dir = try TemporaryDirectory()
        let u = dir.path("c.tsv")
        try writeText("1\tone\n2\ttwo\n3\tthree\n", u)
        var r = try PassageTSVReader(url: u)
        guard case let .passage(_, line, end)? = try r.next() else { Issue.record("no first passage"); return }
        #expect(line == 1)
        var r2 = try PassageTSVReader(url: u, startOffset: end, startLine: 2)
        guard case let .passage(p, line2, _)? = try r2.next() else { Issue.record("no passage after resume"); return }
        #expect(p.id == "2")
        #expect(line2 == 2)
    }

    @Test func scanCountsAndWritesReport() throws {
        let dir = try TemporaryDirectory()
        let u = dir.path("c.tsv")
        try writeText("1\tone\n2\n3\tthree\n", u)
        let s = try CollectionScan.scan(u)
        #expect(s.passageCount == 2)
        #expect(s.problems.map(\.line) == [2])
        try s.writeReport(collection: u, to: dir.path("r.tsv"))
        let report = try String(contentsOf: dir.path("r.tsv"), encoding: .utf8)
        #expect(report.contains("\t2\twrong column count\t"))
    }
}
