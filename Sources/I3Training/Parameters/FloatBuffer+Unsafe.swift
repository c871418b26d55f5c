/// Owned, contiguous, zero-initialised `Float` storage: the backing of parameters, gradients,
/// optimizer moments and cached activations. Pointer access is for the kernels in `Ops/`.
public final class FloatBuffer: @unchecked Sendable {
    /// Number of floats.
    public let count: Int
    /// Start of the storage (at least one float is allocated, so it is never dangling).
    let base: UnsafeMutablePointer<Float>

    /// `count` zeros.
    public init(count: Int) {
        precondition(count >= 0, "negative buffer size")
        self.count = count
        base = .allocate(capacity: max(1, count))
        base.initialize(repeating: 0, count: max(1, count))
    }

    /// A copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { b in
            if let a = b.baseAddress { base.update(from: a, count: values.count) }
        }
    }

    deinit { base.deallocate() }

    /// The values as an array (a copy).
    public var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Element access (tests, finite differences).
    public subscript(i: Int) -> Float {
        get { base[i] }
        set { base[i] = newValue }
    }

    /// Sets every element to zero.
    public func zero() { base.update(repeating: 0, count: count) }

    /// Copies all of `other` (same count) into this buffer.
    func copy(from other: FloatBuffer) {
        precondition(other.count == count, "buffer sizes differ")
        base.update(from: other.base, count: count)
    }

    /// `self += other` elementwise.
    func add(_ other: FloatBuffer) {
        precondition(other.count == count, "buffer sizes differ")
        let a = base, b = other.base
        for i in 0..<count { a[i] += b[i] }
    }

    /// Σ x² in double precision.
    func sumOfSquares() -> Double {
        var s = 0.0
        for i in 0..<count { let v = Double(base[i]); s += v * v }
        return s
    }

    /// Multiplies every element by `s`.
    func scale(by s: Float) {
        for i in 0..<count { base[i] *= s }
    }

    /// True when every element is finite.
    var allFinite: Bool {
        for i in 0..<count where !base[i].isFinite { return false }
        return true
    }
}
