import CVectorKernels
import Testing
import TestSupport
@testable import IVFPQ

@Suite struct ProductQuantizerTests {
    @Test func reconstructionErrorDecreasesWithM() throws {
        let d = 32, n = 3000
        let x = TestData.gaussian(count: n, dimension: d, seed: 4)
        var errors: [Double] = []
        for m in [2, 4, 8, 16] {
            let pq = try ProductQuantizer.train(x, dimension: d, m: m, iterations: 10, seed: 1)
            let y = pq.decode(pq.encode(x, count: n), count: n)
            var e = 0.0
            for i in 0..<x.count { let t = Double(x[i] - y[i]); e += t * t }
            errors.append(e / Double(n))
        }
        for i in 1..<errors.count { #expect(errors[i] < errors[i - 1], "MSE by m = 2,4,8,16: \(errors)") }
    }

    @Test func scanKernelsMatchTheScalarTwin() {
        for m in [1, 3, 4, 8, 13, 16, 25] {
            let n = 103
            var seed: UInt32 = 7
            func next() -> UInt32 { seed = seed &* 1_664_525 &+ 1_013_904_223; return seed >> 8 }
            let lut = (0..<(m * 256)).map { _ in Float(next() % 1000) / 100 - 5 }
            let lut2 = (0..<(m * 256)).map { _ in Float(next() % 1000) / 100 - 5 }
            let codes = (0..<(n * m)).map { _ in UInt8(truncatingIfNeeded: next()) }
            var a = [Float](repeating: 0, count: n), b = a, c = a, sum = a, e = a
            ivk_pq_scan_u8_scalar(lut, codes, n, m, 0.25, &a)
            ivk_pq_scan_u8(lut, codes, n, m, 0.25, &b)
            ivk_pq_scan_u8_gather(lut, codes, n, m, 0.25, &c)
            #expect(a == b)
            #expect(a == c, "gather (\(String(cString: ivk_pq_scan_gather_name()))) differs for m = \(m)")
            var summed = [Float](repeating: 0, count: m * 256)
            ivk_add_f32(lut, lut2, m * 256, &summed)
            ivk_pq_scan_u8(summed, codes, n, m, 0.25, &sum)
            ivk_pq_scan2_u8(lut, lut2, codes, n, m, 0.25, &e)
            #expect(sum == e)
            // Against a plain Swift loop.
            for i in 0..<n {
                var s: Float = 0.25
                for j in 0..<m { s += lut[j * 256 + Int(codes[i * m + j])] }
                #expect(s == a[i])
            }
        }
    }
}

@Suite(.serialized) struct LookupTableKernelTests {
    /// The table sum (AVX-512 / AVX2 / scalar) is the plain float sum at every level, for lengths around
    /// the 32- and 64-float blocks; prefetching a range changes nothing.
    @Test func tableSumMatchesScalarTwinAtEveryLevel() {
        let top = ivk_isa_level()
        defer { _ = ivk_force_isa_level(top) }
        for n in [0, 1, 31, 32, 63, 64, 65, 200, 56 * 256] {
            let a = TestData.gaussian(count: 1, dimension: max(1, n), seed: 5)
            let b = TestData.gaussian(count: 1, dimension: max(1, n), seed: 6)
            var want = [Float](repeating: 0, count: max(1, n))
            ivk_add_f32_scalar(a, b, n, &want)
            for i in 0..<n { #expect(want[i] == a[i] + b[i]) }
            ivk_prefetch_bytes(a, n * MemoryLayout<Float>.size)
            for level in 0...top {
                _ = ivk_force_isa_level(Int32(level))
                var got = [Float](repeating: 0, count: max(1, n))
                ivk_add_f32(a, b, n, &got)
                #expect(got == want, "n = \(n), level \(level)")
            }
        }
    }

    @Test func ipTableMatchesScalarTwinAtEveryLevel() {
        let top = ivk_isa_level()
        defer { _ = ivk_force_isa_level(top) }
        for (m, dsub) in [(1, 1), (4, 2), (10, 5), (3, 7), (8, 16)] {
            let q = TestData.gaussian(count: 1, dimension: m * dsub, seed: 3)
            let cbt = TestData.gaussian(count: m * dsub, dimension: 256, seed: 4)
            var want = [Float](repeating: 0, count: m * 256)
            ivk_pq_ip_table_scalar(q, cbt, m, dsub, &want)
            // Against the definition.
            for j in 0..<m {
                for c in 0..<256 {
                    var s: Float = 0
                    for t in 0..<dsub { s += q[j * dsub + t] * cbt[(j * dsub + t) * 256 + c] }
                    #expect(abs(s - want[j * 256 + c]) <= 1e-4 * (1 + abs(s)))
                }
            }
            for level in 0...top {
                _ = ivk_force_isa_level(Int32(level))
                var got = [Float](repeating: 0, count: m * 256)
                ivk_pq_ip_table(q, cbt, m, dsub, &got)
                #expect(got == want, "m = \(m), dsub = \(dsub), level \(level)")
            }
        }
    }
}
