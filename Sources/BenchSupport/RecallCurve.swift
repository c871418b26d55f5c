import Foundation

/// A recall/QPS curve (one index or library swept over a search parameter) and the QPS it reaches at
/// a given recall, interpolated the way ann-benchmarks reads its plots.
public struct RecallCurve: Sendable, Equatable {
    /// One (recall, QPS) point.
    public struct Point: Sendable, Equatable {
        public var recall: Double
        public var qps: Double
        public init(recall: Double, qps: Double) {
            self.recall = recall
            self.qps = qps
        }
    }

    /// QPS read off a curve at a target recall.
    public enum Reading: Sendable, Equatable {
        /// Interpolated between the two frontier points around the target (log-linear in QPS).
        case interpolated(Double)
        /// The curve's lowest recall is already above the target: the QPS of its fastest point, a lower
        /// bound of the QPS at the target.
        case atLeast(Double)

        /// The number, whichever kind.
        public var qps: Double {
            switch self {
            case let .interpolated(q), let .atLeast(q): return q
            }
        }
    }

    /// The points as given.
    public var points: [Point]

    public init(points: [Point]) { self.points = points }

    /// The Pareto frontier, by recall ascending: the points that no other point beats on both recall and
    /// QPS. Along it recall strictly rises and QPS strictly falls.
    public var frontier: [Point] {
        let valid = points.filter { $0.recall.isFinite && $0.qps.isFinite && $0.qps > 0 }
        let byRecall = valid.sorted { $0.recall > $1.recall || ($0.recall == $1.recall && $0.qps > $1.qps) }
        var out: [Point] = []
        var bestQPS = -Double.infinity
        for p in byRecall where p.qps > bestQPS {
            if let last = out.last, last.recall == p.recall { continue }
            out.append(p)
            bestQPS = p.qps
        }
        return out.reversed()
    }

    /// The highest recall on the curve (0 when empty).
    public var maxRecall: Double { points.map(\.recall).max() ?? 0 }

    /// The QPS at `target` recall, or nil when the curve never reaches it.
    ///
    /// Between two frontier points the QPS is interpolated linearly in log(QPS) (a straight line on
    /// the log-y plot). Below the curve's lowest recall the fastest point gives a lower bound.
    public func qps(atRecall target: Double) -> Reading? {
        let f = frontier
        guard let first = f.first, let last = f.last, target <= last.recall else { return nil }
        if let exact = f.first(where: { $0.recall == target }) { return .interpolated(exact.qps) }
        if target <= first.recall { return target == first.recall ? .interpolated(first.qps) : .atLeast(first.qps) }
        for i in 0 ..< f.count - 1 where f[i].recall <= target && target <= f[i + 1].recall {
            let t = (target - f[i].recall) / (f[i + 1].recall - f[i].recall)
            return .interpolated(exp(log(f[i].qps) + t * (log(f[i + 1].qps) - log(f[i].qps))))
        }
        return .interpolated(last.qps)
    }
}
