import IndexCore

/// The search settings an IVF-PQ index uses when `SearchParameters` leaves them nil, fitted by
/// `IVFPQIndex.tune(targetRecall:k:sampleSize:seed:)` and stored with the index.
///
/// They are the cheapest (`nprobe`, `refineFactor`) pair whose recall@`k` against exact search, on
/// pseudo-queries drawn from the indexed vectors themselves, reached `targetRecall`. Settings given
/// explicitly in `SearchParameters` win.
public struct IVFPQSearchDefaults: Sendable, Equatable {
    /// Lists probed.
    public var nprobe: Int
    /// Candidates re-ranked exactly: `k × refineFactor` (1: no re-ranking).
    public var refineFactor: Int
    /// The recall the fit aimed at.
    public var targetRecall: Double
    /// Recall@`k` the chosen pair reached on the pseudo-queries.
    public var sampleRecall: Double
    /// The `k` recall was measured at.
    public var k: Int
    /// Number of pseudo-queries.
    public var sampleSize: Int

    public init(nprobe: Int, refineFactor: Int, targetRecall: Double, sampleRecall: Double, k: Int, sampleSize: Int) {
        self.nprobe = nprobe
        self.refineFactor = refineFactor
        self.targetRecall = targetRecall
        self.sampleRecall = sampleRecall
        self.k = k
        self.sampleSize = sampleSize
    }

    /// Stored as index parameters (`param.tuned*`).
    var storedSettings: [String: String] {
        ["tunedNprobe": String(nprobe), "tunedRefineFactor": String(refineFactor),
         "tunedTargetRecall": String(targetRecall), "tunedSampleRecall": String(sampleRecall),
         "tunedK": String(k), "tunedSampleSize": String(sampleSize)]
    }

    /// Reads the stored settings; nil for an index saved without tuning.
    /// - Throws: `IndexError.corrupt` when some but not all are present, or one is unusable.
    init?(stored header: StoredIndexHeader, path: String) throws {
        guard header.parameters["tunedNprobe"] != nil else { return nil }
        nprobe = try header.intParameter("tunedNprobe", path: path)
        refineFactor = try header.intParameter("tunedRefineFactor", path: path)
        k = try header.intParameter("tunedK", path: path)
        sampleSize = try header.intParameter("tunedSampleSize", path: path)
        guard let t = header.parameters["tunedTargetRecall"].flatMap(Double.init),
              let r = header.parameters["tunedSampleRecall"].flatMap(Double.init) else {
            throw IndexError.corrupt(path: path, reason: "setting \"tunedTargetRecall\" or \"tunedSampleRecall\" is missing or not a number")
        }
        targetRecall = t
        sampleRecall = r
        guard nprobe >= 1, refineFactor >= 1, k >= 1, (0...1).contains(t), (0...1).contains(r) else {
            throw IndexError.corrupt(path: path, reason: "tuned search settings are out of range (nprobe \(nprobe), refineFactor \(refineFactor), k \(k))")
        }
    }
}
