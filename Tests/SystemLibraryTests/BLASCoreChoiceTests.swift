import CBLAS
import Foundation
import Testing

/// The mapping from CPU features to the OpenBLAS core, and proof that the loader's choice is the one
/// OpenBLAS runs (the variable must reach OpenBLAS before its constructor, so it cannot be linked).
@Suite struct BLASCoreChoiceTests {
    static let ymm = UInt32(I3_CPU_AVX | I3_CPU_OS_YMM)
    static let avx2 = ymm | UInt32(I3_CPU_FMA | I3_CPU_AVX2)
    static let avx512 = avx2 | UInt32(I3_CPU_AVX512F | I3_CPU_AVX512BW | I3_CPU_AVX512VL
        | I3_CPU_AVX512DQ | I3_CPU_AVX512CD | I3_CPU_OS_ZMM)

    static let table: [(name: String, features: UInt32, level: Int32, core: String?)] = [
        ("no AVX (an SSE-only machine)", 0, 0, nil),
        ("AVX without AVX2 (Sandy Bridge)", ymm, 0, nil),
        ("AVX2 without FMA", ymm | UInt32(I3_CPU_AVX2), 0, nil),
        ("AVX2 + FMA, OS does not save YMM", avx2 & ~UInt32(I3_CPU_OS_YMM), 0, nil),
        ("AVX2 + FMA (Haswell, Zen 1-3)", avx2, 1, "Haswell"),
        ("AVX-512F alone (Knights Landing)", avx2 | UInt32(I3_CPU_AVX512F | I3_CPU_OS_ZMM), 1, "Haswell"),
        ("AVX-512, OS does not save ZMM", avx512 & ~UInt32(I3_CPU_OS_ZMM), 1, "Haswell"),
        ("AVX-512 F/BW/VL/DQ/CD (Skylake-SP)", avx512, 2, "SkylakeX"),
        ("AVX-512 with VNNI and BF16 (Sapphire Rapids, Zen 4)",
         avx512 | UInt32(I3_CPU_AVX512_VNNI | I3_CPU_AVX512_BF16), 2, "SkylakeX"),
    ]

    @Test func featureSetsMapToCores() {
        for row in Self.table {
            #expect(i3_cpu_isa_level(row.features) == row.level, "\(row.name)")
            let core = i3blas_core_for_features(row.features).map { String(cString: $0) }
            #expect(core == row.core, "\(row.name)")
        }
    }

    @Test func coreNamesHaveISALevels() {
        let table: [(String, Int32)] = [
            ("SkylakeX", 2), ("COOPERLAKE", 2), ("sapphirerapids", 2), ("Haswell", 1), ("Zen", 1),
            ("Prescott", 0), ("Sandybridge", 0), ("Nehalem", 0), ("Excavator", 0), ("", 0),
        ]
        for (core, level) in table { #expect(i3blas_core_isa_level(core) == level, "\(core)") }
        #expect(i3blas_core_isa_level(nil) == 0)
        // Every core the mapping asks for is at the level it was asked for.
        for row in Self.table { if let c = i3blas_core_for_features(row.features) { #expect(i3blas_core_isa_level(c) == row.level) } }
    }

    @Test func theLoadersChoiceIsTheCoreThatRuns() throws {
        let s = i3blas_status().pointee
        try #require(s.loaded == 1, "\(s.error.map { String(cString: $0) } ?? "")")
        let core = String(cString: s.core)
        #expect(s.cpu_features == i3_cpu_features())
        switch s.reason {
        case I3BLAS_CORE_FROM_CPU:
            // The variable reached OpenBLAS's constructor, and the environment is as the user gave it.
            #expect(core.lowercased() == String(cString: try #require(s.requested_core)).lowercased())
            #expect(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil)
        case I3BLAS_CORE_FROM_USER:
            #expect(s.requested_core == nil)
            #expect(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil)
        default:
            #expect(s.requested_core == nil)
        }
        #expect(String(cString: s.library).contains("openblas"))
        if s.threads_from_user == 0 { #expect(i3blas_get_num_threads() == 1) }
    }
}
