/// Memory that worker threads share, where the callers make the access safe themselves.
///
/// These are the package's only two thread-sharing wrappers: every parallel loop that hands raw memory
/// to `DispatchQueue.concurrentPerform` workers uses one of them.

/// A pointer (or any value holding one) handed to worker threads that touch disjoint parts of it, or
/// synchronise on it themselves (atomics).
public struct UnsafeSendablePointer<P>: @unchecked Sendable {
    /// The wrapped pointer.
    public let pointer: P
    /// Wraps `pointer`.
    @inlinable public init(_ pointer: P) { self.pointer = pointer }
}

/// A fixed-size owned buffer that worker threads write at disjoint indices (the caller guarantees it),
/// read after the workers are done.
public final class SharedBuffer<Element>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Element>
    /// Number of elements.
    public let count: Int

    /// `count` copies of `initial`.
    public init(count: Int, initial: Element) {
        self.count = count
        base = .allocate(capacity: max(1, count))
        base.initialize(repeating: initial, count: max(1, count))
    }

    deinit {
        base.deinitialize(count: max(1, count))
        base.deallocate()
    }

    /// Element `i` (`0 ..< count`).
    public subscript(i: Int) -> Element {
        get { base[i] }
        set { base[i] = newValue }
    }

    /// Copies `n` elements from `src` to `offset ..< offset + n`.
    public func copy(from src: UnsafePointer<Element>, count n: Int, to offset: Int) {
        (base + offset).update(from: src, count: n)
    }

    /// Elements `offset ..< offset + n` as an array.
    public func array(from offset: Int, count n: Int) -> [Element] {
        Array(UnsafeBufferPointer(start: base + offset, count: n))
    }
}
