import Foundation
import I3Encoder

/// The machine block of I3Bench's output: `ComputeEnvironment` (what `i3 doctor` prints) plus one
/// core's sgemm speed of the encoder's shape, measured for a second.
struct MachineReport: Codable {
    let environment: ComputeEnvironment
    /// One core's sgemm of the encoder's shape, per wall-clock second and per CPU-second.
    let sgemmGFLOPS: Double
    let sgemmGFLOPSPerCPUSecond: Double
    let expectedSGEMMGFLOPS: [Double]
    let warnings: [String]

    static func measure() -> MachineReport {
        let env = ComputeEnvironment.current
        let range = ComputeEnvironment.expectedSGEMMGFLOPS(env.blasCoreISA)
        let speed = ComputeEnvironment.measureSGEMM(seconds: 1)
        return MachineReport(environment: env, sgemmGFLOPS: speed.wallGFLOPS, sgemmGFLOPSPerCPUSecond: speed.cpuGFLOPS,
                             expectedSGEMMGFLOPS: [range.lowerBound, range.upperBound], warnings: env.warnings)
    }

    /// One line for the console.
    var summary: String {
        let e = environment
        return "machine: \(e.cpuModel ?? "unknown CPU"), \(e.cpuISA); OpenBLAS core \(e.blasCore) (chosen by \(e.blasCoreChoice)), "
            + "\(e.blasThreads) BLAS thread(s); vector kernels \(e.vectorKernelISA); sgemm 2048x384*384x1536 "
            + String(format: "%.1f GFLOP/s on one core, %.1f per CPU-second (expected %.0f-%.0f)", sgemmGFLOPS,
                     sgemmGFLOPSPerCPUSecond, expectedSGEMMGFLOPS[0], expectedSGEMMGFLOPS[1])
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
            "sgemm_gflops_per_cpu_second": String(format: "%.1f", sgemmGFLOPSPerCPUSecond),
            "warnings": warnings.joined(separator: " | "),
        ]
    }
}
