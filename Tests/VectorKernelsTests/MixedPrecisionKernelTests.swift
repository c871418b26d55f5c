import CVectorKernels
import Testing
import VectorKernels

@Suite(.serialized) struct MixedPrecisionKernelTests {
    static let lengths = [0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 50, 63, 64, 65, 128, 384, 784, 1000]

    /// Every level the CPU has (scalar twin, AVX2 + F16C) matches a naive loop, for all tail lengths,
    /// through the direct wrappers and through the resolved uniform-signature kernels.
    @Test func float16AndInt8KernelsMatchNaiveForEveryDimension() {
        let cpuLevel = ivk_isa_level()
        defer { _ = ivk_force_isa_level(cpuLevel) }
        var rng = SeededRandom(seed: 11)
        for level in 0...cpuLevel {
            #expect(ivk_force_isa_level(Int32(level)) == Int32(level))
            for n in Self.lengths {
                let q = (0..<n).map { _ in rng.nextGaussian() }
                let v = (0..<n).map { _ in rng.nextGaussian() }
                let half = HalfPrecision.encode(v)
                let vh = HalfPrecision.decode(half)
                let codes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                let scales = (0..<n).map { _ in rng.nextUnitFloat() * 0.1 }
                var dotH = 0.0, l2H = 0.0, dotC = 0.0, l2C = 0.0
                for i in 0..<n {
                    dotH += Double(q[i]) * Double(vh[i])
                    l2H += Double(q[i] - vh[i]) * Double(q[i] - vh[i])
                    dotC += Double(q[i]) * Double(codes[i])
                    let e = Double(q[i]) - Double(scales[i]) * Double(codes[i])
                    l2C += e * e
                }
                let tol = 1e-4 * Double(max(1, n))
                q.withUnsafeBufferPointer { qp in
                    half.withUnsafeBufferPointer { hp in
                        codes.withUnsafeBufferPointer { cp in
                            scales.withUnsafeBufferPointer { sp in
                                guard n > 0, let qb = qp.baseAddress, let hb = hp.baseAddress,
                                      let cb = cp.baseAddress, let sb = sp.baseAddress else { return }
                                #expect(abs(Double(Distances.dot(qb, float16: hb, count: n)) - dotH) < tol, "f16 dot n=\(n) level=\(level)")
                                #expect(abs(Double(Distances.l2Squared(qb, float16: hb, count: n)) - l2H) < tol, "f16 l2 n=\(n)")
                                #expect(abs(Double(Distances.dot(qb, codes: cb, count: n)) - dotC) < tol * 255, "u8 dot n=\(n)")
                                #expect(abs(Double(Distances.l2Squared(qb, codes: cb, scales: sb, count: n)) - l2C) < tol * 100, "u8 l2 n=\(n)")
                                // Resolved kernels give the same values as the wrappers.
                                let kinds: [(Int32, UnsafeRawPointer, Double)] = [
                                    (Int32(IVK_DOT_F16), UnsafeRawPointer(hb), dotH), (Int32(IVK_L2SQ_F16), UnsafeRawPointer(hb), l2H),
                                    (Int32(IVK_DOT_U8), UnsafeRawPointer(cb), dotC), (Int32(IVK_L2SQ_U8), UnsafeRawPointer(cb), l2C),
                                ]
                                for (kind, ptr, want) in kinds {
                                    guard let fn = ivk_query_dist_resolve(kind) else { Issue.record("no kernel \(kind)"); continue }
                                    #expect(abs(Double(fn(qb, ptr, sb, n)) - want) < tol * 255, "kind \(kind) n=\(n)")
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(ivk_query_dist_resolve(99) == nil)
    }

    /// The C float16 conversion rounds exactly like Swift's `Float16` (round to nearest even), including
    /// subnormals, overflow to infinity, and NaN.
    @Test func halfConversionMatchesSwiftFloat16() {
        var rng = SeededRandom(seed: 3)
        var values: [Float] = [0, -0, 1, -1, 65504, 65519, 65520, 1e6, -1e6, 6.1e-5, 5.96e-8, 2.98e-8, 2.99e-8, 1e-10,
                               .infinity, -.infinity, 0.1, 1.0009765625, 1.00048828125, 1.000732421875]
        for _ in 0..<5000 {
            let e = Float(Int(rng.next() % 48) - 30)
            values.append(rng.nextGaussian() * Float.pow2(e))
        }
        let bits = HalfPrecision.encode(values)
        #if arch(x86_64) || arch(arm64)
        for (x, b) in zip(values, bits) {
            #expect(b == Float16(x).bitPattern, "\(x)")
        }
        #endif
        let back = HalfPrecision.decode(bits)
        for (x, y) in zip(values, back) where x.isFinite && abs(x) < 65504 && abs(x) > 1e-4 {
            #expect(abs(x - y) <= abs(x) * 0.001)
        }
        #expect(HalfPrecision.decode(HalfPrecision.encode([.nan]))[0].isNaN)
    }
}

private extension Float {
    static func pow2(_ e: Float) -> Float { Float(sign: .plus, exponent: Int(e), significand: 1) }
}
