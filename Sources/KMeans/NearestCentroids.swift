import CBLAS
import CVectorKernels
import Dispatch
import VectorKernels

/// Batched nearest-centroid search: `‖x − c‖² = ‖x‖² − 2·x·c + ‖c‖²`. For large dimensions all `x·c` of a
/// block of points come from one `sgemm` (`X·Cᵀ`) followed by a SIMD arg-min; for small ones (PQ
/// sub-vectors, d ≤ 64) a fused C kernel computes and reduces them in registers, four points at a time.
///
/// Used by k-means (assignment step), by the IVF coarse quantizer (adding vectors) and by the product
/// quantizer (encoding). Points are processed in fixed blocks, so results do not depend on `threads`.
public struct NearestCentroids: Sendable {
    /// `count × dimension` floats, row-major.
    public let centroids: [Float]
    /// Components per centroid.
    public let dimension: Int
    /// Number of centroids.
    public let count: Int
    /// `‖c‖²` of every centroid.
    public let squaredNorms: [Float]
    /// For small dimensions: the centroids component-major (`dimension × count`), for the fused distance +
    /// arg-min kernel `ivk_nearest_l2_transposed_f32` instead of `sgemm` (whose packing dominates when d is
    /// a few components, and whose output the arg-min must read back); empty otherwise.
    let transposed: [Float]

    /// Dimensions up to this use the fused kernel `ivk_nearest_l2_transposed_f32` instead of `sgemm`
    /// (when the transposed centroids also fit in `smallCentroidFloats`). Measured on GloVe-50 IVF-PQ
    /// training (1,024 centroids of 50 components, 256 of 5): 0.47 s fused vs 0.74 s `sgemm` + arg-min
    /// for the coarse k-means; for 784 components `sgemm` (cache-blocked) is the better choice.
    static let smallDimension = 64
    /// At most this many centroid floats (1 MiB) for the fused kernel: each group of four points streams
    /// all centroids, so they should stay in L2.
    static let smallCentroidFloats = 1 << 18

    /// Wraps `centroids` (row-major, `dimension` floats each; a trailing partial row is ignored).
    public init(centroids: [Float], dimension: Int) {
        let d = max(1, dimension)
        let k = centroids.count / d
        self.centroids = Array(centroids.prefix(k * d))
        self.dimension = d
        self.count = k
        self.squaredNorms = self.centroids.withUnsafeBufferPointer { p in
            (0..<k).map { i in p.baseAddress.map { Distances.dot($0 + i * d, $0 + i * d, count: d) } ?? 0 }
        }
        if d <= Self.smallDimension, k * d <= Self.smallCentroidFloats {
            var t = [Float](repeating: 0, count: k * d)
            for c in 0..<k { for j in 0..<d { t[j * k + c] = self.centroids[c * d + j] } }
            transposed = t
        } else {
            transposed = []
        }
    }

    /// Rows of one block: about 1 MB of dot products per block.
    var blockRows: Int { max(16, min(4096, (1 << 18) / max(1, count))) }

    /// Nearest centroid and squared distance of every row of `vectors` (a trailing partial row is ignored).
    public func assign(_ vectors: [Float], threads: Int = 1) -> (labels: [Int32], distances: [Float]) {
        let n = vectors.count / dimension
        var labels = [Int32](repeating: 0, count: n)
        var dist = [Float](repeating: 0, count: n)
        vectors.withUnsafeBufferPointer { xp in
            labels.withUnsafeMutableBufferPointer { lp in
                dist.withUnsafeMutableBufferPointer { dp in
                    guard let x = xp.baseAddress, let l = lp.baseAddress, let dd = dp.baseAddress else { return }
                    assign(x, rows: n, labels: l, distances: dd, threads: threads)
                }
            }
        }
        return (labels, dist)
    }

    /// Writes the nearest centroid (ties: lower index) and its squared distance for `n` rows at `x`.
    public func assign(_ x: UnsafePointer<Float>, rows n: Int, labels: UnsafeMutablePointer<Int32>,
                       distances: UnsafeMutablePointer<Float>, threads: Int = 1) {
        guard n > 0, count > 0 else { return }
        let rowsPerBlock = blockRows
        let blocks = (n + rowsPerBlock - 1) / rowsPerBlock
        let workers = max(1, min(blocks, KMeans.workerCount(threads)))
        // Sendable wrappers for the raw pointers handed to the workers (each block writes its own rows).
        let xs = UnsafeSendablePointer(x), ls = UnsafeSendablePointer(labels), ds = UnsafeSendablePointer(distances)
        let fused = !transposed.isEmpty
        let work: @Sendable (Int) -> Void = { w in
            var dots = [Float](repeating: 0, count: fused ? 0 : rowsPerBlock * count)
            dots.withUnsafeMutableBufferPointer { dp in
                var b = w
                while b < blocks {
                    let start = b * rowsPerBlock
                    let rows = min(rowsPerBlock, n - start)
                    assignBlock(xs.pointer + start * dimension, rows: rows, dots: dp.baseAddress,
                                labels: ls.pointer + start, distances: ds.pointer + start)
                    b += workers
                }
            }
        }
        if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
    }

    private func assignBlock(_ x: UnsafePointer<Float>, rows: Int, dots: UnsafeMutablePointer<Float>?,
                             labels: UnsafeMutablePointer<Int32>, distances: UnsafeMutablePointer<Float>) {
        let k = count, d = dimension
        squaredNorms.withUnsafeBufferPointer { np in
            guard let norms = np.baseAddress else { return }
            if !transposed.isEmpty {
                // Small d: fused distance + arg-min, no dot products in memory.
                transposed.withUnsafeBufferPointer { tp in
                    guard let ct = tp.baseAddress else { return }
                    ivk_nearest_l2_transposed_f32(x, rows, d, ct, k, norms, labels, distances)
                }
                return
            }
            centroids.withUnsafeBufferPointer { cp in
                guard let c = cp.baseAddress, let dots else { return }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(k), Int32(d),
                            1, x, Int32(d), c, Int32(d), 0, dots, Int32(k))
                for i in 0..<rows {
                    var best: Float = 0
                    let arg = ivk_argmin_l2_from_dots(norms, dots + i * k, k, &best)
                    let xi = x + i * d
                    labels[i] = Int32(arg)
                    distances[i] = max(0, Distances.dot(xi, xi, count: d) + best)
                }
            }
        }
    }
}

