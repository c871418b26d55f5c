/// Which learning rate a parameter trains with (the released I^3 code: backbone 2e-5, heads 1e-3).
public enum ParameterGroup: String, Sendable, Codable {
    /// The BERT towers (and the MLM head, as in the released code).
    case backbone
    /// The I^3 reconstructor and interactor layers.
    case head
}

/// One trainable tensor: its checkpoint name (safetensors / PyTorch naming), shape, value and
/// gradient (both owned, contiguous, row-major).
public final class Parameter: @unchecked Sendable {
    /// Tensor name as in the checkpoint, e.g. `encoder.layer.0.attention.self.query.weight`.
    public let name: String
    /// Row-major shape (`[out, in]` for a linear weight, as PyTorch).
    public let shape: [Int]
    public let value: FloatBuffer
    /// Gradient accumulated by the backward passes since the last `zeroGradient()`.
    public let gradient: FloatBuffer
    public let group: ParameterGroup
    /// Frozen parameters get no gradient and no update.
    public var frozen = false

    public init(name: String, shape: [Int], values: [Float], group: ParameterGroup) {
        precondition(values.count == shape.reduce(1, *), "values do not match the shape of \(name)")
        self.name = name
        self.shape = shape
        value = FloatBuffer(values)
        gradient = FloatBuffer(count: values.count)
        self.group = group
    }

    /// Element count.
    public var count: Int { value.count }

    public func zeroGradient() { gradient.zero() }
}
