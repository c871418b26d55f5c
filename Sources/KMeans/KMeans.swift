import Foundation
import VectorKernels

/// Lloyd's k-means with BLAS-batched assignment, sampling of large inputs, k-means++ or random seeding,
/// empty-cluster repair and a spherical variant. Deterministic for a given seed (the thread count
/// changes only the speed: assignment runs in fixed blocks, sums are taken in point order).
///
/// Cost per iteration: one `n × k × d` matrix product (`sgemm`) plus O(n·k) for the arg-min and O(n·d)
/// for the update. Reference: Lloyd (1982); seeding: Arthur & Vassilvitskii, *k-means++* (SODA 2007);
/// empty-cluster repair: faiss `Clustering.cpp` `split_clusters` (a large cluster is split in two).
public enum KMeans {
    /// Trains `configuration.clusters` centroids on `vectors` (row-major, `dimension` floats per point).
    ///
    /// - Throws: `KMeansError` for a buffer that is not whole vectors, NaN or infinite values, fewer
    ///   points than clusters, or settings out of range.
    public static func train(_ vectors: [Float], dimension: Int, configuration: KMeansConfiguration) throws -> KMeansResult {
        let cfg = configuration
        guard dimension > 0, vectors.count % dimension == 0 else {
            throw KMeansError.badShape(count: vectors.count, dimension: dimension)
        }
        guard cfg.clusters >= 1 else { throw KMeansError.invalidConfiguration("clusters must be at least 1, got \(cfg.clusters)") }
        guard cfg.iterations >= 1 else { throw KMeansError.invalidConfiguration("iterations must be at least 1, got \(cfg.iterations)") }
        guard cfg.tolerance >= 0, cfg.tolerance.isFinite else {
            throw KMeansError.invalidConfiguration("tolerance must be a finite value ≥ 0, got \(cfg.tolerance)")
        }
        if let m = cfg.maxTrainingPoints, m < cfg.clusters {
            throw KMeansError.invalidConfiguration("maxTrainingPoints (\(m)) must be at least clusters (\(cfg.clusters))")
        }
        if let c = cfg.initialCentroids {
            guard c.count == cfg.clusters * dimension else {
                throw KMeansError.invalidConfiguration("initialCentroids holds \(c.count) floats, expected clusters × dimension = \(cfg.clusters * dimension)")
            }
            if let bad = Normalization.firstNonFinite(c) {
                throw KMeansError.invalidConfiguration("initialCentroids value \(bad) is NaN or infinite")
            }
        }
        let n = vectors.count / dimension
        guard n >= cfg.clusters else { throw KMeansError.tooFewPoints(points: n, clusters: cfg.clusters) }
        if let bad = Normalization.firstNonFinite(vectors) {
            throw KMeansError.nonFinite(point: bad / dimension, component: bad % dimension)
        }

        var rng = SeededRandom(seed: cfg.seed)
        let points: [Float]
        if let m = cfg.maxTrainingPoints, n > m {
            let chosen = rng.sampleIndices(count: m, from: n)
            var sample = [Float](repeating: 0, count: m * dimension)
            for (r, i) in chosen.enumerated() {
                for j in 0..<dimension { sample[r * dimension + j] = vectors[i * dimension + j] }
            }
            points = sample
        } else {
            points = vectors
        }
        return lloyd(points, dimension: dimension, configuration: cfg, rng: &rng)
    }

    /// Worker threads for `threads` (0 = one per active processor).
    static func workerCount(_ threads: Int) -> Int {
        threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    private static func lloyd(_ points: [Float], dimension d: Int, configuration cfg: KMeansConfiguration,
                              rng: inout SeededRandom) -> KMeansResult {
        let n = points.count / d, k = cfg.clusters
        var centroids: [Float]
        if let given = cfg.initialCentroids {
            centroids = given
        } else if cfg.seeding == .kMeansPlusPlus {
            centroids = seedPlusPlus(points, dimension: d, clusters: k, rng: &rng)
        } else {
            centroids = seedRandom(points, dimension: d, clusters: k, rng: &rng)
        }
        if cfg.spherical { Normalization.normalizeRows(&centroids, dimension: d) }

        var inertia = Double.infinity
        var ran = 0
        var sums = [Double](repeating: 0, count: k * d)
        var sizes = [Int](repeating: 0, count: k)
        for _ in 0..<cfg.iterations {
            ran += 1
            let (labels, dist) = NearestCentroids(centroids: centroids, dimension: d).assign(points, threads: cfg.threads)
            var obj = 0.0
            for v in dist { obj += Double(v) }

            // Update: means of the assigned points, summed in point order (deterministic).
            for i in 0..<sums.count { sums[i] = 0 }
            for i in 0..<k { sizes[i] = 0 }
            points.withUnsafeBufferPointer { pp in
                sums.withUnsafeMutableBufferPointer { sp in
                    for i in 0..<n {
                        let c = Int(labels[i])
                        sizes[c] += 1
                        let row = i * d, out = c * d
                        for j in 0..<d { sp[out + j] += Double(pp[row + j]) }
                    }
                }
            }
            for c in 0..<k where sizes[c] > 0 {
                let inv = 1 / Double(sizes[c])
                for j in 0..<d { centroids[c * d + j] = Float(sums[c * d + j] * inv) }
            }
            repairEmptyClusters(&centroids, sizes: &sizes, dimension: d, points: n, rng: &rng)
            if cfg.spherical { Normalization.normalizeRows(&centroids, dimension: d) }

            let previous = inertia
            inertia = obj
            if cfg.tolerance > 0, previous.isFinite, previous > 0,
               (previous - obj) / previous < Double(cfg.tolerance) { break }
        }
        return KMeansResult(centroids: centroids, dimension: d, inertia: inertia, iterations: ran)
    }

    /// k-means++: the first centroid uniformly, each next one with probability ∝ D(x)².
    static func seedPlusPlus(_ points: [Float], dimension d: Int, clusters k: Int, rng: inout SeededRandom) -> [Float] {
        let n = points.count / d
        var centroids = [Float](repeating: 0, count: k * d)
        var minDist = [Float](repeating: .infinity, count: n)
        points.withUnsafeBufferPointer { pp in
            guard let p = pp.baseAddress else { return }
            var chosen = Int(rng.next() % UInt64(n))
            for c in 0..<k {
                for j in 0..<d { centroids[c * d + j] = p[chosen * d + j] }
                if c == k - 1 { break }
                let cen = p + chosen * d
                var total = 0.0
                for i in 0..<n {
                    let v = Distances.l2Squared(p + i * d, cen, count: d)
                    if v < minDist[i] { minDist[i] = v }
                    total += Double(minDist[i])
                }
                if total > 0 {
                    let target = rng.nextUnitDouble() * total
                    var acc = 0.0
                    chosen = n - 1
                    for i in 0..<n {
                        acc += Double(minDist[i])
                        if acc > target, minDist[i] > 0 { chosen = i; break }
                    }
                } else {
                    chosen = Int(rng.next() % UInt64(n))   // every point coincides with a centroid
                }
            }
        }
        return centroids
    }

    /// `k` distinct points drawn uniformly (faiss's seeding).
    static func seedRandom(_ points: [Float], dimension d: Int, clusters k: Int, rng: inout SeededRandom) -> [Float] {
        let n = points.count / d
        var centroids = [Float](repeating: 0, count: k * d)
        for (c, i) in rng.sampleIndices(count: k, from: n).enumerated() {
            for j in 0..<d { centroids[c * d + j] = points[i * d + j] }
        }
        return centroids
    }

    /// Gives every empty cluster half of a non-empty one (chosen with probability ∝ size − 1): the
    /// centroid is copied and both copies are pushed apart by a relative 1/1024 (faiss `split_clusters`).
    static func repairEmptyClusters(_ centroids: inout [Float], sizes: inout [Int], dimension d: Int,
                                    points n: Int, rng: inout SeededRandom) {
        let k = sizes.count
        let eps: Float = 1.0 / 1024
        for ci in 0..<k where sizes[ci] == 0 {
            let weight = sizes.reduce(0) { $0 + max(0, $1 - 1) }
            guard weight > 0 else { return }   // only duplicates left: nothing to split
            var target = Int(rng.next() % UInt64(weight))
            var cj = 0
            for c in 0..<k {
                let w = max(0, sizes[c] - 1)
                if target < w { cj = c; break }
                target -= w
            }
            for j in 0..<d {
                let v = centroids[cj * d + j]
                let up = v * (1 + eps) + (v == 0 ? eps * 1e-3 : 0)
                let down = v * (1 - eps) - (v == 0 ? eps * 1e-3 : 0)
                if j % 2 == 0 { centroids[ci * d + j] = up; centroids[cj * d + j] = down }
                else { centroids[ci * d + j] = down; centroids[cj * d + j] = up }
            }
            sizes[ci] = sizes[cj] / 2
            sizes[cj] -= sizes[ci]
        }
    }
}
