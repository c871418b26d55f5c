import Synchronization

/// A fixed array of mutexes (the standard library's `Mutex`); node `s` is guarded by stripe
/// `s mod count`. A thread holds at most one stripe at a time, so stripes shared by several nodes cannot
/// deadlock. The stripes live in one allocation because `Mutex` cannot be copied into an `Array`.
final class LockStripes: @unchecked Sendable {
    private let locks: UnsafeMutablePointer<Mutex<Void>>
    private let mask: Int

    init(count: Int = 1024) {
        var n = 1
        while n < count { n <<= 1 }
        mask = n - 1
        locks = .allocate(capacity: n)
        for i in 0..<n { (locks + i).initialize(to: Mutex(())) }
    }

    deinit {
        locks.deinitialize(count: mask + 1)
        locks.deallocate()
    }

    @inline(__always)
    func withLock<T>(_ s: UInt32, _ body: () throws -> T) rethrows -> T {
        try locks[Int(s) & mask].withLock { _ in try body() }
    }

    var memoryBytes: Int { (mask + 1) * MemoryLayout<Mutex<Void>>.stride }
}
