/// Recall of approximate results against exact ground truth.
public enum Recall {
    /// Mean recall@k: the fraction of each query's true top-`k` ids found among its first `k` results,
    /// averaged over queries. Rows of `results` and `truth` pair up by query; extra truth rows are ignored.
    public static func atK(_ k: Int, results: [[UInt64]], truth: [[Int32]]) -> Double {
        guard k > 0, !results.isEmpty else { return 0 }
        var hits = 0
        for (r, t) in zip(results, truth) {
            let want = Set(t.prefix(k).map { UInt64(bitPattern: Int64($0)) })
            var seen = Set<UInt64>()
            for id in r.prefix(k) where want.contains(id) && seen.insert(id).inserted { hits += 1 }
        }
        return Double(hits) / Double(results.count * k)
    }
}
