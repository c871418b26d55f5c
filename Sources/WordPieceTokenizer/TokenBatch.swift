/// A padded batch of token ids with its attention mask, both row-major `rows × columns`.
public struct TokenBatch: Sendable, Equatable {
    /// Number of sequences.
    public let rows: Int
    /// Length of the longest sequence (the padded width).
    public let columns: Int
    /// Token ids, padded with the `[PAD]` id.
    public let ids: [Int32]
    /// 1 for a real token, 0 for padding.
    public let attentionMask: [Int32]
    /// The unpadded length of each row.
    public let lengths: [Int]

    /// Pads `sequences` to the longest one.
    public init(sequences: [[Int32]], padID: Int32) {
        rows = sequences.count
        columns = sequences.map(\.count).max() ?? 0
        lengths = sequences.map(\.count)
        var ids = [Int32](repeating: padID, count: rows * columns)
        var mask = [Int32](repeating: 0, count: rows * columns)
        for (r, s) in sequences.enumerated() {
            for (c, id) in s.enumerated() {
                ids[r * columns + c] = id
                mask[r * columns + c] = 1
            }
        }
        self.ids = ids
        attentionMask = mask
    }

    /// Row `r`'s ids without padding.
    public func sequence(_ r: Int) -> [Int32] {
        Array(ids[(r * columns)..<(r * columns + lengths[r])])
    }
}
