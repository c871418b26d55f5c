import CBLAS
import CVectorKernels
import Dispatch
import VectorKernels

/// Batched nearest-centroid search with BLAS: for a block of points `X` and the centroids `C`,
/// `‖x − c‖² = ‖x‖² − 2·x·c + ‖c‖²`, where all `x·c` of the block come from one `sgemm` (`X·Cᵀ`).
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
    /// For small dimensions: the centroids component-major (`dimension × count`), scored per point with
    /// `ivk_dots_transposed_f32` instead of `sgemm` (whose packing dominates when d is a few components).
    let transposed: [Float]

    /// Dimensions up to this use the transposed per-point kernel instead of `sgemm`.
    static let smallDimension = 32

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
        if d <= Self.smallDimension {
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
        let xs = UnsafeSendable(x), ls = UnsafeSendable(labels), ds = UnsafeSendable(distances)
        let work: @Sendable (Int) -> Void = { w in
            var dots = [Float](repeating: 0, count: rowsPerBlock * count)
            dots.withUnsafeMutableBufferPointer { dp in
                guard let dots = dp.baseAddress else { return }
                var b = w
                while b < blocks {
                    let start = b * rowsPerBlock
                    let rows = min(rowsPerBlock, n - start)
                    assignBlock(xs.pointer + start * dimension, rows: rows, dots: dots,
                                labels: ls.pointer + start, distances: ds.pointer + start)
                    b += workers
                }
            }
        }
        if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
    }

    private func assignBlock(_ x: UnsafePointer<Float>, rows: Int, dots: UnsafeMutablePointer<Float>,
                             labels: UnsafeMutablePointer<Int32>, distances: UnsafeMutablePointer<Float>) {
        let k = count, d = dimension
        let small = !transposed.isEmpty
        (small ? transposed : centroids).withUnsafeBufferPointer { cp in
            squaredNorms.withUnsafeBufferPointer { np in
                guard let c = cp.baseAddress, let norms = np.baseAddress else { return }
                if small {
                    for i in 0..<rows { ivk_dots_transposed_f32(x + i * d, c, d, k, dots + i * k) }
                } else {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(k), Int32(d),
                                1, x, Int32(d), c, Int32(d), 0, dots, Int32(k))
                }
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

/// A raw pointer that may cross to worker threads; each worker touches a disjoint part of it.
struct UnsafeSendable<P>: @unchecked Sendable {
    let pointer: P
    init(_ pointer: P) { self.pointer = pointer }
}
