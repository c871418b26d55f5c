import Foundation
import Fuzzing
import Testing

/// A short run of every fuzz target (scripts/fuzz.sh runs them for millions of executions): mutated
/// inputs must be read or refused with an error, never crash or hang, and the mutations must reach
/// both outcomes (a fuzzer whose inputs are all refused at the first check tests nothing).
@Suite struct FuzzSmokeTests {
    @Test(arguments: FuzzTargets.all.map(\.name))
    func targetSurvivesAShortRun(name: String) throws {
        let target = try #require(FuzzTargets.all.first { $0.name == name })
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("i3fuzz-\(name)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let report = try FuzzRunner.fuzz(target, executions: 300, seconds: 20, seed: 42, workDirectory: work)
        #expect(report.executions > 0)
        #expect(report.rejected > 0, "no mutation was refused: \(report)")
        #expect(report.accepted + report.rejected == report.executions)
    }
}
