/// Default IVF-PQ settings shared by our side and the peers' script (`tools/ann/peers.py`).
public enum IVFPQDefaults {
    /// The number of PQ sub-quantizers for `dimension`: the largest divisor of the dimension that is at
    /// most min(64, dimension / 4). GloVe-50 → 10 (5-d sub-vectors), Fashion-MNIST-784 → 56 (14-d),
    /// 384 → 64 (6-d), 128 → 32 (4-d). `peers.py` `default_pq_m` is the same rule.
    public static func subquantizers(dimension: Int) -> Int {
        var best = 1
        let top = max(1, min(64, dimension / 4))
        for m in 1...top where dimension % m == 0 { best = m }
        return best
    }

    /// Number of inverted lists unless told otherwise.
    public static let nlist = 1024
    /// IVF-PQ trains on the first `trainSize` base vectors (both sides).
    public static let trainSize = 50_000
}
