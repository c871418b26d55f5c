import VectorKernels

/// Search settings fitted to recall targets, stored with an approximate index (HNSW, IVF-PQ).
///
/// A fit (`HNSWIndex.tune`, `IVFPQIndex.tune`) measures recall@`k` against exact search on
/// `sampleSize` pseudo-queries drawn from the indexed vectors, for settings from cheap to expensive,
/// and keeps the ones on the cost/recall frontier: `points` are ordered by cost and their recall rises
/// strictly. A search then asks for a recall (`SearchParameters.targetRecall`, or the curve's own
/// `targetRecall` when it asks for nothing) and gets the cheapest point that reached it on the sample.
///
/// The recall is that of the pseudo-queries, which lie on the data; real queries usually lie farther
/// from their neighbours and reach a little less (README, "Compressed indexes by default").
public struct TuningCurve: Sendable, Equatable {
    /// Settings and the recall they reached on the sample. Fields that do not apply to an index are nil.
    public struct Point: Sendable, Equatable {
        /// HNSW candidate-list size.
        public var ef: Int?
        /// IVF lists probed.
        public var nprobe: Int?
        /// IVF-PQ re-ranking factor (1: none).
        public var refineFactor: Int?
        /// Mean recall@`k` on the pseudo-queries.
        public var recall: Double

        public init(ef: Int? = nil, nprobe: Int? = nil, refineFactor: Int? = nil, recall: Double) {
            self.ef = ef
            self.nprobe = nprobe
            self.refineFactor = refineFactor
            self.recall = recall
        }
    }

    /// The recall searches get when they do not ask for one (the fit's target).
    public var targetRecall: Double
    /// The `k` recall was measured at.
    public var k: Int
    /// Number of pseudo-queries.
    public var sampleSize: Int
    /// Frontier points, cheapest first, recall strictly rising. Never empty.
    public private(set) var points: [Point]

    /// A curve from measured points (any order, any number of dominated ones): keeps the frontier of
    /// `points` given in order of increasing cost.
    /// - Throws: `IndexError.invalidParameter` for no points, a target or recall outside [0, 1], or `k`
    ///   or `sampleSize` below 1.
    public init(targetRecall: Double, k: Int, sampleSize: Int, pointsByCost: [Point]) throws {
        guard (0...1).contains(targetRecall) else {
            throw IndexError.invalidParameter(name: "targetRecall", reason: "must be in [0, 1], got \(targetRecall)")
        }
        guard k >= 1, sampleSize >= 1 else {
            throw IndexError.invalidParameter(name: "tuningCurve", reason: "k and sampleSize must be at least 1, got \(k), \(sampleSize)")
        }
        var frontier: [Point] = []
        for p in pointsByCost {
            guard (0...1).contains(p.recall) else {
                throw IndexError.invalidParameter(name: "tuningCurve", reason: "recall \(p.recall) is outside [0, 1]")
            }
            if let last = frontier.last, p.recall <= last.recall { continue }
            frontier.append(p)
        }
        guard !frontier.isEmpty else { throw IndexError.invalidParameter(name: "tuningCurve", reason: "no points") }
        self.targetRecall = targetRecall
        self.k = k
        self.sampleSize = sampleSize
        self.points = frontier
    }

    /// The cheapest point whose sample recall reached `target`; the highest-recall point when none did.
    public func point(for target: Double) -> Point {
        points.first { $0.recall >= target } ?? points[points.count - 1]
    }

    /// The point of searches that ask for no recall.
    public var defaultPoint: Point { point(for: targetRecall) }

    /// Checks a recall a caller asks for.
    /// - Throws: `IndexError.invalidParameter` unless `target` is in (0, 1].
    public static func validate(target: Double) throws {
        guard target > 0, target <= 1 else {
            throw IndexError.invalidParameter(name: "targetRecall", reason: "must be in (0, 1], got \(target)")
        }
    }

    // MARK: - Storage

    static let pointsKey = "tunedCurve", targetKey = "tunedTargetRecall", kKey = "tunedK", sampleKey = "tunedSampleSize"

    /// The index parameters (`param.<name>`) that store the curve. Points are written as
    /// `ef=64,recall=0.9512;ef=128,recall=0.9871` (fields in the order ef, nprobe, refineFactor, recall).
    public var storedParameters: [String: String] {
        let text = points.map { p in
            var fields: [String] = []
            if let v = p.ef { fields.append("ef=\(v)") }
            if let v = p.nprobe { fields.append("nprobe=\(v)") }
            if let v = p.refineFactor { fields.append("refineFactor=\(v)") }
            fields.append("recall=\(p.recall)")
            return fields.joined(separator: ",")
        }.joined(separator: ";")
        return [Self.pointsKey: text, Self.targetKey: String(targetRecall), Self.kKey: String(k),
                Self.sampleKey: String(sampleSize)]
    }

    /// Reads a stored curve; nil when the index was saved without one.
    /// - Throws: `IndexError.corrupt` naming the setting when one is missing, malformed, out of range,
    ///   or when the points are not a cost/recall frontier.
    public init?(stored header: StoredIndexHeader, path: String) throws {
        guard let text = header.parameters[Self.pointsKey] else { return nil }
        func corrupt(_ reason: String) -> IndexError { .corrupt(path: path, reason: "recall curve: \(reason)") }
        guard let target = header.parameters[Self.targetKey].flatMap(Double.init), (0...1).contains(target) else {
            throw corrupt("setting \"\(Self.targetKey)\" is missing or not a recall in [0, 1]")
        }
        let k = try header.intParameter(Self.kKey, path: path)
        let sampleSize = try header.intParameter(Self.sampleKey, path: path)
        var points: [Point] = []
        for entry in text.split(separator: ";", omittingEmptySubsequences: false) {
            var p = Point(recall: .nan)
            for field in entry.split(separator: ",", omittingEmptySubsequences: false) {
                let kv = field.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { throw corrupt("point field \"\(field)\" is not name=value") }
                let name = String(kv[0]), value = String(kv[1])
                if name == "recall" {
                    guard let r = Double(value), (0...1).contains(r) else { throw corrupt("recall \"\(value)\" is not in [0, 1]") }
                    p.recall = r
                    continue
                }
                guard let n = Int(value), n >= 1 else { throw corrupt("\(name) \"\(value)\" is not a positive integer") }
                switch name {
                case "ef": p.ef = n
                case "nprobe": p.nprobe = n
                case "refineFactor": p.refineFactor = n
                default: throw corrupt("unknown point field \"\(name)\"")
                }
            }
            guard !p.recall.isNaN else { throw corrupt("point \"\(entry)\" has no recall") }
            if let last = points.last, p.recall <= last.recall {
                throw corrupt("recall does not rise along the curve (\(last.recall), then \(p.recall))")
            }
            points.append(p)
        }
        do {
            try self.init(targetRecall: target, k: k, sampleSize: sampleSize, pointsByCost: points)
        } catch {
            throw corrupt("\(error)")
        }
    }
}

/// The queries of a recall fit with their exact top-`k` neighbours: either pseudo-queries (indexed
/// vectors, each with its own id, left out of its neighbours since it is its own nearest one) or
/// held-out queries the caller supplies (real queries of the kind the index will serve; no own id).
public struct PseudoQueries: Sendable {
    /// The query vectors (normalised for cosine).
    public let vectors: [[Float]]
    /// Each pseudo-query's id in the index, never counted as a hit; nil for a held-out query.
    public let selfIDs: [UInt64?]
    /// Each query's exact top `k` ids.
    public let truth: [Set<UInt64>]
    /// The `k` of `truth`.
    public let k: Int

    public init(vectors: [[Float]], selfIDs: [UInt64?], truth: [Set<UInt64>], k: Int) {
        self.vectors = vectors
        self.selfIDs = selfIDs
        self.truth = truth
        self.k = k
    }

    /// Mean recall@`k` of `search` (called with a query and how many results to return): a pseudo-query
    /// asks for `k + 1`, so that dropping its own id leaves `k`; a held-out query asks for `k`, as a
    /// search would (with re-ranking, the depth changes what is found).
    public func recall(_ search: ([Float], Int) throws -> [Neighbor]) rethrows -> Double {
        var hits = 0
        for (i, q) in vectors.enumerated() {
            let own = selfIDs[i]
            let found = try search(q, own == nil ? k : k + 1).lazy.map(\.id).filter { $0 != own }.prefix(k)
            hits += found.reduce(0) { $0 + (truth[i].contains($1) ? 1 : 0) }
        }
        return Double(hits) / Double(max(1, vectors.count * k))
    }

    /// Checks held-out query vectors for a fit: at least one, each of `dimension` finite floats, and
    /// returns them L2-normalised for cosine (as searches normalise them).
    /// - Throws: `IndexError.invalidParameter` naming the first bad query.
    public static func validateHeldOut(_ queries: [[Float]], dimension: Int, metric: Metric) throws -> [[Float]] {
        guard !queries.isEmpty else {
            throw IndexError.invalidParameter(name: "queries", reason: "a fit on held-out queries needs at least one")
        }
        return try queries.enumerated().map { i, q in
            guard q.count == dimension else {
                throw IndexError.invalidParameter(name: "queries", reason: "query \(i) has \(q.count) dimensions, the index \(dimension)")
            }
            guard q.allSatisfy(\.isFinite) else {
                throw IndexError.invalidParameter(name: "queries", reason: "query \(i) holds a NaN or infinite value")
            }
            guard metric == .cosine else { return q }
            let norm = q.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { throw IndexError.invalidParameter(name: "queries", reason: "query \(i) is the zero vector") }
            return q.map { $0 / norm }
        }
    }
}
