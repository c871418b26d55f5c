extension DualEncoder {
    /// Floating-point operations of the BERT forward pass (multiply and add counted as two) over
    /// sequences of `tokenCounts` tokens on the passage or query side: per layer the six linear layers
    /// (`2·n·(4h² + 2·h·i)`) and attention (`4·n²·h`). Embeddings, norms, GELU, pooling and the I^3 head
    /// are left out (under 2% for MiniLM). For reporting achieved GFLOP/s against sgemm's.
    public func forwardFLOPs(tokenCounts: [Int], passages: Bool = true) -> Double {
        let c = (passages ? passageTower : queryTower).model.config
        let h = Double(c.hiddenSize), inter = Double(c.intermediateSize)
        let perToken = 2 * (4 * h * h + 2 * h * inter)
        let perLayer = tokenCounts.reduce(0.0) { sum, n in
            let t = Double(n)
            return sum + t * perToken + 4 * t * t * h
        }
        return Double(c.layerCount) * perLayer
    }
}
