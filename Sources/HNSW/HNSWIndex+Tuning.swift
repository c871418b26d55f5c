import IndexCore
import VectorKernels

extension HNSWIndex {
    /// The `ef` values a fit tries, cheapest first (each raised to `k + 1`, duplicates dropped).
    static let tuningEfs = [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048]
    /// Every fit measures up to this recall (or the largest `ef`), so the stored curve also serves
    /// searches that ask for more than the fit's own target.
    static let tuningCeiling = 0.995

    /// Fits the candidate-list size to recall targets and keeps the curve (saved with the index):
    /// plain searches then use the cheapest `ef` that reached `targetRecall`, and searches with
    /// `SearchParameters.targetRecall` the one for theirs.
    ///
    /// Pseudo-queries are `sampleSize` indexed vectors drawn with `seed`; each one's exact top `k`
    /// (itself excluded) is computed by brute force over the stored vectors, so the fit measures what
    /// the graph loses, not the storage's rounding. `ef` runs through 16, 24, 32, 48, … 2048 (at least
    /// `k + 1`) until recall@`k` reaches the higher of `targetRecall` and 0.995; each measured `ef`
    /// with a higher recall than the cheaper ones becomes a point of the curve. Recall is measured at
    /// `k`; a search for more results uses at least its own `k` as `ef`.
    /// - Throws: `invalidParameter` for a target outside (0, 1], a sample smaller than 1, or an index
    ///   with `k` or fewer live vectors, or held-out queries that are empty, of the wrong dimension or
    ///   not finite; `invalidK` for `k` < 1; `notTrained` for an untrained int8 index.
    @discardableResult
    public func tune(targetRecall: Double, k: Int = 10, sampleSize: Int = 256, seed: UInt64 = 1,
                     queries: [[Float]]? = nil) throws -> TuningCurve {
        try TuningCurve.validate(target: targetRecall)
        guard k >= 1 else { throw IndexError.invalidK(k) }
        guard sampleSize >= 1 else {
            throw IndexError.invalidParameter(name: "sampleSize", reason: "must be at least 1, got \(sampleSize)")
        }
        let heldOut = try queries.map { try PseudoQueries.validateHeldOut($0, dimension: dimension, metric: metric) }
        let sample = try fitQueries(k: k, sampleSize: sampleSize, seed: seed, heldOut: heldOut)
        let ceiling = max(targetRecall, Self.tuningCeiling)
        var efs: [Int] = []
        for ef in Self.tuningEfs.map({ max($0, k + 1) }) where efs.last.map({ ef > $0 }) ?? true { efs.append(ef) }
        var measured: [TuningCurve.Point] = []
        for ef in efs {
            let p = SearchParameters(ef: ef)
            let r = try sample.recall { q, n in try search(q, k: n, parameters: p) }
            measured.append(TuningCurve.Point(ef: ef, recall: r))
            if r >= ceiling { break }
        }
        let fitted = try TuningCurve(targetRecall: targetRecall, k: k, sampleSize: sample.vectors.count, pointsByCost: measured)
        lock.withWriteLock { curve = fitted }
        return fitted
    }

    /// The held-out queries, or else a seeded sample of live vectors (decoded as stored), with their
    /// exact neighbours among all live vectors (a pseudo-query's own vector left out).
    private func fitQueries(k: Int, sampleSize: Int, seed: UInt64, heldOut: [[Float]]?) throws -> PseudoQueries {
        let (rows, ids) = try lock.withWriteLock { () throws -> ([Float], [UInt64]) in
            guard let g = graph else { throw IndexError.notTrained }
            return g.liveVectors()
        }
        let n = ids.count, d = dimension
        guard n > k else {
            throw IndexError.invalidParameter(name: "k", reason: "tuning at k = \(k) needs more than \(k) vectors, the index holds \(n)")
        }
        // The queries and the row each one must not count (its own, for a pseudo-query).
        let queries: [[Float]], own: [Int?]
        if let heldOut {
            queries = heldOut
            own = heldOut.map { _ in nil }
        } else {
            var random = SeededRandom(seed: seed)
            let picked = random.sampleIndices(count: min(sampleSize, n), from: n)
            queries = picked.map { Array(rows[($0 * d)..<(($0 + 1) * d)]) }
            own = picked
        }
        var heaps = queries.map { _ in TopK(k: k) }
        rows.withUnsafeBufferPointer { r in
            guard let base = r.baseAddress else { return }
            for (h, query) in queries.enumerated() {
                query.withUnsafeBufferPointer { qp in
                    guard let q = qp.baseAddress else { return }
                    for j in 0..<n where j != own[h] { heaps[h].push(id: ids[j], score: metric.score(q, base + j * d, count: d)) }
                }
            }
        }
        return PseudoQueries(vectors: queries, selfIDs: own.map { $0.map { ids[$0] } },
                             truth: heaps.map { Set($0.unsortedEntries.map(\.id)) }, k: k)
    }
}
