import Foundation
import Testing
@testable import TerminalProgress

@Suite struct ProgressReporterTests {
    final class Sink: @unchecked Sendable {
        var lines: [String] = []
    }

    @Test func plainLinesWhenNotATerminal() {
        let sink = Sink()
        let p = ProgressReporter(label: "encoding", total: 100, interval: 3600, terminal: false, output: { sink.lines.append($0) })
        p.update(done: 10)
        p.update(done: 20)      // within the interval: not printed
        p.finish(done: 100)
        #expect(sink.lines.count == 2)
        #expect(sink.lines[0].hasPrefix("encoding: 10.0% 10/100 passages, "))
        #expect(sink.lines[0].hasSuffix("\n"))
        #expect(sink.lines[1].contains("100/100 passages"))
        #expect(!sink.lines.joined().contains("\r"))
    }

    @Test func barOnATerminal() {
        let sink = Sink()
        let p = ProgressReporter(label: "encoding", total: 4, terminal: true, output: { sink.lines.append($0) })
        p.update(done: 2, force: true)
        p.finish(done: 4)
        #expect(sink.lines[0].hasPrefix("\rencoding [###############---------------]  50% 2/4 passages"))
        #expect(sink.lines[0].contains("ETA"))
        #expect(sink.lines[1].hasSuffix("\n"))
    }

    @Test func durations() {
        #expect(ProgressReporter.duration(65) == "1:05")
        #expect(ProgressReporter.duration(3725) == "1:02:05")
        #expect(ProgressReporter.duration(.infinity) == "--:--")
    }
}
