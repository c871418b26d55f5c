import CBLAS
import IndexCore

/// An orthogonal rotation applied before quantization (OPQ, Ge et al., *Optimized Product Quantization*,
/// CVPR 2013). `matrix` is `d × d` row-major; a vector `x` becomes `x · matrix`.
struct OPQRotation: Sendable {
    let dimension: Int
    let matrix: [Float]

    /// Rotates `n` row vectors (`n × d`).
    func apply(_ x: [Float]) -> [Float] {
        let n = x.count / dimension
        var out = [Float](repeating: 0, count: x.count)
        guard n > 0 else { return out }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(dimension), Int32(dimension),
                    1, x, Int32(dimension), matrix, Int32(dimension), 0, &out, Int32(dimension))
        return out
    }

    /// Throws while OPQ training is not implemented.
    static func checkSupported() throws -> Bool {
        throw IndexError.invalidParameter(name: "useOPQ", reason: "OPQ training is not implemented yet")
    }

    /// Not implemented yet: throws.
    static func train(_ x: [Float], dimension d: Int, m: Int, seed: UInt64) throws -> OPQRotation {
        throw IndexError.invalidParameter(name: "useOPQ", reason: "OPQ training is not implemented yet")
    }
}
