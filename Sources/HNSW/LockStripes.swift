import Foundation

/// A fixed array of locks; node `s` is guarded by stripe `s mod count`. A thread holds at most one
/// stripe at a time, so stripes shared by several nodes cannot deadlock.
///
/// The locks are `NSLock` (a pthread mutex) rather than the standard library's `Mutex`: ThreadSanitizer
/// intercepts pthread locks, but on Linux it cannot see `Mutex`'s futex and reports every access it
/// guards as a race (see docs/architecture.md, "Locks").
final class LockStripes: @unchecked Sendable {
    private let locks: [NSLock]
    private let mask: Int

    init(count: Int = 1024) {
        var n = 1
        while n < count { n <<= 1 }
        mask = n - 1
        locks = (0..<n).map { _ in NSLock() }
    }

    @inline(__always)
    func withLock<T>(_ s: UInt32, _ body: () throws -> T) rethrows -> T {
        try locks[Int(s) & mask].withLock { try body() }
    }

    /// Bytes of one stripe, as swift-corelibs-foundation lays an `NSLock` out: the array slot (8), the
    /// object (64 with its header), and the heap-allocated pthread mutex (48) and timeout condition and
    /// mutex (112), each rounded to malloc's size classes. An estimate: the allocator is not asked.
    static let bytesPerStripe = 8 + 64 + 48 + 112

    var memoryBytes: Int { (mask + 1) * Self.bytesPerStripe }
}
