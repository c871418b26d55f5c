import CVectorKernels
import IndexCore
import VectorKernels

/// Encodes vectors into the index's storage format (float32, float16 or int8 codes) and scores a
/// float32 query against stored vectors with one SIMD kernel resolved once, at creation.
///
/// The internal *distance* is lower-is-better: `-(inner product)` for inner product and cosine, the
/// squared L2 distance for L2; the public score is its negation (see `Metric`).
///
/// A query is first *prepared* into a float buffer so that every storage type uses the same kernel shape:
/// - float32 / float16: the query itself;
/// - int8, inner product: `q[i] · scale[i]`, plus the constant `Σ q[i] · min[i]` (the query's `bias`);
/// - int8, L2: `q[i] − min[i]` (the kernel multiplies the codes by the scales).
final class VectorCodec: @unchecked Sendable {
    let storage: VectorStorage
    let dimension: Int
    let metric: Metric
    /// Bytes of one stored vector.
    let vectorBytes: Int
    /// `distance = sign · kernel(prepared, stored) + bias(query)`.
    let sign: Float
    let kernel: ivk_query_dist_fn
    /// int8 only: per-dimension minimum and step (`(max − min) / 255`); empty otherwise.
    let mins: [Float]
    let scales: [Float]
    private let scalePointer: UnsafeMutablePointer<Float>?

    /// A codec; `mins`/`scales` are required (and only used) for `.int8`.
    init(storage: VectorStorage, dimension: Int, metric: Metric, mins: [Float] = [], scales: [Float] = []) throws {
        self.storage = storage
        self.dimension = dimension
        self.metric = metric
        vectorBytes = dimension * storage.bytesPerComponent
        let isL2 = metric == .l2
        sign = isL2 ? 1 : -1
        let kind: Int32
        switch (storage, isL2) {
        case (.float32, false): kind = Int32(IVK_DOT_F32)
        case (.float32, true): kind = Int32(IVK_L2SQ_F32)
        case (.float16, false): kind = Int32(IVK_DOT_F16)
        case (.float16, true): kind = Int32(IVK_L2SQ_F16)
        case (.int8, false): kind = Int32(IVK_DOT_U8)
        case (.int8, true): kind = Int32(IVK_L2SQ_U8)
        }
        guard let fn = ivk_query_dist_resolve(kind) else {
            throw IndexError.invalidParameter(name: "storage", reason: "no distance kernel for \(storage.rawValue)")
        }
        kernel = fn
        if storage == .int8 {
            guard mins.count == dimension, scales.count == dimension,
                  mins.allSatisfy(\.isFinite), scales.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw IndexError.invalidParameter(name: "int8 ranges", reason: "need \(dimension) finite minimums and non-negative scales")
            }
            self.mins = mins
            self.scales = scales
            let p = UnsafeMutablePointer<Float>.allocate(capacity: dimension)
            p.initialize(from: scales, count: dimension)
            scalePointer = p
        } else {
            self.mins = []
            self.scales = []
            scalePointer = nil
        }
    }

    deinit { scalePointer?.deallocate() }

    /// Per-dimension ranges for `.int8`, trained on `rows` row-major (already normalised for cosine).
    static func trainRanges(_ rows: UnsafeBufferPointer<Float>, dimension d: Int) -> (mins: [Float], scales: [Float]) {
        var lo = [Float](repeating: .infinity, count: d), hi = [Float](repeating: -.infinity, count: d)
        let n = rows.count / d
        for r in 0..<n {
            for j in 0..<d {
                let x = rows[r * d + j]
                if x < lo[j] { lo[j] = x }
                if x > hi[j] { hi[j] = x }
            }
        }
        if n == 0 { return ([Float](repeating: 0, count: d), [Float](repeating: 0, count: d)) }
        return (lo, (0..<d).map { (hi[$0] - lo[$0]) / 255 })
    }

    /// Writes the stored form of `src` (`dimension` floats) to `dst` (`vectorBytes` bytes).
    func encode(_ src: UnsafePointer<Float>, into dst: UnsafeMutableRawPointer) {
        switch storage {
        case .float32:
            dst.copyMemory(from: src, byteCount: vectorBytes)
        case .float16:
            ivk_f32_to_f16(src, dst.assumingMemoryBound(to: UInt16.self), dimension)
        case .int8:
            let codes = dst.assumingMemoryBound(to: UInt8.self)
            for j in 0..<dimension {
                let s = scales[j]
                let c = s > 0 ? ((src[j] - mins[j]) / s).rounded() : 0
                codes[j] = UInt8(max(0, min(255, c)))
            }
        }
    }

    /// Reconstructs the float vector of a stored one.
    func decode(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>) {
        switch storage {
        case .float32:
            dst.update(from: src.assumingMemoryBound(to: Float.self), count: dimension)
        case .float16:
            ivk_f16_to_f32(src.assumingMemoryBound(to: UInt16.self), dst, dimension)
        case .int8:
            let codes = src.assumingMemoryBound(to: UInt8.self)
            for j in 0..<dimension { dst[j] = mins[j] + scales[j] * Float(codes[j]) }
        }
    }

    /// Prepares the float query `q` into `out` (`dimension` floats); returns the query's bias.
    func prepare(_ q: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) -> Float {
        switch storage {
        case .float32, .float16:
            out.update(from: q, count: dimension)
            return 0
        case .int8:
            if metric == .l2 {
                for j in 0..<dimension { out[j] = q[j] - mins[j] }
                return 0
            }
            var bias: Float = 0
            for j in 0..<dimension {
                out[j] = q[j] * scales[j]
                bias += q[j] * mins[j]
            }
            return -bias   // distance = -(Σ q·scale·code + Σ q·min)
        }
    }

    /// The distance of a prepared query to a stored vector.
    @inline(__always)
    func distance(_ prepared: UnsafePointer<Float>, bias: Float, _ stored: UnsafeRawPointer) -> Float {
        sign * kernel(prepared, stored, scalePointer, dimension) + bias
    }
}
