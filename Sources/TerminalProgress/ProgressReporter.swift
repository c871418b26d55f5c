import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress for long jobs on standard error: a `\r`-updated bar on a terminal (done/total,
/// items/s, ETA), or a plain line every `interval` seconds when standard error is not a terminal.
public final class ProgressReporter: @unchecked Sendable {
    private let label: String
    private let total: Int
    private let unit: String
    private let isTerminal: Bool
    private let interval: Double
    private let start = Date()
    private var last = Date.distantPast
    private var startDone: Int
    private let lock = NSLock()
    private let write: (String) -> Void

    /// - Parameters:
    ///   - startDone: work already done before this run (a resumed build); the rate counts only new work.
    ///   - output: where text goes (default standard error); tests pass a closure.
    ///   - terminal: override terminal detection (default `isatty(2)`).
    public init(label: String, total: Int, unit: String = "passages", startDone: Int = 0,
                interval: Double = 10, terminal: Bool? = nil, output: ((String) -> Void)? = nil) {
        self.label = label
        self.total = total
        self.unit = unit
        self.startDone = startDone
        self.interval = interval
        self.isTerminal = terminal ?? (isatty(2) == 1)
        self.write = output ?? { FileHandle.standardError.write(Data($0.utf8)) }
    }

    /// Reports `done` items so far; prints when due (always on a terminal at most 10 times a second).
    public func update(done: Int, force: Bool = false) {
        lock.withLock {
            let now = Date()
            let minGap = isTerminal ? 0.1 : interval
            guard force || now.timeIntervalSince(last) >= minGap else { return }
            last = now
            write(line(done: done, now: now))
        }
    }

    /// Prints the final state and a newline.
    public func finish(done: Int) {
        lock.withLock {
            let l = line(done: done, now: Date())
            write(isTerminal ? l + "\n" : l)
        }
    }

    /// The text of one report (a bar on a terminal, a plain line otherwise).
    func line(done: Int, now: Date) -> String {
        let elapsed = max(now.timeIntervalSince(start), 1e-9)
        let rate = Double(max(done - startDone, 0)) / elapsed
        let left = max(total - done, 0)
        let eta = rate > 0 ? Self.duration(Double(left) / rate) : "--:--"
        let pct = total > 0 ? Double(done) / Double(total) : 1
        let stats = "\(done)/\(total) \(unit), \(String(format: "%.1f", rate)) \(unit)/s, ETA \(eta)"
        if isTerminal {
            let width = 30
            let filled = min(width, Int(pct * Double(width)))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            return "\r\(label) [\(bar)] \(String(format: "%3.0f", pct * 100))% \(stats)   "
        }
        return "\(label): \(String(format: "%.1f", pct * 100))% \(stats), elapsed \(Self.duration(elapsed))\n"
    }

    /// `m:ss` or `h:mm:ss`.
    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "--:--" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }
}
