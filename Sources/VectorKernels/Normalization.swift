/// L2 normalisation and finiteness checks for float vectors.
public enum Normalization {
    /// Euclidean norm of `n` floats.
    public static func norm(_ v: UnsafePointer<Float>, count n: Int) -> Float {
        Distances.dot(v, v, count: n).squareRoot()
    }

    /// Scales `n` floats in place to unit length. A zero vector stays zero; returns the original norm.
    @discardableResult
    public static func normalize(_ v: UnsafeMutablePointer<Float>, count n: Int) -> Float {
        let nrm = norm(UnsafePointer(v), count: n)
        guard nrm > 0, nrm.isFinite else { return nrm }
        let inv = 1 / nrm
        for i in 0..<n { v[i] *= inv }
        return nrm
    }

    /// Scales every `dimension`-float row of the row-major `rows` to unit length (zero rows stay zero).
    public static func normalizeRows(_ rows: inout [Float], dimension: Int) {
        guard dimension > 0 else { return }
        rows.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            for r in 0..<(p.count / dimension) { normalize(base + r * dimension, count: dimension) }
        }
    }

    /// Returns a unit-length copy of `v` (a zero vector stays zero).
    public static func normalized(_ v: [Float]) -> [Float] {
        var out = v
        out.withUnsafeMutableBufferPointer { p in
            if let base = p.baseAddress { normalize(base, count: p.count) }
        }
        return out
    }

    /// Index of the first NaN or infinite component, or nil when all are finite.
    public static func firstNonFinite(_ v: UnsafeBufferPointer<Float>) -> Int? {
        for i in 0..<v.count where !v[i].isFinite { return i }
        return nil
    }

    /// Index of the first NaN or infinite component of `v`, or nil when all are finite.
    public static func firstNonFinite(_ v: [Float]) -> Int? {
        v.withUnsafeBufferPointer { firstNonFinite($0) }
    }
}
