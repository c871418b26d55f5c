import Foundation

/// Per-query latency percentiles (milliseconds).
public struct LatencyStats: Sendable, Equatable {
    public var count: Int
    public var p50: Double
    public var p99: Double
    public var mean: Double

    /// Percentiles of `samples` (seconds) by the nearest-rank method.
    public init(seconds samples: [Double]) {
        let ms = samples.map { $0 * 1000 }.sorted()
        count = ms.count
        func pct(_ p: Double) -> Double {
            guard !ms.isEmpty else { return 0 }
            let rank = Int((p / 100 * Double(ms.count)).rounded(.up))
            return ms[min(max(rank, 1), ms.count) - 1]
        }
        p50 = pct(50)
        p99 = pct(99)
        mean = ms.isEmpty ? 0 : ms.reduce(0, +) / Double(ms.count)
    }

    public var summary: String { String(format: "p50 %.2f ms, p99 %.2f ms, mean %.2f ms (%d queries)", p50, p99, mean, count) }
}
