import CBLAS
import CVectorKernels
import KMeans
import VectorKernels

/// A product quantizer (Jégou, Douze & Schmid, *Product quantization for nearest neighbor search*,
/// TPAMI 2011): the vector is cut into `m` sub-vectors of `dsub = d / m` components, each replaced by
/// the index of its nearest of `ksub = 256` codewords, so a code is `m` bytes.
///
/// Codebooks: `m × ksub × dsub` floats, row-major (sub-quantizer, codeword, component).
struct ProductQuantizer: Sendable {
    static let ksub = 256
    let dimension: Int
    let m: Int
    let dsub: Int
    let codebooks: [Float]
    /// The codebooks transposed to `m × dsub × ksub` (sub-quantizer, component, codeword): the layout the
    /// lookup-table kernel reads with unit stride.
    let transposedCodebooks: [Float]

    init(dimension: Int, m: Int, codebooks: [Float]) {
        self.dimension = dimension
        self.m = m
        let dsub = dimension / m
        self.dsub = dsub
        self.codebooks = codebooks
        var t = [Float](repeating: 0, count: codebooks.count)
        let ks = Self.ksub
        for j in 0..<m {
            for c in 0..<ks {
                for s in 0..<dsub { t[(j * dsub + s) * ks + c] = codebooks[(j * ks + c) * dsub + s] }
            }
        }
        self.transposedCodebooks = t
    }

    var ksub: Int { Self.ksub }

    /// Trains each sub-quantizer with k-means on its slice of `vectors` (`n × dimension`).
    /// `initial`: codebooks to start from (hot start), else random training points.
    static func train(_ vectors: [Float], dimension: Int, m: Int, iterations: Int, seed: UInt64,
                      threads: Int = 0, initial: ProductQuantizer? = nil) throws -> ProductQuantizer {
        let dsub = dimension / m
        let n = vectors.count / dimension
        var codebooks = [Float](repeating: 0, count: m * ksub * dsub)
        for j in 0..<m {
            let slice = subvectors(vectors, count: n, dimension: dimension, from: j * dsub, length: dsub)
            var cfg = KMeansConfiguration(clusters: ksub, iterations: iterations, tolerance: 0, seed: seed &+ UInt64(j),
                                          maxTrainingPoints: 256 * ksub, threads: threads, seeding: .randomPoints)
            cfg.initialCentroids = initial?.codebook(j)
            let r = try KMeans.train(slice, dimension: dsub, configuration: cfg)
            for i in 0..<(ksub * dsub) { codebooks[j * ksub * dsub + i] = r.centroids[i] }
        }
        return ProductQuantizer(dimension: dimension, m: m, codebooks: codebooks)
    }

    /// Components `from ..< from + length` of each of `count` rows, as a contiguous `count × length` buffer.
    static func subvectors(_ x: [Float], count: Int, dimension: Int, from: Int, length: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count * length)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                for i in 0..<count {
                    for t in 0..<length { op[i * length + t] = xp[i * dimension + from + t] }
                }
            }
        }
        return out
    }

    /// Codebook of sub-quantizer `j` (`ksub × dsub`).
    func codebook(_ j: Int) -> [Float] { Array(codebooks[j * ksub * dsub ..< (j + 1) * ksub * dsub]) }

    /// The `n × m` codes of `n` rows of `x` (nearest codeword per sub-vector, BLAS-batched).
    func encode(_ x: [Float], count n: Int, threads: Int = 0) -> [UInt8] {
        var codes = [UInt8](repeating: 0, count: n * m)
        for j in 0..<m {
            let slice = Self.subvectors(x, count: n, dimension: dimension, from: j * dsub, length: dsub)
            let labels = NearestCentroids(centroids: codebook(j), dimension: dsub).assign(slice, threads: threads).labels
            for i in 0..<n { codes[i * m + j] = UInt8(truncatingIfNeeded: labels[i]) }
        }
        return codes
    }

    /// The reconstruction of `n` codes (`n × dimension`).
    func decode(_ codes: [UInt8], count n: Int) -> [Float] {
        var out = [Float](repeating: 0, count: n * dimension)
        for i in 0..<n {
            for j in 0..<m {
                let c = Int(codes[i * m + j])
                for t in 0..<dsub { out[i * dimension + j * dsub + t] = codebooks[(j * ksub + c) * dsub + t] }
            }
        }
        return out
    }

    /// `table[j·ksub + c] = ⟨q_j, codeword_{j,c}⟩` for the query at `q` (`m × ksub` floats), into `table`.
    func innerProductTable(_ q: UnsafePointer<Float>, into table: UnsafeMutablePointer<Float>) {
        transposedCodebooks.withUnsafeBufferPointer { cb in
            guard let base = cb.baseAddress else { return }
            ivk_pq_ip_table(q, base, m, dsub, table)
        }
    }

    /// `‖codeword‖²` of every codeword (`m × ksub`).
    func codewordSquaredNorms() -> [Float] {
        codebooks.withUnsafeBufferPointer { cb in
            (0..<(m * ksub)).map { i in cb.baseAddress.map { Distances.dot($0 + i * dsub, $0 + i * dsub, count: dsub) } ?? 0 }
        }
    }

    /// Precomputed L2 term of faiss's `use_precomputed_table`: for list `l`, sub-quantizer `j`, codeword `c`,
    /// `−(‖r_{jc}‖² + 2⟨centroid_{l,j}, r_{jc}⟩)`, so that with `table2 = 2⟨q_j, r_{jc}⟩` the score of a code
    /// in list `l` is `−‖q − c_l‖² + Σ_j (term[l][j][c_j] + table2[j][c_j])` = −‖q − (c_l + r)‖².
    /// Shape `nlist × m × ksub`.
    func listTerms(centroids: [Float], nlist: Int) -> [Float] {
        let norms = codewordSquaredNorms()
        var out = [Float](repeating: 0, count: nlist * m * ksub)
        for j in 0..<m {
            let cent = Self.subvectors(centroids, count: nlist, dimension: dimension, from: j * dsub, length: dsub)
            var prod = [Float](repeating: 0, count: nlist * ksub)
            let cb = codebook(j)
            i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasTrans, Int32(nlist), Int32(ksub), Int32(dsub),
                         2, cent, Int32(dsub), cb, Int32(dsub), 0, &prod, Int32(ksub))
            for l in 0..<nlist {
                for c in 0..<ksub { out[(l * m + j) * ksub + c] = -(norms[j * ksub + c] + prod[l * ksub + c]) }
            }
        }
        return out
    }
}
