import IndexCore

/// ColBERTv2's residual compression: each component of `v − centroid` is replaced by one of 2^bits
/// global reconstruction values (`weights`), chosen by 2^bits − 1 global `cutoffs`; both are quantiles
/// of the residual values of a sample (cutoffs at i/2^bits, weights at (i + 0.5)/2^bits). The bucket
/// indices are packed 8/bits to a byte, the first dimension in the high bits.
public struct ResidualCodec: Sendable, Equatable {
    /// Bits per component: 1, 2 or 4.
    public let bits: Int
    /// 2^bits − 1 ascending bucket boundaries.
    public let cutoffs: [Float]
    /// 2^bits reconstruction values.
    public let weights: [Float]
    /// 256 × (8/bits) floats: the weights of the components packed in each byte value.
    let lookup: [Float]

    /// The bit widths the codec supports.
    public static let supportedBits = [1, 2, 4]

    /// - Throws: `IndexError.invalidParameter` for an unsupported width, wrong counts, non-finite or
    ///   unsorted cutoffs.
    public init(bits: Int, cutoffs: [Float], weights: [Float]) throws {
        guard Self.supportedBits.contains(bits) else {
            throw IndexError.invalidParameter(name: "bits", reason: "\(bits) is not 1, 2 or 4")
        }
        let buckets = 1 << bits
        guard cutoffs.count == buckets - 1, weights.count == buckets else {
            throw IndexError.invalidParameter(
                name: "buckets", reason: "\(bits) bits need \(buckets - 1) cutoffs and \(buckets) weights, got \(cutoffs.count) and \(weights.count)")
        }
        guard (cutoffs + weights).allSatisfy(\.isFinite), zip(cutoffs, cutoffs.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw IndexError.invalidParameter(name: "buckets", reason: "cutoffs must be finite and ascending, weights finite")
        }
        self.bits = bits
        self.cutoffs = cutoffs
        self.weights = weights
        let per = 8 / bits, mask = buckets - 1
        var lut = [Float](repeating: 0, count: 256 * per)
        for v in 0..<256 {
            for j in 0..<per { lut[v * per + j] = weights[(v >> (8 - bits * (j + 1))) & mask] }
        }
        lookup = lut
    }

    /// Fits the cutoffs and weights to the quantiles of `residuals` (all components pooled).
    public static func fit(residuals: [Float], bits: Int) throws -> ResidualCodec {
        guard !residuals.isEmpty else { throw IndexError.trainingFailed("no residuals to fit the buckets to") }
        let sorted = residuals.sorted()
        let buckets = 1 << bits
        func quantile(_ q: Double) -> Float { sorted[min(sorted.count - 1, Int(q * Double(sorted.count - 1)))] }
        return try ResidualCodec(bits: bits,
                                 cutoffs: (1..<buckets).map { quantile(Double($0) / Double(buckets)) },
                                 weights: (0..<buckets).map { quantile((Double($0) + 0.5) / Double(buckets)) })
    }

    /// Packed bytes per token of `dimension` components.
    public func bytesPerToken(dimension: Int) -> Int { dimension * bits / 8 }

    /// The bucket of one residual component (number of cutoffs at or below it).
    @inlinable func bucket(_ x: Float) -> Int {
        var b = 0
        while b < cutoffs.count && cutoffs[b] <= x { b += 1 }
        return b
    }

    /// Packs the residual `r` (`dimension` floats) into `out` (`bytesPerToken(dimension:)` bytes).
    func encode(_ r: UnsafePointer<Float>, dimension d: Int, into out: UnsafeMutablePointer<UInt8>) {
        let per = 8 / bits
        for byte in 0..<(d / per) {
            var v = 0
            for j in 0..<per { v |= bucket(r[byte * per + j]) << (8 - bits * (j + 1)) }
            out[byte] = UInt8(v)
        }
    }
}
