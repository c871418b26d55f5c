import Foundation

/// Settings of a `SearchServer`: where it listens and the limits it applies to requests.
public struct ServerConfiguration: Sendable {
    /// Address to bind (loopback by default: put a proxy or load balancer in front for other hosts).
    public var host: String = "127.0.0.1"
    /// TCP port (0: any free port; the bound one is reported by `SearchServer.onListening`).
    public var port: Int = 8080
    /// Searches run at once (each on its own thread); 0: one per core.
    public var searchThreads: Int = 0
    /// Searches allowed to wait for a thread; more are refused with 503 so a burst cannot pile up.
    public var queueLimit: Int = 1024
    /// How long a search may wait for a thread before it is answered 503 (the request timeout).
    public var requestTimeout: Duration = .seconds(10)
    /// Seconds a keep-alive connection may sit idle (or a client take to send a request) before it is closed.
    public var idleTimeout: Duration = .seconds(30)
    /// Largest request body accepted (bytes); larger ones get 413.
    public var maxBodyBytes: Int = 1 << 20
    /// Largest `k`.
    public var maxK: Int = 1000
    /// Most single text queries that waiting requests have encoded together in one forward pass (1: each
    /// alone). Batching never waits: it only joins queries that are already queued.
    public var maxEncodeBatch: Int = 16
    /// Most queries in one batch request.
    public var maxBatch: Int = 256
    /// Longest query text (UTF-8 bytes).
    public var maxQueryBytes: Int = 8192
    /// Most ids in an id filter.
    public var maxFilterIDs: Int = 100_000
    /// How often the index directory is checked for a replacement (nil: never; reload by SIGHUP or the admin route).
    public var watchInterval: Duration? = .seconds(2)
    /// Reload on SIGHUP (off in tests that run several servers in one process).
    public var reloadOnSIGHUP: Bool = true

    public init() {}

    /// `searchThreads`, with 0 resolved to the number of active cores.
    public var resolvedSearchThreads: Int {
        searchThreads > 0 ? searchThreads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}
