import Foundation
import I3Retriever
import IndexCore
import Synchronization

/// What a reload did.
public struct ReloadOutcome: Sendable, Equatable {
    /// The generation serving before.
    public var previous: Int
    /// The generation serving now (equal to `previous` when nothing was swapped).
    public var current: Int
    /// Whether a new generation was swapped in.
    public var swapped: Bool { current != previous }
}

/// Holds the generation that serves new requests, and swaps in a new one on reload.
///
/// Readers take `current` under a read lock (a pointer copy); a reload opens the new directory
/// without holding the lock (requests keep being answered by the old generation), then swaps the
/// reference under the write lock. The old generation lives on until its last request finishes:
/// its shard files stay open, so the directory `i3 index --overwrite` removed can still be read.
public final class GenerationStore: Sendable {
    /// The served directory.
    public let directory: URL
    private let loader: RetrieverLoader
    private let lock = ReadWriteLock()
    private nonisolated(unsafe) var _current: IndexGeneration
    private let reloading = Mutex(())

    /// Opens `directory` as generation 1.
    public init(directory: URL, loader: RetrieverLoader) throws {
        self.directory = directory
        self.loader = loader
        let identity = DirectoryIdentity.of(directory)
        _current = try IndexGeneration(number: 1, retriever: try loader.open(directory, previous: nil), identity: identity)
    }

    /// The generation new requests use.
    public var current: IndexGeneration { lock.withReadLock { _current } }

    /// Opens the directory again and swaps it in. With `onlyIfChanged`, does nothing while the directory
    /// has the identity the current generation was opened with. Reloads run one at a time; a failed one
    /// (for example a half-copied directory) leaves the current generation serving and throws.
    @discardableResult
    public func reload(onlyIfChanged: Bool = false) throws -> ReloadOutcome {
        try reloading.withLock { _ in try reloadLocked(onlyIfChanged: onlyIfChanged) }
    }

    /// The body of `reload`, with the reload lock held.
    private func reloadLocked(onlyIfChanged: Bool) throws -> ReloadOutcome {
        let old = current
        let identity = DirectoryIdentity.of(directory)
        if onlyIfChanged, identity == nil || identity == old.identity {
            return ReloadOutcome(previous: old.number, current: old.number)
        }
        let retriever = try loader.open(directory, previous: old.retriever)
        let next = try IndexGeneration(number: old.number + 1, retriever: retriever, identity: identity)
        lock.withWriteLock { _current = next }
        return ReloadOutcome(previous: old.number, current: next.number)
    }
}
