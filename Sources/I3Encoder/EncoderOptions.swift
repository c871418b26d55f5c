/// Options of a `DualEncoder`.
public struct EncoderOptions: Sendable {
    /// Sequences per forward pass (sorted by length, so a batch holds similar lengths).
    public var batchSize: Int = 32
    /// Worker threads; 0 = all cores.
    public var threads: Int = 0
    /// Maximum query length in tokens including [CLS]/[SEP]; nil = the model's default.
    public var maxQueryLength: Int?
    /// Maximum passage length in tokens including [CLS]/[SEP]; nil = the model's default.
    public var maxPassageLength: Int?

    public init(batchSize: Int = 32, threads: Int = 0, maxQueryLength: Int? = nil, maxPassageLength: Int? = nil) {
        self.batchSize = batchSize
        self.threads = threads
        self.maxQueryLength = maxQueryLength
        self.maxPassageLength = maxPassageLength
    }
}

