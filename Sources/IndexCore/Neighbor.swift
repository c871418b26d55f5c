/// One search result: the caller's id and its score (higher is better; see `Metric`).
public struct Neighbor: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The external id given when the vector was added.
    public var id: UInt64
    /// Similarity to the query: inner product, cosine, or negated squared L2 distance.
    public var score: Float

    public init(id: UInt64, score: Float) {
        self.id = id
        self.score = score
    }

    /// Result order: score descending, then id ascending.
    public static func ranksBefore(_ a: Neighbor, _ b: Neighbor) -> Bool {
        a.score > b.score || (a.score == b.score && a.id < b.id)
    }

    public var description: String { "(\(id), \(score))" }
}
