import IndexCore
import VectorKernels

extension IVFPQIndex {
    /// Every fit measures up to this recall (or the most expensive setting), so the stored curve also
    /// serves searches that ask for more than the fit's own target.
    static let tuningCeiling = 0.995

    /// Fits (`nprobe`, `refineFactor`) to recall targets and keeps the curve (saved with the index):
    /// plain searches then use the cheapest pair that reached `targetRecall`, searches with
    /// `SearchParameters.targetRecall` the one for theirs.
    ///
    /// Pseudo-queries are `sampleSize` indexed vectors drawn with `seed`; each one's exact top `k`
    /// (itself excluded) is computed from the full vectors. For each re-ranking factor in 1, 2, 4, … 32,
    /// `nprobe` runs through 1, 2, 3, 4, 6, 8, 12, … `nlist` until recall@`k` reaches the higher of `targetRecall` and
    /// 0.995, skipping pairs whose estimated work (codes scanned × `m` + vectors re-ranked × d) is at
    /// least that of the cheapest pair already there. The measured pairs, ordered by work, keep those
    /// that beat every cheaper one: the curve. Pseudo-queries lie on the data, real queries usually do
    /// not: check achieved recall on held-out queries (README, issue 14), or fit on such queries:
    /// `queries` (real queries as encoded for search, e.g. a dev split's) replace the pseudo-queries,
    /// with their exact top `k` over every live full vector.
    /// - Throws: `notTrained`; `invalidParameter` for a target outside (0, 1], `k` < 1, a sample smaller
    ///   than 1, an index without full vectors, one with fewer than `k + 1` vectors, or held-out queries
    ///   that are empty, of the wrong dimension or not finite.
    @discardableResult
    public func tune(targetRecall: Double, k: Int = 100, sampleSize: Int = 256, seed: UInt64 = 1,
                     queries: [[Float]]? = nil) throws -> TuningCurve {
        try TuningCurve.validate(target: targetRecall)
        guard k >= 1 else { throw IndexError.invalidK(k) }
        guard sampleSize >= 1 else { throw IndexError.invalidParameter(name: "sampleSize", reason: "must be at least 1, got \(sampleSize)") }
        let heldOut = try queries.map { try PseudoQueries.validateHeldOut($0, dimension: dimension, metric: metric) }
        let (sample, nlist, n) = try lock.withReadLock { () throws -> (PseudoQueries, Int, Int) in
            guard coarse != nil, pq != nil else { throw IndexError.notTrained }
            guard let store = fullVectors else {
                throw IndexError.invalidParameter(name: "targetRecall", reason: "tuning needs the full vectors: build with keepFullVectors = true")
            }
            let live = lists.totalCount - tombstones.count
            guard live > k else {
                throw IndexError.invalidParameter(name: "k", reason: "tuning at k = \(k) needs more than \(k) vectors, the index holds \(live)")
            }
            if let heldOut {
                let truth = try exactNeighbours(of: heldOut, excluding: heldOut.map { _ in nil }, k: k, store: store)
                return (PseudoQueries(vectors: heldOut, selfIDs: heldOut.map { _ in nil }, truth: truth, k: k), lists.listCount, live)
            }
            // Every live slot, then a seeded sample of them as pseudo-queries.
            var slots: [(list: Int, offset: Int)] = []
            slots.reserveCapacity(live)
            for l in 0..<lists.listCount {
                for o in 0..<lists.count(l) where !tombstones.contains(UInt64(l) << 32 | UInt64(o)) { slots.append((l, o)) }
            }
            var random = SeededRandom(seed: seed)
            let picked = random.sampleIndices(count: min(sampleSize, slots.count), from: slots.count)
            var queries: [[Float]] = [], selfIDs: [UInt64?] = []
            for s in picked {
                let (l, o) = slots[s]
                queries.append(try store.withVector(list: l, offset: o) { Array(UnsafeBufferPointer(start: $0, count: dimension)) })
                selfIDs.append(lists.ids[l][o])
            }
            let truth = try exactNeighbours(of: queries, excluding: selfIDs, k: k, store: store)
            return (PseudoQueries(vectors: queries, selfIDs: selfIDs, truth: truth, k: k), lists.listCount, live)
        }

        // 1, 2, 3, 4, 6, 8, 12, … (powers of two and 1.5× them) below nlist, then nlist: steps of ≤ 1.5×
        // in work, so a fit does not overshoot its target by a whole doubling of the lists probed.
        var probes: [Int] = []
        var p = 1
        while p < nlist {
            probes.append(p)
            if p >= 2, p + p / 2 < nlist { probes.append(p + p / 2) }
            p *= 2
        }
        probes.append(nlist)
        let perList = Double(n) / Double(nlist)
        func work(_ nprobe: Int, _ refine: Int) -> Double {
            Double(nprobe) * perList * Double(configuration.subquantizers) + Double(k * refine * dimension)
        }
        let ceiling = max(targetRecall, Self.tuningCeiling)
        var measured: [(work: Double, point: TuningCurve.Point)] = []
        var cheapestAtCeiling = Double.infinity
        for refine in [1, 2, 4, 8, 16, 32] {
            for nprobe in probes {
                if work(nprobe, refine) >= cheapestAtCeiling { break }
                let settings = SearchParameters(nprobe: nprobe, refineFactor: refine)
                let r = try sample.recall { q, count in try search(q, k: count, parameters: settings) }
                measured.append((work(nprobe, refine), TuningCurve.Point(nprobe: nprobe, refineFactor: refine, recall: r)))
                if r >= ceiling {
                    cheapestAtCeiling = min(cheapestAtCeiling, work(nprobe, refine))
                    break
                }
            }
        }
        let byWork = measured.sorted { $0.work < $1.work }.map(\.point)
        let fitted = try TuningCurve(targetRecall: targetRecall, k: k, sampleSize: sample.vectors.count, pointsByCost: byWork)
        lock.withWriteLock { curve = fitted }
        return fitted
    }

    /// Exact top `k` ids of each query over every live full vector, `excluding[i]` left out of query i's.
    private func exactNeighbours(of queries: [[Float]], excluding: [UInt64?], k: Int, store: FullVectorStore) throws -> [Set<UInt64>] {
        var heaps = queries.map { _ in TopK(k: k) }
        var scores: [Float] = []
        for l in 0..<lists.listCount {
            let offsets = (0..<lists.count(l)).filter { !tombstones.contains(UInt64(l) << 32 | UInt64($0)) }.map { UInt32($0) }
            guard !offsets.isEmpty else { continue }
            let ids = lists.ids[l]
            for (i, q) in queries.enumerated() {
                scores.removeAll(keepingCapacity: true)
                try q.withUnsafeBufferPointer { qp in
                    guard let qb = qp.baseAddress else { return }
                    try store.scores(list: l, offsets: offsets[...], query: qb, metric: metric, into: &scores)
                }
                for (t, s) in scores.enumerated() where ids[Int(offsets[t])] != excluding[i] {
                    heaps[i].push(id: ids[Int(offsets[t])], score: s)
                }
            }
        }
        return heaps.map { Set($0.unsortedEntries.map(\.id)) }
    }
}
