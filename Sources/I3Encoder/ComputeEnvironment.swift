import CBLAS
import CVectorKernels
import Foundation

/// What the numeric code runs on: the CPU's instruction-set level, the BLAS library and kernel set
/// ("core") that OpenBLAS uses and who chose it, thread counts, and the vector-kernel ISA; with warnings
/// in plain words when anything runs below what the CPU can do. `i3 doctor` prints it and `I3Bench`
/// writes it beside its figures.
public struct ComputeEnvironment: Sendable, Codable, Equatable {
    /// Instruction-set level, as both the BLAS core choice and the vector kernels use it.
    public enum ISALevel: Int, Sendable, Codable, Comparable, CustomStringConvertible {
        case belowAVX2 = 0, avx2 = 1, avx512 = 2

        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
        public var description: String {
            switch self {
            case .belowAVX2: "below AVX2 (SSE only)"
            case .avx2: "AVX2 + FMA"
            case .avx512: "AVX-512 (F, BW, VL, DQ, CD)"
            }
        }
    }

    /// The CPU's name (`/proc/cpuinfo`), nil where unknown.
    public let cpuModel: String?
    public let cpuISA: ISALevel
    /// The AVX-family features found, e.g. `["avx", "fma", "avx2", "avx512f", …]`.
    public let cpuFeatures: [String]
    /// The file OpenBLAS was opened from (resolved), or the name tried when it could not be opened.
    public let blasLibrary: String
    /// `openblas_get_corename()`: the kernel set in use, e.g. `SkylakeX`, `Haswell`, `Prescott`.
    public let blasCore: String
    public let blasCoreISA: ISALevel
    /// `openblas_get_config()`.
    public let blasConfig: String
    /// Who chose the core: `cpu` (the package, from cpuid), `user` (OPENBLAS_CORETYPE), `openblas`
    /// (its own table; the CPU is below AVX2) or `preloaded` (OpenBLAS was in the process before the package).
    public let blasCoreChoice: String
    /// Who chose it, in words (completes "chosen by").
    public let blasCoreReason: String
    /// OpenBLAS threads per call (1 unless OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS or OMP_NUM_THREADS says otherwise).
    public let blasThreads: Int
    public let blasThreadsFromUser: Bool
    /// Encoder and index worker threads when `threads` is 0 (the active processors).
    public let workerThreads: Int
    /// The vector kernels' choice: `avx512`, `avx2` or `scalar`.
    public let vectorKernelISA: String
    /// Why BLAS is unusable; nil when it is loaded.
    public let blasUnavailableReason: String?

    /// The running process's environment (computed once).
    public static let current = ComputeEnvironment()

    private init() {
        let s = i3blas_status().pointee
        let features = s.cpu_features
        cpuModel = Self.readCPUModel()
        cpuISA = ISALevel(rawValue: Int(i3_cpu_isa_level(features))) ?? .belowAVX2
        cpuFeatures = (0..<32).compactMap { (bit: UInt32) -> String? in
            guard features & (1 << bit) != 0, let name = i3_cpu_feature_name(1 << bit) else { return nil }
            return String(cString: name)
        }
        blasLibrary = s.library.map { String(cString: $0) } ?? "libopenblas.so.0"
        blasCore = s.core.map { String(cString: $0) } ?? "none"
        blasCoreISA = ISALevel(rawValue: Int(i3blas_core_isa_level(s.core))) ?? .belowAVX2
        blasConfig = s.config.map { String(cString: $0) } ?? ""
        let requested = s.requested_core.map { String(cString: $0) }
        let user = s.user_core.map { String(cString: $0) }
        switch s.reason {
        case I3BLAS_CORE_FROM_CPU:
            blasCoreChoice = "cpu"
            blasCoreReason = "I3Retriever, from the CPU's instruction set (OPENBLAS_CORETYPE=\(requested ?? "?") while OpenBLAS loaded)"
        case I3BLAS_CORE_FROM_USER:
            blasCoreChoice = "user"
            blasCoreReason = "you: OPENBLAS_CORETYPE=\(user ?? "?")"
        case I3BLAS_CORE_PRELOADED:
            blasCoreChoice = "preloaded"
            blasCoreReason = "whoever loaded OpenBLAS before I3Retriever (the program or another library); OPENBLAS_CORETYPE could not be applied"
        default:
            blasCoreChoice = "openblas"
            blasCoreReason = "OpenBLAS itself (this CPU has no AVX2 + FMA, so the package leaves the choice to it)"
        }
        blasThreadsFromUser = s.threads_from_user != 0
        blasUnavailableReason = s.loaded != 0 ? nil : s.error.map { String(cString: $0) } ?? "OpenBLAS is not loaded"
        blasThreads = s.loaded != 0 ? Int(i3blas_get_num_threads()) : 0
        workerThreads = ProcessInfo.processInfo.activeProcessorCount
        vectorKernelISA = String(cString: ivk_isa_name())
    }

    /// Plain-words warnings: anything running below the CPU's level, or BLAS missing. Empty when all is well.
    public var warnings: [String] {
        var w: [String] = []
        if let why = blasUnavailableReason {
            w.append("BLAS is not available, so the encoder, k-means and IVF-PQ training cannot run: \(why).")
            return w
        }
        if blasCoreISA < cpuISA {
            var fix: String
            switch blasCoreChoice {
            case "user": fix = "unset OPENBLAS_CORETYPE (or set it to \(Self.coreName(for: cpuISA)))"
            case "preloaded": fix = "start the program with OPENBLAS_CORETYPE=\(Self.coreName(for: cpuISA))"
            default: fix = "report this with the output of `i3 doctor`"
            }
            w.append("OpenBLAS runs its \(blasCore) kernels (\(blasCoreISA)) although this CPU has \(cpuISA): "
                + "the encoder, k-means and IVF-PQ training run 2-5 times slower than they could. To fix: \(fix).")
        }
        if cpuISA == .belowAVX2 {
            w.append("This CPU has no AVX2 + FMA: BLAS and the vector kernels run their SSE / scalar fallbacks.")
        }
        let vectorLevel: ISALevel = vectorKernelISA == "avx512" ? .avx512 : vectorKernelISA == "avx2" ? .avx2 : .belowAVX2
        if vectorLevel < cpuISA {
            w.append("The vector kernels run at \(vectorKernelISA), below the CPU's \(cpuISA).")
        }
        if blasThreads > 1 {
            w.append("OpenBLAS uses \(blasThreads) threads per call (from the environment) while the encoder also runs "
                + "one worker per core: more threads than cores. Unset OPENBLAS_NUM_THREADS / OMP_NUM_THREADS.")
        }
        return w
    }

    /// The OpenBLAS core the package asks for at `level`.
    static func coreName(for level: ISALevel) -> String {
        switch level {
        case .avx512: "SkylakeX"
        case .avx2: "Haswell"
        case .belowAVX2: "(OpenBLAS's choice)"
        }
    }

    /// One core's sgemm speed of the encoder's shape (2048×384 · 384×1536) one expects at a core's ISA
    /// level, GFLOP/s, for 2 to 3.5 GHz server cores (measured figures: docs/encoder.md). Outside it,
    /// suspect the kernels, or a busy or throttled machine.
    public static func expectedSGEMMGFLOPS(_ level: ISALevel) -> ClosedRange<Double> {
        switch level {
        case .avx512: 60...160
        case .avx2: 40...100
        case .belowAVX2: 10...35
        }
    }

    /// One sgemm measurement: GFLOP per wall-clock second and per CPU-second of the calling thread
    /// (the second is steady on a busy machine, where the thread gets only part of a core).
    public struct SGEMMSpeed: Sendable, Codable, Equatable {
        public let wallGFLOPS: Double
        public let cpuGFLOPS: Double
    }

    /// Measures `sgemm` of the encoder's shape on the calling thread for about `seconds` (after a
    /// warm-up call). Zeros when BLAS is unavailable.
    public static func measureSGEMM(seconds: Double = 1) -> SGEMMSpeed {
        guard i3blas_available() != 0 else { return SGEMMSpeed(wallGFLOPS: 0, cpuGFLOPS: 0) }
        let m = 2048, k = 384, n = 1536
        var rng: UInt32 = 1
        func next() -> Float { rng = rng &* 1_664_525 &+ 1_013_904_223; return Float(rng >> 9) / Float(1 << 23) - 0.5 }
        let a = (0..<(m * k)).map { _ in next() }, b = (0..<(n * k)).map { _ in next() }
        var c = [Float](repeating: 0, count: m * n)
        func once() {
            i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasTrans, Int32(m), Int32(n), Int32(k),
                         1, a, Int32(k), b, Int32(k), 0, &c, Int32(n))
        }
        once()
        let start = DispatchTime.now().uptimeNanoseconds, cpuStart = threadCPUSeconds()
        var calls = 0, elapsed = 0.0
        repeat {
            once()
            calls += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        let cpu = max(1e-9, threadCPUSeconds() - cpuStart)
        let flops = 2 * Double(m) * Double(n) * Double(k) * Double(calls)
        return SGEMMSpeed(wallGFLOPS: flops / elapsed / 1e9, cpuGFLOPS: flops / cpu / 1e9)
    }

    /// CPU time of the calling thread, in seconds (`CLOCK_THREAD_CPUTIME_ID`): the work of one thread,
    /// steadier than the wall clock on a shared machine. The benchmarks' single-thread timer.
    public static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    private static func readCPUModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
