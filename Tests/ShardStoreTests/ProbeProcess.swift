import Foundation
import Testing

/// Runs the `ShardCrashProbe` executable built next to the test bundle.
enum ProbeProcess {
    /// The probe's path: beside this test binary in the build products directory.
    static var executable: URL? {
        var candidates: [URL] = []
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        candidates.append(exe.deletingLastPathComponent().appendingPathComponent("ShardCrashProbe"))
        if let first = CommandLine.arguments.first {
            let argv0 = URL(fileURLWithPath: first).resolvingSymlinksInPath()
            candidates.append(argv0.deletingLastPathComponent().appendingPathComponent("ShardCrashProbe"))
            // macOS: the .xctest bundle's binary lives in Contents/MacOS.
            candidates.append(argv0.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("ShardCrashProbe"))
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Starts the probe with `arguments`; stdout is piped.
    static func start(_ arguments: [String]) throws -> (Process, Pipe) {
        guard let exe = executable else {
            throw ProbeError.notBuilt
        }
        let p = Process()
        p.executableURL = exe
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        return (p, out)
    }

    /// Reads the probe's stdout until a line starting with `prefix` (or end of output); returns all text read.
    static func read(_ pipe: Pipe, until prefix: String) -> String {
        var text = ""
        while true {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { return text }
            text += String(decoding: data, as: UTF8.self)
            if text.split(separator: "\n").contains(where: { $0.hasPrefix(prefix) }) { return text }
        }
    }

    /// Runs the probe to completion; returns exit status and stdout.
    static func run(_ arguments: [String]) throws -> (Int32, String) {
        let (p, out) = try start(arguments)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    enum ProbeError: Error, CustomStringConvertible {
        case notBuilt
        var description: String { "ShardCrashProbe is not built next to the tests (run swift build --build-tests)" }
    }
}
