import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT/SIGTERM; `i3 index` polls it between batches and stops cleanly. A second signal exits
/// at once with status 128 + the signal number.
final class CancellationFlag: @unchecked Sendable {
    private let received = Mutex<Int32?>(nil)
    private var sources: [DispatchSourceSignal] = []

    /// Whether a stop was requested.
    var isSet: Bool { signal != nil }

    /// The first signal received, if any.
    var signal: Int32? { received.withLock { $0 } }

    /// Replaces the default handlers of SIGINT and SIGTERM with ones that set the returned flag.
    static func installSignalHandlers() -> CancellationFlag {
        let flag = CancellationFlag()
        for sig in [SIGINT, SIGTERM] {
            Glibc.signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler {
                let again = flag.received.withLock { first in
                    defer { if first == nil { first = sig } }
                    return first != nil
                }
                if again { exit(128 + sig) }
                FileHandle.standardError.write(Data("\ni3 index: stopping after the current batch (completed shards are kept; rerun with --resume)\n".utf8))
            }
            s.resume()
            flag.sources.append(s)
        }
        return flag
    }
}
