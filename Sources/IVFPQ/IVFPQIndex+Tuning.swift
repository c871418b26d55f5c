import IndexCore
import VectorKernels

extension IVFPQIndex {
    /// Fits the settings that plain searches use (`searchDefaults`) to a recall target and keeps them
    /// (they are saved with the index).
    ///
    /// Pseudo-queries are `sampleSize` indexed vectors drawn with `seed`; each one's exact top `k`
    /// (itself excluded) is computed from the full vectors. For each re-ranking factor in 1, 2, 4, … 32
    /// the smallest `nprobe` (1, 2, 4, … `nlist`) that reaches `targetRecall` on average is found, and
    /// the pair with the least estimated work (codes scanned × `m` + vectors re-ranked × d) wins. If no
    /// pair reaches the target, the best-recall pair is kept. Pseudo-queries lie on the data, real
    /// queries usually do not: check achieved recall on held-out queries (README, issue 14).
    /// - Throws: `notTrained`; `invalidParameter` for a target outside (0, 1], `k` < 1, a sample smaller
    ///   than 1, an index without full vectors, or one with fewer than `k + 1` vectors.
    @discardableResult
    public func tune(targetRecall: Double, k: Int = 100, sampleSize: Int = 256, seed: UInt64 = 1) throws -> IVFPQSearchDefaults {
        guard targetRecall > 0, targetRecall <= 1, targetRecall.isFinite else {
            throw IndexError.invalidParameter(name: "targetRecall", reason: "must be in (0, 1], got \(targetRecall)")
        }
        guard k >= 1 else { throw IndexError.invalidK(k) }
        guard sampleSize >= 1 else { throw IndexError.invalidParameter(name: "sampleSize", reason: "must be at least 1, got \(sampleSize)") }
        let (queries, selfIDs, truth, nlist, n) = try lock.withReadLock { () throws -> ([[Float]], [UInt64], [Set<UInt64>], Int, Int) in
            guard coarse != nil, pq != nil else { throw IndexError.notTrained }
            guard let store = fullVectors else {
                throw IndexError.invalidParameter(name: "targetRecall", reason: "tuning needs the full vectors: build with keepFullVectors = true")
            }
            let live = lists.totalCount - tombstones.count
            guard live > k else {
                throw IndexError.invalidParameter(name: "k", reason: "tuning at k = \(k) needs more than \(k) vectors, the index holds \(live)")
            }
            // Every live slot, then a seeded sample of them as pseudo-queries.
            var slots: [(list: Int, offset: Int)] = []
            slots.reserveCapacity(live)
            for l in 0..<lists.listCount {
                for o in 0..<lists.count(l) where !tombstones.contains(UInt64(l) << 32 | UInt64(o)) { slots.append((l, o)) }
            }
            var random = SeededRandom(seed: seed)
            let picked = random.sampleIndices(count: min(sampleSize, slots.count), from: slots.count)
            var queries: [[Float]] = [], selfIDs: [UInt64] = []
            for s in picked {
                let (l, o) = slots[s]
                queries.append(try store.withVector(list: l, offset: o) { Array(UnsafeBufferPointer(start: $0, count: dimension)) })
                selfIDs.append(lists.ids[l][o])
            }
            let truth = try exactNeighbours(of: queries, excluding: selfIDs, k: k, store: store)
            return (queries, selfIDs, truth, lists.listCount, live)
        }

        func recall(nprobe: Int, refine: Int) throws -> Double {
            let p = SearchParameters(nprobe: nprobe, refineFactor: refine)
            var hits = 0
            for (i, q) in queries.enumerated() {
                let found = try search(q, k: k + 1, parameters: p).lazy.map(\.id).filter { $0 != selfIDs[i] }.prefix(k)
                hits += found.reduce(0) { $0 + (truth[i].contains($1) ? 1 : 0) }
            }
            return Double(hits) / Double(queries.count * k)
        }
        var probes: [Int] = []
        var p = 1
        while p < nlist { probes.append(p); p *= 2 }
        probes.append(nlist)
        let perList = Double(n) / Double(nlist)
        func work(nprobe: Int, refine: Int) -> Double {
            Double(nprobe) * perList * Double(configuration.subquantizers) + Double(k * refine * dimension)
        }
        var best: (nprobe: Int, refine: Int, recall: Double)?
        var highest: (nprobe: Int, refine: Int, recall: Double) = (1, 1, -1)
        for refine in [1, 2, 4, 8, 16, 32] {
            for nprobe in probes {
                if let b = best, work(nprobe: nprobe, refine: refine) >= work(nprobe: b.nprobe, refine: b.refine) { break }
                let r = try recall(nprobe: nprobe, refine: refine)
                if r > highest.recall { highest = (nprobe, refine, r) }
                if r >= targetRecall {
                    best = (nprobe, refine, r)
                    break
                }
            }
        }
        let chosen = best ?? highest
        let defaults = IVFPQSearchDefaults(nprobe: chosen.nprobe, refineFactor: chosen.refine, targetRecall: targetRecall,
                                           sampleRecall: chosen.recall, k: k, sampleSize: queries.count)
        lock.withWriteLock { tunedDefaults = defaults }
        return defaults
    }

    /// Exact top `k` ids of each query over every live full vector, `excluding[i]` left out of query i's.
    private func exactNeighbours(of queries: [[Float]], excluding: [UInt64], k: Int, store: FullVectorStore) throws -> [Set<UInt64>] {
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
