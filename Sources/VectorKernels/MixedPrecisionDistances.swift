import CVectorKernels

/// IEEE binary16 storage of float vectors (round to nearest even), as used by float16 indexes.
public enum HalfPrecision {
    /// The binary16 bit patterns of `values`.
    public static func encode(_ values: [Float]) -> [UInt16] {
        var out = [UInt16](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                if let s = src.baseAddress, let d = dst.baseAddress { ivk_f32_to_f16(s, d, values.count) }
            }
        }
        return out
    }

    /// The float values of binary16 bit patterns.
    public static func decode(_ bits: [UInt16]) -> [Float] {
        var out = [Float](repeating: 0, count: bits.count)
        bits.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                if let s = src.baseAddress, let d = dst.baseAddress { ivk_f16_to_f32(s, d, bits.count) }
            }
        }
        return out
    }
}

extension Distances {
    /// Inner product of a float32 query and a float16 vector (`n` components; F16C SIMD when available).
    @inlinable
    public static func dot(_ q: UnsafePointer<Float>, float16 v: UnsafePointer<UInt16>, count n: Int) -> Float {
        ivk_dot_f32_f16(q, v, n)
    }

    /// Squared L2 distance of a float32 query and a float16 vector.
    @inlinable
    public static func l2Squared(_ q: UnsafePointer<Float>, float16 v: UnsafePointer<UInt16>, count n: Int) -> Float {
        ivk_l2sq_f32_f16(q, v, n)
    }

    /// `Σ q[i] · codes[i]` for uint8 codes (scalar quantization: the caller folds scales into `q`).
    @inlinable
    public static func dot(_ q: UnsafePointer<Float>, codes c: UnsafePointer<UInt8>, count n: Int) -> Float {
        ivk_dot_f32_u8(q, c, n)
    }

    /// `Σ (q[i] − scale[i] · codes[i])²` for uint8 codes (the caller subtracts the minimums from `q`).
    @inlinable
    public static func l2Squared(_ q: UnsafePointer<Float>, codes c: UnsafePointer<UInt8>,
                                 scales: UnsafePointer<Float>, count n: Int) -> Float {
        ivk_l2sq_f32_u8(q, c, scales, n)
    }
}
