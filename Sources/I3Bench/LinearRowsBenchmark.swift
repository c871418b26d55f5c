import ArgumentParser
import CBLAS
import CVectorKernels
import Foundation
import I3Encoder

/// `I3Bench linear-rows`: the encoder's dense layers for few rows, the in-place kernel
/// (`ivk_linear_rows_f32`) against OpenBLAS `sgemm` on the same data, in one run, one thread. One pass
/// is the 36 products of a MiniLM-L6 forward pass (per layer Q, K, V, attention output 384→384, the
/// intermediate 384→1536 and the output 1536→384; 42 MB of distinct weights, more than the last-level
/// cache, as in a real query), timed by the thread's CPU clock. Its figures set `BertKernels.smallRowLimit`.
struct LinearRowsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linear-rows",
        abstract: "Dense layers of a MiniLM forward pass for few rows: in-place kernel vs OpenBLAS sgemm, one thread.")

    @Option(help: "Row counts to measure, comma-separated.") var rows = "1,4,8,12,16,20,24,32,48,64,96,128"
    @Option(help: "CPU seconds per side and row count (at least one pass).") var seconds = 0.5
    @Option(help: "Layers in a pass.") var layers = 6
    @Option(help: "Hidden size.") var hidden = 384
    @Option(help: "Intermediate size.") var intermediate = 1536

    func run() throws {
        let counts = rows.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--rows needs positive integers") }
        i3blas_set_num_threads(1)
        let shapes = (0..<layers).flatMap { _ in
            [(hidden, hidden), (hidden, hidden), (hidden, hidden), (hidden, hidden), (hidden, intermediate), (intermediate, hidden)]
        }
        var rng = SystemRandomNumberGenerator()
        func randomBuffer(_ n: Int, _ range: ClosedRange<Float>) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
            for i in 0..<n { p[i] = Float.random(in: range, using: &rng) }
            return p
        }
        let weights = shapes.map { randomBuffer($0.0 * $0.1, -0.05...0.05) }
        let biases = shapes.map { randomBuffer($0.1, -0.05...0.05) }
        let maxRows = counts.max() ?? 1
        let x = randomBuffer(maxRows * intermediate, -1...1)
        let y = randomBuffer(maxRows * intermediate, 0...0)
        let fromKernel = randomBuffer(maxRows * intermediate, 0...0)
        defer { for p in weights + biases + [x, y, fromKernel] { p.deallocate() } }
        let env = ComputeEnvironment.current
        print("\(env.cpuModel ?? "unknown CPU"), kernel ISA \(String(cString: ivk_isa_name())), BLAS core \(env.blasCore), 1 thread, CPU time")
        print("rows  kernel ms/pass  GFLOP/s  sgemm ms/pass  GFLOP/s  kernel speed / sgemm  max |diff|")
        for r in counts {
            let flops = 2.0 * Double(r) * shapes.reduce(0.0) { $0 + Double($1.0 * $1.1) }
            func pass(_ useKernel: Bool) {
                for (i, s) in shapes.enumerated() {
                    if useKernel {
                        ivk_linear_rows_f32(x, r, weights[i], biases[i], s.0, s.1, y)
                    } else {
                        for row in 0..<r { (y + row * s.1).update(from: biases[i], count: s.1) }
                        i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasTrans, Int32(r), Int32(s.1), Int32(s.0), 1,
                                     x, Int32(s.0), weights[i], Int32(s.0), 1, y, Int32(s.1))
                    }
                }
            }
            func timed(_ useKernel: Bool) -> Double {
                pass(useKernel)
                var n = 0
                let start = ComputeEnvironment.threadCPUSeconds()
                var elapsed = 0.0
                repeat { pass(useKernel); n += 1; elapsed = ComputeEnvironment.threadCPUSeconds() - start } while elapsed < seconds
                return elapsed / Double(n)
            }
            let k = timed(true)
            fromKernel.update(from: y, count: maxRows * intermediate)
            let g = timed(false)
            var diff: Float = 0
            for i in 0..<(r * hidden) { diff = max(diff, abs(fromKernel[i] - y[i])) }
            print(String(format: "%4d  %14.3f  %7.1f  %13.3f  %7.1f  %19.2fx  %.2e", r, k * 1000, flops / k / 1e9,
                         g * 1000, flops / g / 1e9, g / k, diff))
        }
    }
}
