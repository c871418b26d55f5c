import CVectorKernels
import Foundation
import Testing
import TestSupport
@testable import I3Encoder

@Suite("Encoder kernels")
struct KernelTests {
    @Test("SIMD GELU matches the libm erff twin on [-12, 12]")
    func geluTwin() {
        let xs = (0...24_000).map { Float($0 - 12_000) / 1000 } + [0, -0, 1e-8, -1e-8, 30, -30]
        var fast = xs, exact = xs
        ivk_gelu_erf_f32(&fast, fast.count)
        ivk_gelu_erf_f32_scalar(&exact, exact.count)
        var worst: Float = 0
        for (a, b) in zip(fast, exact) { worst = max(worst, abs(a - b) / max(1, abs(b))) }
        #expect(worst < 1e-6, "worst scaled error \(worst)")
        #expect(exact[12_000] == 0)
        #expect(abs(exact[13_000] - 0.8413447) < 1e-6)   // GELU(1) = Φ(1)
    }

    @Test("SIMD softmax matches the libm expf twin", arguments: [1, 7, 8, 18, 33, 256])
    func softmaxTwin(columns: Int) {
        let rows = 5
        let xs = TestData.gaussian(count: rows, dimension: columns, seed: UInt64(columns)).map { $0 * 10 }
        var fast = xs, exact = xs
        ivk_softmax_rows_f32(&fast, rows, columns)
        ivk_softmax_rows_f32_scalar(&exact, rows, columns)
        let worst = zip(fast, exact).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-6, "worst abs error \(worst)")
        let sums = (0..<rows).map { r in fast[(r * columns)..<((r + 1) * columns)].reduce(0, +) }
        #expect(sums.allSatisfy { abs($0 - 1) < 1e-5 })
    }

    @Test("half-precision conversion is exact")
    func halfToFloat() {
        var mismatches = 0
        for bits in stride(from: 0, through: 0xFFFF, by: 1) {
            let h = UInt16(bits)
            let want = Float(Float16(bitPattern: h))
            let got = HalfPrecision.float(fromHalfBits: h)
            if want.isNaN ? !got.isNaN : got.bitPattern != want.bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(HalfPrecision.float(fromHalfBits: 0x3C00) == 1)
    }
}
