#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A readers–writer lock (pthread_rwlock): many concurrent readers or one writer.
/// Indexes use it so that any number of searches run together while inserts take turns.
public final class ReadWriteLock: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    public init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Runs `body` holding the lock shared.
    @inlinable
    public func withReadLock<T>(_ body: () throws -> T) rethrows -> T {
        readLock()
        defer { unlock() }
        return try body()
    }

    /// Runs `body` holding the lock exclusively.
    @inlinable
    public func withWriteLock<T>(_ body: () throws -> T) rethrows -> T {
        writeLock()
        defer { unlock() }
        return try body()
    }

    @usableFromInline func readLock() { pthread_rwlock_rdlock(lock) }
    @usableFromInline func writeLock() { pthread_rwlock_wrlock(lock) }
    @usableFromInline func unlock() { pthread_rwlock_unlock(lock) }
}
