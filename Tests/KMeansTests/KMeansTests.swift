import Testing
import TestSupport
import VectorKernels
@testable import KMeans

@Suite struct KMeansTests {
    /// Every true cluster ends up in exactly one k-means cluster, and vice versa (k-means++ seeding;
    /// uniform seeding can legitimately put two seeds in one cluster, a local optimum Lloyd keeps).
    @Test func recoversSeparatedClusters() throws {
        let seeding = KMeansSeeding.kMeansPlusPlus
        let d = 16, k = 8
        let (x, labels) = TestData.clustered(count: 2000, dimension: d, clusters: k, seed: 7)
        var cfg = KMeansConfiguration(clusters: k, seeding: seeding)
        cfg.iterations = 30
        let r = try KMeans.train(x, dimension: d, configuration: cfg)
        let assigned = r.assign(x)
        var map = [Int: Int32]()
        for (i, l) in labels.enumerated() {
            if let m = map[l] { #expect(m == assigned[i]) } else { map[l] = assigned[i] }
        }
        #expect(Set(map.values).count == k)
        // Each centroid is within a few spreads of a true centre: inertia per point ≈ d · 0.05².
        #expect(r.inertia / 2000 < Double(d) * 0.0025 * 1.5)
    }

    @Test func deterministicForSeedAndIndependentOfThreads() throws {
        let x = TestData.gaussian(count: 3000, dimension: 12, seed: 3)
        var cfg = KMeansConfiguration(clusters: 20, iterations: 8)
        cfg.threads = 1
        let a = try KMeans.train(x, dimension: 12, configuration: cfg)
        let b = try KMeans.train(x, dimension: 12, configuration: cfg)
        cfg.threads = 2
        let c = try KMeans.train(x, dimension: 12, configuration: cfg)
        #expect(a.centroids == b.centroids)
        #expect(a.centroids == c.centroids)
        cfg.seed = 99
        let e = try KMeans.train(x, dimension: 12, configuration: cfg)
        #expect(e.centroids != a.centroids)
    }

    @Test func assignmentMatchesBruteForce() throws {
        let d = 10
        let x = TestData.gaussian(count: 500, dimension: d, seed: 5)
        let r = try KMeans.train(x, dimension: d, configuration: .init(clusters: 17, iterations: 3))
        let labels = r.assign(x)
        for i in 0..<500 {
            var best = Float.infinity, arg = -1
            for c in 0..<17 {
                var s: Float = 0
                for j in 0..<d { let t = x[i * d + j] - r.centroids[c * d + j]; s += t * t }
                if s < best { best = s; arg = c }
            }
            var got: Float = 0
            for j in 0..<d { let t = x[i * d + j] - r.centroids[Int(labels[i]) * d + j]; got += t * t }
            #expect(got <= best + 1e-4, "point \(i): assigned \(labels[i]), nearest \(arg)")
        }
    }

    @Test func inertiaDecreasesWithMoreIterationsAndSamplingIsHonoured() throws {
        let x = TestData.gaussian(count: 4000, dimension: 8, seed: 11)
        let one = try KMeans.train(x, dimension: 8, configuration: .init(clusters: 32, iterations: 1, tolerance: 0))
        let many = try KMeans.train(x, dimension: 8, configuration: .init(clusters: 32, iterations: 15, tolerance: 0))
        #expect(many.inertia < one.inertia)
        #expect(many.iterations == 15)
        let sampled = try KMeans.train(x, dimension: 8, configuration: .init(clusters: 32, iterations: 5, maxTrainingPoints: 500))
        // The inertia is measured on the 500 sampled points only.
        #expect(sampled.inertia < many.inertia / 4)
        #expect(sampled.clusters == 32)
    }

    @Test func sphericalCentroidsHaveUnitNorm() throws {
        let x = TestData.gaussian(count: 1000, dimension: 6, seed: 2)
        var cfg = KMeansConfiguration(clusters: 10, iterations: 5)
        cfg.spherical = true
        let r = try KMeans.train(x, dimension: 6, configuration: cfg)
        for c in 0..<10 {
            let row = Array(r.centroids[c * 6 ..< c * 6 + 6])
            #expect(abs((Distances.dot(row, row) ?? .nan) - 1) < 1e-4)
        }
    }

    @Test func emptyClusterIsRepairedBySplittingALargeOne() {
        var centroids: [Float] = [1, 2, 9, 9, 5, 5]
        var sizes = [10, 0, 0]
        var rng = SeededRandom(seed: 1)
        KMeans.repairEmptyClusters(&centroids, sizes: &sizes, dimension: 2, points: 10, rng: &rng)
        #expect(sizes.allSatisfy { $0 > 0 })
        #expect(sizes.reduce(0, +) == 10)
        // The new centroids are near the split one and distinct from it.
        #expect(abs(centroids[2] - 1) < 0.01 && abs(centroids[3] - 2) < 0.01)
        #expect(centroids[0 ..< 2] != centroids[2 ..< 4])
    }

    @Test func duplicatesDoNotLeaveEmptyClustersWhenAvoidable() throws {
        // 40 copies of one point and 40 distinct ones, 20 clusters.
        var x = [Float](repeating: 3, count: 40 * 4)
        x += TestData.gaussian(count: 40, dimension: 4, seed: 8)
        let r = try KMeans.train(x, dimension: 4, configuration: .init(clusters: 20, seeding: .randomPoints))
        #expect(Set(r.assign(x)).count >= 15)
    }

    @Test func badInputIsAClearError() {
        #expect(throws: KMeansError.tooFewPoints(points: 5, clusters: 10)) {
            try KMeans.train(TestData.gaussian(count: 5, dimension: 3, seed: 1), dimension: 3, configuration: .init(clusters: 10))
        }
        var x = TestData.gaussian(count: 50, dimension: 3, seed: 1)
        x[7] = .nan
        #expect(throws: KMeansError.nonFinite(point: 2, component: 1)) {
            try KMeans.train(x, dimension: 3, configuration: .init(clusters: 4))
        }
        #expect(throws: KMeansError.badShape(count: 10, dimension: 3)) {
            try KMeans.train([Float](repeating: 0, count: 10), dimension: 3, configuration: .init(clusters: 1))
        }
        #expect(throws: KMeansError.self) {
            try KMeans.train(TestData.gaussian(count: 50, dimension: 3, seed: 1), dimension: 3, configuration: .init(clusters: 0))
        }
    }
}

import CVectorKernels

@Suite(.serialized) struct ArgminKernelTests {
    /// Every ISA level gives the scalar twin's index and value, ties to the lowest index included.
    @Test func simdArgminMatchesScalarTwin() {
        var seed: UInt32 = 99
        func next() -> Float { seed = seed &* 1_664_525 &+ 1_013_904_223; return Float(seed >> 20) / 64 - 8 }
        let top = ivk_isa_level()
        defer { _ = ivk_force_isa_level(top) }
        for k in [1, 2, 7, 8, 15, 16, 17, 31, 32, 33, 100, 256, 1024] {
            let norms = (0..<k).map { _ in next() }
            var dots = (0..<k).map { _ in next() }
            if k > 40 { dots[37] = dots[3] + (norms[37] - norms[3]) / 2 }   // a likely tie
            var wantBest: Float = 0
            let want = ivk_argmin_l2_from_dots_scalar(norms, dots, k, &wantBest)
            for level in 0...top {
                _ = ivk_force_isa_level(Int32(level))
                var best: Float = 0
                let got = ivk_argmin_l2_from_dots(norms, dots, k, &best)
                #expect(got == want && best == wantBest, "k = \(k), level \(level)")
            }
        }
    }
}

@Suite(.serialized) struct SmallDimensionKernelTests {
    @Test func transposedDotsMatchScalarTwinAndDefinition() {
        let top = ivk_isa_level()
        defer { _ = ivk_force_isa_level(top) }
        for (d, k) in [(1, 1), (2, 5), (5, 256), (14, 256), (3, 70), (32, 1000)] {
            let x = TestData.gaussian(count: 1, dimension: d, seed: UInt64(d))
            let ct = TestData.gaussian(count: d, dimension: k, seed: UInt64(k))
            var want = [Float](repeating: 0, count: k)
            ivk_dots_transposed_f32_scalar(x, ct, d, k, &want)
            for c in 0..<k {
                var s: Float = 0
                for t in 0..<d { s += x[t] * ct[t * k + c] }
                #expect(abs(s - want[c]) <= 1e-4 * (1 + abs(s)))
            }
            for level in 0...top {
                _ = ivk_force_isa_level(Int32(level))
                var got = [Float](repeating: 0, count: k)
                ivk_dots_transposed_f32(x, ct, d, k, &got)
                #expect(got == want, "d = \(d), k = \(k), level \(level)")
            }
        }
    }

    /// The small-dimension path (no sgemm) and the sgemm path pick the same nearest centroids.
    @Test func smallAndLargeDimensionPathsAgree() {
        let d = 8
        let x = TestData.gaussian(count: 300, dimension: d, seed: 1)
        let c = TestData.gaussian(count: 40, dimension: d, seed: 2)
        let small = NearestCentroids(centroids: c, dimension: d).assign(x)
        // Pad to 8 + 64 dimensions with zeros: same distances, sgemm path.
        func pad(_ v: [Float], _ n: Int) -> [Float] {
            (0..<n).flatMap { i in Array(v[i * d ..< (i + 1) * d]) + [Float](repeating: 0, count: 64) }
        }
        #expect(d <= NearestCentroids.smallDimension && d + 64 > NearestCentroids.smallDimension)
        let large = NearestCentroids(centroids: pad(c, 40), dimension: d + 64).assign(pad(x, 300))
        #expect(small.labels == large.labels)
        for i in 0..<300 { #expect(abs(small.distances[i] - large.distances[i]) < 1e-3) }
    }

    /// The fused distance + arg-min kernel: every ISA level equals the scalar twin bit for bit (labels,
    /// distances, ties to the lowest index), for row counts around the four-point groups and centroid
    /// counts around the 16- and 64-wide chunks; the twin agrees with the definition.
    @Test func fusedNearestKernelMatchesScalarTwinAndDefinition() {
        let top = ivk_isa_level()
        defer { _ = ivk_force_isa_level(top) }
        for (d, k) in [(1, 1), (2, 5), (3, 15), (5, 16), (5, 17), (7, 63), (5, 64), (4, 65), (14, 256), (50, 100), (6, 1000)] {
            for rows in [1, 3, 4, 9] {
                let x = TestData.gaussian(count: rows, dimension: d, seed: UInt64(d * 31 + rows))
                var c = TestData.gaussian(count: k, dimension: d, seed: UInt64(k + 7))
                if k > 40 { for t in 0..<d { c[37 * d + t] = c[3 * d + t] } }   // duplicate centroids: a tie
                let nc = NearestCentroids(centroids: c, dimension: d)
                #expect(nc.transposed.count == k * d)
                var wantL = [Int32](repeating: -1, count: rows), wantD = [Float](repeating: -1, count: rows)
                ivk_nearest_l2_transposed_f32_scalar(x, rows, d, nc.transposed, k, nc.squaredNorms, &wantL, &wantD)
                for i in 0..<rows {
                    var best = Float.infinity, arg = -1
                    for j in 0..<k {
                        var s: Float = 0
                        for t in 0..<d { let v = x[i * d + t] - c[j * d + t]; s += v * v }
                        if s < best { best = s; arg = j }
                    }
                    #expect(abs(wantD[i] - best) <= 1e-3 * (1 + best), "d \(d) k \(k) row \(i)")
                    if Int(wantL[i]) != arg {   // only a near-tie may differ from the exact arg-min
                        var s: Float = 0
                        for t in 0..<d { let v = x[i * d + t] - c[Int(wantL[i]) * d + t]; s += v * v }
                        #expect(abs(s - best) <= 1e-3 * (1 + best), "d \(d) k \(k) row \(i)")
                    }
                    if k > 40 { #expect(wantL[i] != 37, "tie must go to the lower index 3") }
                }
                for level in 0...top {
                    _ = ivk_force_isa_level(Int32(level))
                    var l = [Int32](repeating: -1, count: rows), dist = [Float](repeating: -1, count: rows)
                    ivk_nearest_l2_transposed_f32(x, rows, d, nc.transposed, k, nc.squaredNorms, &l, &dist)
                    #expect(l == wantL && dist == wantD, "d \(d) k \(k) rows \(rows) level \(level)")
                }
            }
        }
    }
}
