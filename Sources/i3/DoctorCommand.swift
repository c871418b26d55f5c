import ArgumentParser
import Foundation
import I3Encoder
import I3Retriever

/// `i3 doctor`: what the numeric code runs on here, and whether anything runs on a fallback.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Report the CPU, the BLAS kernels and threads in use, the model, and a one-second sgemm speed.",
        discussion: """
        Prints the CPU's instruction-set level, the OpenBLAS library and kernel set ("core") in use and who \
        chose it, thread counts, the vector-kernel ISA, whether the model loads, and one core's sgemm speed \
        of the encoder's shape (2048x384 * 384x1536) next to the range expected for that core. Ends with \
        warnings in plain words when anything runs below what the CPU can do. Exits 1 when BLAS is missing.
        """)

    @Option(help: "Model directory to check (default: $I3_MODEL_DIR or .models/all-MiniLM-L6-v2).")
    var model: String?

    func run() throws {
        let env = ComputeEnvironment.current
        func line(_ key: String, _ value: String) { print(key.padding(toLength: 22, withPad: " ", startingAt: 0) + value) }
        line("CPU", env.cpuModel ?? "unknown")
        line("CPU ISA level", "\(env.cpuISA)  [\(env.cpuFeatures.joined(separator: " "))]")
        line("BLAS library", env.blasLibrary)
        line("BLAS core", "\(env.blasCore) (\(env.blasCoreISA))")
        line("  chosen by", env.blasCoreReason)
        if !env.blasConfig.isEmpty { line("  config", env.blasConfig) }
        line("BLAS threads", "\(env.blasThreads) per call\(env.blasThreadsFromUser ? " (from the environment)" : " (the package parallelises above BLAS)")")
        line("worker threads", "\(env.workerThreads) (encoder and index workers when --threads is 0)")
        line("vector kernels", env.vectorKernelISA)

        let dir = model.map { URL(fileURLWithPath: $0) } ?? EncoderLoader.defaultModelDirectory
        do {
            let encoder = try DualEncoder(modelDirectory: dir)
            line("model", "\(dir.path): \(encoder.dimension) dimensions, \(encoder.metric.rawValue), identity \(encoder.identity)")
        } catch {
            line("model", "\(dir.path): not usable: \(error)")
        }

        var warnings = env.warnings
        if env.blasUnavailableReason == nil {
            let speed = ComputeEnvironment.measureSGEMM(seconds: 1)
            let gflops = speed.wallGFLOPS
            let expected = ComputeEnvironment.expectedSGEMMGFLOPS(env.blasCoreISA)
            let range = "\(Int(expected.lowerBound))-\(Int(expected.upperBound))"
            let figure = String(format: "%.1f", gflops)
            line("sgemm", "\(figure) GFLOP/s on \(env.blasThreads) thread(s) (2048x384 * 384x1536; expected \(range) for \(env.blasCore) on one)")
            line("", String(format: "%.1f GFLOP per CPU-second of the calling thread (the figure for a busy machine)", speed.cpuGFLOPS))
            if speed.cpuGFLOPS < expected.lowerBound {
                warnings.append("sgemm ran at \(String(format: "%.1f", speed.cpuGFLOPS)) GFLOP per CPU-second, below the \(range) expected for \(env.blasCore) kernels: "
                    + "the machine may be busy or throttled, or the kernels wrong for this CPU.")
            }
        }
        if warnings.isEmpty {
            print("\nOK: nothing runs on a fallback.")
        } else {
            print("")
            for w in warnings { print("WARNING: \(w)") }
        }
        if env.blasUnavailableReason != nil { throw ExitCode(1) }
    }
}
