import Foundation
import ServiceLifecycle

/// A service that checks the index directory every `interval` and reloads when it was replaced
/// (`DirectoryIdentity` changed, as after `i3 index --overwrite`). On graceful shutdown it marks the
/// server not ready (so `/readyz` answers 503) and stops.
struct IndexWatcher: Service {
    let interval: Duration?
    let readiness: Readiness
    let reload: @Sendable (_ onlyIfChanged: Bool) async -> Void

    func run() async throws {
        await withGracefulShutdownHandler {
            do {
                try await cancelWhenGracefulShutdown {
                    guard let interval else {
                        try await Task.sleep(for: .seconds(365 * 86_400))
                        return
                    }
                    while !Task.isCancelled {
                        try await Task.sleep(for: interval)
                        await reload(true)
                    }
                }
            } catch {}
        } onGracefulShutdown: {
            readiness.stop()
        }
    }
}
