import CBLAS
import IndexCore
import KMeans
import VectorKernels

/// The IVF coarse quantizer: `nlist` centroids; each vector belongs to the list of its nearest centroid
/// and a query probes the `nprobe` lists whose centroids score best.
///
/// For inner product and cosine the centroids are trained with spherical k-means (unit norm, as faiss
/// does for `METRIC_INNER_PRODUCT`), so the nearest centroid by L2 is the one of largest inner product.
struct CoarseQuantizer: Sendable {
    /// `nlist × dimension`, row-major.
    let centroids: [Float]
    let dimension: Int
    let nlist: Int
    let nearest: NearestCentroids

    init(centroids: [Float], dimension: Int) {
        self.centroids = centroids
        self.dimension = dimension
        self.nlist = centroids.count / dimension
        self.nearest = NearestCentroids(centroids: centroids, dimension: dimension)
    }

    static func train(_ sample: [Float], dimension: Int, nlist: Int, metric: Metric, iterations: Int,
                      seed: UInt64, threads: Int) throws -> CoarseQuantizer {
        var cfg = KMeansConfiguration(clusters: nlist, iterations: iterations, tolerance: 0, seed: seed,
                                      spherical: metric != .l2, maxTrainingPoints: 256 * nlist, seeding: .randomPoints)
        cfg.threads = threads
        let r = try KMeans.train(sample, dimension: dimension, configuration: cfg)
        return CoarseQuantizer(centroids: r.centroids, dimension: dimension)
    }

    /// The list of every row of `vectors`.
    func assign(_ vectors: [Float], threads: Int) -> [Int32] { nearest.assign(vectors, threads: threads).labels }

    /// The `nprobe` best lists for the query at `q`, best first, each with its coarse term: the squared
    /// distance `‖q − c‖²` for L2, the inner product `⟨q, c⟩` otherwise.
    func probe(_ q: UnsafePointer<Float>, nprobe: Int, metric: Metric) -> [(list: Int, term: Float)] {
        var dots = [Float](repeating: 0, count: nlist)
        centroids.withUnsafeBufferPointer { cp in
            guard let c = cp.baseAddress else { return }
            i3blas_sgemv(I3BlasRowMajor, I3BlasNoTrans, Int32(nlist), Int32(dimension), 1, c, Int32(dimension),
                         q, 1, 0, &dots, 1)
        }
        var top = TopK(k: nprobe)
        if metric == .l2 {
            let qq = Distances.dot(q, q, count: dimension)
            for l in 0..<nlist { top.push(id: UInt64(l), score: -(qq - 2 * dots[l] + nearest.squaredNorms[l])) }
            return top.sorted().map { (Int($0.id), max(0, -$0.score)) }
        }
        for l in 0..<nlist { top.push(id: UInt64(l), score: dots[l]) }
        return top.sorted().map { (Int($0.id), $0.score) }
    }
}
