import CVectorKernels

/// Distance kernels over contiguous float32 storage.
///
/// The SIMD implementation (scalar, AVX2+FMA or AVX-512F) is chosen once per process from `cpuid`,
/// so the package never needs `-march` flags. `isaName` tells which one runs.
public enum Distances {
    /// The kernel set in use: `"scalar"`, `"avx2"` or `"avx512"`.
    public static var isaName: String { String(cString: ivk_isa_name()) }

    /// Inner product of `n` floats at `a` and `b`.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) -> Float {
        ivk_dot_f32(a, b, n)
    }

    /// Squared Euclidean distance of `n` floats at `a` and `b`.
    @inlinable
    public static func l2Squared(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) -> Float {
        ivk_l2sq_f32(a, b, n)
    }

    /// Inner product of two arrays; nil when their lengths differ.
    public static func dot(_ a: [Float], _ b: [Float]) -> Float? {
        guard a.count == b.count else { return nil }
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                guard let x = pa.baseAddress, let y = pb.baseAddress else { return 0 }
                return ivk_dot_f32(x, y, a.count)
            }
        }
    }

    /// Squared Euclidean distance of two arrays; nil when their lengths differ.
    public static func l2Squared(_ a: [Float], _ b: [Float]) -> Float? {
        guard a.count == b.count else { return nil }
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                guard let x = pa.baseAddress, let y = pb.baseAddress else { return 0 }
                return ivk_l2sq_f32(x, y, a.count)
            }
        }
    }
}
