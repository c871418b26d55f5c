import Foundation

/// One reader under fuzzing: a working directory holding valid seed files, which of them are mutated,
/// and the code that reads the directory (it must either succeed or throw; a crash or a hang is a bug).
public struct FuzzTarget: Sendable {
    /// The name used by `scripts/fuzz.sh` and in crash files.
    public let name: String
    /// Files of the working directory that mutations replace (relative paths).
    public let slots: [String]
    /// Reads the working directory the way the package would.
    public let run: @Sendable (URL) throws -> Void
    /// Writes the valid seed files into an empty working directory.
    public let prepare: @Sendable (URL) throws -> Void

    /// Creates a target.
    public init(name: String, slots: [String], prepare: @escaping @Sendable (URL) throws -> Void,
                run: @escaping @Sendable (URL) throws -> Void) {
        self.name = name
        self.slots = slots
        self.prepare = prepare
        self.run = run
    }
}

/// What a fuzzing run did.
public struct FuzzReport: Sendable, CustomStringConvertible {
    public var target: String
    public var executions = 0
    public var accepted = 0
    public var rejected = 0
    public var seconds = 0.0
    /// Distinct error types seen (the readers' typed errors), with counts.
    public var errorKinds: [String: Int] = [:]

    public var description: String {
        let kinds = errorKinds.sorted { $0.value > $1.value }.prefix(6).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return String(format: "%@: %d executions in %.1f s (%.0f/s), %d accepted, %d rejected [%@]",
                      target, executions, seconds, Double(executions) / max(seconds, 1e-9), accepted, rejected, kinds)
    }
}

/// Runs a target on mutated inputs.
public enum FuzzRunner {
    /// Mutates one slot of the working directory `executions` times (or until `seconds` pass), running
    /// the target after each mutation. Before each run the input is written to `currentInput` (when
    /// given), so that a crash leaves the input that caused it there.
    public static func fuzz(_ target: FuzzTarget, executions: Int, seconds: Double = .infinity, seed: UInt64,
                            workDirectory: URL, currentInput: URL? = nil) throws -> FuzzReport {
        let fm = FileManager.default
        try? fm.removeItem(at: workDirectory)
        try fm.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        try target.prepare(workDirectory)
        let originals = try target.slots.map { try [UInt8](Data(contentsOf: workDirectory.appendingPathComponent($0))) }
        var corpus = originals
        var mutator = Mutator(seed: seed)
        var report = FuzzReport(target: target.name)
        let start = Date()
        for _ in 0..<executions {
            if Date().timeIntervalSince(start) > seconds { break }
            let slot = mutator.below(target.slots.count)
            let base = mutator.below(3) == 0 ? corpus[mutator.below(corpus.count)] : originals[slot]
            let input = mutator.mutate(base, corpus: corpus)
            let file = workDirectory.appendingPathComponent(target.slots[slot])
            if let c = currentInput {
                try Data(("slot \(target.slots[slot])\n").utf8 + input).write(to: c)
            }
            try Data(input).write(to: file)
            do {
                try target.run(workDirectory)
                report.accepted += 1
                if corpus.count < 64 { corpus.append(input) }   // inputs that parse are good mutation bases
            } catch {
                report.rejected += 1
                report.errorKinds[String(describing: type(of: error)), default: 0] += 1
            }
            try Data(originals[slot]).write(to: file)
            report.executions += 1
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }
}
