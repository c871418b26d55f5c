#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain pthread mutex (the module's short critical sections: id map, pools, entry point).
final class Mutex: @unchecked Sendable {
    private let m: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        m = .allocate(capacity: 1)
        m.initialize(to: pthread_mutex_t())
        pthread_mutex_init(m, nil)
    }

    deinit {
        pthread_mutex_destroy(m)
        m.deallocate()
    }

    @inline(__always) func lock() { pthread_mutex_lock(m) }
    @inline(__always) func unlock() { pthread_mutex_unlock(m) }

    @inline(__always)
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(m)
        defer { pthread_mutex_unlock(m) }
        return try body()
    }
}

/// A fixed array of mutexes; node `s` is guarded by stripe `s mod count`. A thread holds at most one
/// stripe at a time, so stripes shared by several nodes cannot deadlock.
final class LockStripes: @unchecked Sendable {
    private let locks: UnsafeMutablePointer<pthread_mutex_t>
    private let mask: Int

    init(count: Int = 1024) {
        var n = 1
        while n < count { n <<= 1 }
        mask = n - 1
        locks = .allocate(capacity: n)
        for i in 0..<n {
            (locks + i).initialize(to: pthread_mutex_t())
            pthread_mutex_init(locks + i, nil)
        }
    }

    deinit {
        for i in 0...mask { pthread_mutex_destroy(locks + i) }
        locks.deallocate()
    }

    @inline(__always)
    func withLock<T>(_ s: UInt32, _ body: () throws -> T) rethrows -> T {
        let l = locks + (Int(s) & mask)
        pthread_mutex_lock(l)
        defer { pthread_mutex_unlock(l) }
        return try body()
    }

    var memoryBytes: Int { (mask + 1) * MemoryLayout<pthread_mutex_t>.stride }
}
