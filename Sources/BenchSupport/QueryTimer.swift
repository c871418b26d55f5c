/// Times a one-query-per-call search loop: the figure the ANN comparison is made on.
public enum QueryTimer {
    /// Runs `search` once for every query index in `0..<queryCount`, `passes` times; returns the
    /// fastest pass's seconds and the ids that pass returned. Errors from `search` stop the timing.
    public static func bestOf(passes: Int, queryCount: Int,
                              _ search: (Int) throws -> [UInt64]) rethrows -> (seconds: Double, results: [[UInt64]]) {
        var best = Double.infinity
        var bestResults: [[UInt64]] = []
        for _ in 0 ..< max(1, passes) {
            var results: [[UInt64]] = []
            results.reserveCapacity(queryCount)
            let clock = ContinuousClock()
            let start = clock.now
            for q in 0 ..< queryCount { results.append(try search(q)) }
            let seconds = (clock.now - start).seconds
            if seconds < best {
                best = seconds
                bestResults = results
            }
        }
        return (best, bestResults)
    }

    /// Seconds taken by `body`, and its result.
    public static func measure<T>(_ body: () throws -> T) rethrows -> (seconds: Double, value: T) {
        let clock = ContinuousClock()
        let start = clock.now
        let v = try body()
        return ((clock.now - start).seconds, v)
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    public var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
