import Dispatch
import Foundation
import Hummingbird
import I3Retriever
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import UnixSignals
#if canImport(Glibc)
import Glibc
#endif

/// An index directory served over HTTP (see docs/server.md for the routes).
///
/// ```swift
/// let server = try SearchServer(directory: indexURL, configuration: ServerConfiguration(),
///                               loader: .fromManifest())
/// try await server.run()   // until SIGTERM/SIGINT: finishes requests in flight, then returns
/// ```
public final class SearchServer: Sendable {
    /// The generation holder (reload swaps in a new one).
    public let store: GenerationStore
    /// Request and reload metrics.
    public let metrics = ServerMetrics()
    /// The settings.
    public let configuration: ServerConfiguration
    private let logger: Logger
    private let group = LockedGroup()

    /// Opens `directory` (generation 1). Throws the retriever's error when it cannot be opened.
    public init(directory: URL, configuration: ServerConfiguration = ServerConfiguration(), loader: RetrieverLoader,
                logger: Logger = Logger(label: "i3.serve")) throws {
        self.configuration = configuration
        self.logger = logger
        store = try GenerationStore(directory: directory, loader: loader)
        metrics.setGeneration(store.current.number)
    }

    /// Reloads the directory on a background thread; logs and counts the outcome.
    @discardableResult
    public func reload(onlyIfChanged: Bool = false) async throws -> ReloadOutcome {
        let store = self.store
        do {
            let o = try await withCheckedThrowingContinuation { (c: CheckedContinuation<ReloadOutcome, any Error>) in
                DispatchQueue.global().async { c.resume(with: Result { try store.reload(onlyIfChanged: onlyIfChanged) }) }
            }
            metrics.recordReload(result: o.swapped ? "swapped" : "unchanged", generation: o.current)
            if o.swapped { logger.info("index reloaded: generation \(o.previous) -> \(o.current)") }
            return o
        } catch {
            metrics.recordReload(result: "failed", generation: store.current.number)
            logger.error("index reload failed (generation \(store.current.number) keeps serving): \(error)")
            throw APIError(.conflict, code: "reload_failed", message: "the index directory could not be opened; generation \(store.current.number) keeps serving: \(error)")
        }
    }

    /// Serves until a graceful shutdown (one of `gracefulShutdownSignals`, or `shutdown()`): then stops
    /// accepting connections, finishes the requests in flight and returns. `onListening` gets the bound port.
    public func run(gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
                    onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let c = configuration
        let executor = SearchExecutor(threads: c.resolvedSearchThreads, queueLimit: c.queueLimit, timeout: c.requestTimeout,
                                      maxEncodeBatch: c.maxEncodeBatch, onEncodeBatch: { [metrics] in metrics.recordEncodeBatch(size: $0) })
        defer { executor.shutdown() }
        let readiness = Readiness()
        let api = SearchAPI(store: store, executor: executor, metrics: metrics, configuration: c, readiness: readiness,
                            reload: { [self] in try await self.reload() })
        let idle = TimeAmount.nanoseconds(Int64(c.idleTimeout.components.seconds) * 1_000_000_000 + c.idleTimeout.components.attoseconds / 1_000_000_000)
        let app = Application(router: api.router(),
                              server: .http1(configuration: .init(idleTimeout: idle)),
                              configuration: .init(address: .hostname(c.host, port: c.port), serverName: "i3"),
                              onServerRunning: { channel in await onListening(channel.localAddress?.port ?? c.port) },
                              logger: logger)
        let watcher = IndexWatcher(interval: c.watchInterval, readiness: readiness) { [self] onlyIfChanged in
            _ = try? await self.reload(onlyIfChanged: onlyIfChanged)
        }
        let hangup = c.reloadOnSIGHUP ? installSIGHUP() : nil
        defer { hangup?.cancel() }
        let serviceGroup = ServiceGroup(configuration: .init(services: [app, watcher], gracefulShutdownSignals: gracefulShutdownSignals,
                                                             logger: logger))
        group.set(serviceGroup)
        defer { group.set(nil) }
        try await serviceGroup.run()
    }

    /// Starts a graceful shutdown of a running server (as SIGTERM does).
    public func shutdown() async {
        await group.get()?.triggerGracefulShutdown()
    }

    private func installSIGHUP() -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        s.setEventHandler { [self] in
            Task { _ = try? await self.reload() }
        }
        s.resume()
        return s
    }
}

/// The running service group, for `shutdown()`.
private final class LockedGroup: Sendable {
    private let group = Mutex<ServiceGroup?>(nil)
    func set(_ g: ServiceGroup?) { group.withLock { $0 = g } }
    func get() -> ServiceGroup? { group.withLock { $0 } }
}
