import Foundation
import Fuzzing

// I3Fuzz: runs the seeded mutation fuzzer on the package's readers of untrusted files.
// Usage: I3Fuzz [--target NAME[,NAME...]|all] [--executions N] [--seconds S] [--seed S] [--out DIR]
// A crash or a hang leaves the input that caused it in DIR/<target>.current (the first line names the
// file it replaced); scripts/fuzz.sh turns it into a regression fixture.
var targets = "all", executions = 10_000, seconds = Double.infinity, seed: UInt64 = 1, out = "runs/fuzz"
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    guard let v = args.next() else { FileHandle.standardError.write(Data("I3Fuzz: \(a) needs a value\n".utf8)); exit(2) }
    switch a {
    case "--target": targets = v
    case "--executions": executions = Int(v) ?? executions
    case "--seconds": seconds = Double(v) ?? seconds
    case "--seed": seed = UInt64(v) ?? seed
    case "--out": out = v
    default: FileHandle.standardError.write(Data("I3Fuzz: unknown option \(a)\n".utf8)); exit(2)
    }
}
let chosen = targets == "all" ? FuzzTargets.all : FuzzTargets.all.filter { targets.split(separator: ",").map(String.init).contains($0.name) }
guard !chosen.isEmpty else {
    FileHandle.standardError.write(Data("I3Fuzz: no target named \(targets); targets: \(FuzzTargets.all.map(\.name))\n".utf8))
    exit(2)
}
let outURL = URL(fileURLWithPath: out)
try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true)
for t in chosen {
    let report = try FuzzRunner.fuzz(t, executions: executions, seconds: seconds, seed: seed,
                                     workDirectory: outURL.appendingPathComponent("work-\(t.name)"),
                                     currentInput: outURL.appendingPathComponent("\(t.name).current"))
    try? FileManager.default.removeItem(at: outURL.appendingPathComponent("\(t.name).current"))
    print(report)
}
