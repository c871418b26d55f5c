import Foundation
import I3Encoder

/// The machine block of I3Bench's output: `ComputeEnvironment` (what `i3 doctor` prints) plus one
/// core's sgemm speed of the encoder's shape, measured for a second.
struct MachineReport: Codable {
    let environment: ComputeEnvironment
    let sgemmGFLOPS: Double
    let expectedSGEMMGFLOPS: [Double]
    let warnings: [String]

    static func measure() -> MachineReport {
        let env = ComputeEnvironment.current
        let range = ComputeEnvironment.expectedSGEMMGFLOPS(env.blasCoreISA)
        return MachineReport(environment: env, sgemmGFLOPS: ComputeEnvironment.measureSGEMM(seconds: 1),
                             expectedSGEMMGFLOPS: [range.lowerBound, range.upperBound], warnings: env.warnings)
    }

    /// One line for the console.
    var summary: String {
        let e = environment
        return "machine: \(e.cpuModel ?? "unknown CPU"), \(e.cpuISA); OpenBLAS core \(e.blasCore) (chosen by \(e.blasCoreChoice)), "
            + "\(e.blasThreads) BLAS thread(s); vector kernels \(e.vectorKernelISA); sgemm 2048x384*384x1536 "
            + String(format: "%.1f GFLOP/s on one core (expected %.0f-%.0f)", sgemmGFLOPS, expectedSGEMMGFLOPS[0], expectedSGEMMGFLOPS[1])
            + (warnings.isEmpty ? "" : "\n" + warnings.map { "WARNING: \($0)" }.joined(separator: "\n"))
    }

    /// The same as flat strings, for `BenchmarkPoint.machine`.
    var fields: [String: String] {
        let e = environment
        return [
            "cpu": e.cpuModel ?? "unknown", "cpu_isa": "\(e.cpuISA)", "blas_library": e.blasLibrary,
            "blas_core": e.blasCore, "blas_core_isa": "\(e.blasCoreISA)", "blas_core_chosen_by": e.blasCoreChoice,
            "blas_threads": "\(e.blasThreads)", "worker_threads": "\(e.workerThreads)",
            "vector_kernels": e.vectorKernelISA, "sgemm_gflops_one_core": String(format: "%.1f", sgemmGFLOPS),
            "warnings": warnings.joined(separator: " | "),
        ]
    }
}
