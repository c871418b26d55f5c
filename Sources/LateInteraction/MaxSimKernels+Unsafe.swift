import CVectorKernels

/// The raw-pointer calls into the MaxSim kernels of CVectorKernels (one place for the unsafe access).
enum MaxSimKernels {
    /// MaxSim of `rows` query vectors at `q` against passage `p` of `store`; `best` holds `rows` floats.
    static func score(_ q: UnsafePointer<Float>, rows: Int, store: TokenStore, passage p: Int,
                      best: UnsafeMutablePointer<Float>) -> Float {
        let d = store.dimension, lo = store.offsets[p], n = store.offsets[p + 1] - lo
        switch store.precision {
        case .float32:
            return store.float32.withUnsafeBufferPointer { x in
                ivk_maxsim_f32(q, rows, x.baseAddress.map { $0 + lo * d }, n, d, best)
            }
        case .float16:
            return store.float16.withUnsafeBufferPointer { x in
                ivk_maxsim_f16(q, rows, x.baseAddress.map { $0 + lo * d }, n, d, best)
            }
        }
    }

    /// MaxSim of `rows` query vectors against `n` float32 rows at `x`.
    static func score(_ q: UnsafePointer<Float>, rows: Int, _ x: UnsafePointer<Float>, count n: Int, dimension d: Int,
                      best: UnsafeMutablePointer<Float>) -> Float {
        ivk_maxsim_f32(q, rows, x, n, d, best)
    }
}
