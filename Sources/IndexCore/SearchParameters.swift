/// Restricts a search to some ids. It is applied *during* the search (excluded vectors are still
/// traversed but never returned), so a filtered search still finds `k` results when `k` allowed ids exist.
public struct IDFilter: Sendable {
    @usableFromInline let predicate: @Sendable (UInt64) -> Bool

    /// Allows ids for which `predicate` is true. It is called from search threads, so it must be thread-safe.
    public init(_ predicate: @escaping @Sendable (UInt64) -> Bool) {
        self.predicate = predicate
    }

    /// Allows exactly the ids in `allowed`.
    public init(allowing allowed: Set<UInt64>) {
        self.predicate = { allowed.contains($0) }
    }

    /// True when `id` may be returned.
    @inlinable public func allows(_ id: UInt64) -> Bool { predicate(id) }
}

/// Per-call search settings. Indexes read the fields that apply to them and ignore the rest, so one
/// value can be passed to any index; unset fields take the index's defaults. Kept per call (not in the
/// index) so concurrent searches with different settings do not interfere.
public struct SearchParameters: Sendable {
    /// HNSW: size of the dynamic candidate list (raised to at least `k`).
    public var ef: Int?
    /// IVF: number of inverted lists probed.
    public var nprobe: Int?
    /// IVF-PQ: re-rank the best `k × refineFactor` candidates with exact distances (nil or 1: no re-ranking).
    public var refineFactor: Int?
    /// HNSW, IVF-PQ: the recall@k the search should reach, looked up in the index's `TuningCurve`
    /// (its cheapest setting that reached it on the fit's sample) for every setting not given above.
    /// An index without a curve throws `IndexError.invalidParameter`; exact indexes ignore it.
    public var targetRecall: Double?
    /// Only ids this filter allows are returned.
    public var filter: IDFilter?

    public init(ef: Int? = nil, nprobe: Int? = nil, refineFactor: Int? = nil, targetRecall: Double? = nil,
                filter: IDFilter? = nil) {
        self.ef = ef
        self.nprobe = nprobe
        self.refineFactor = refineFactor
        self.targetRecall = targetRecall
        self.filter = filter
    }

    /// The point of `curve` this search uses for the settings it leaves nil: the one for
    /// `targetRecall`, or the curve's default; nil without a curve.
    /// - Throws: `IndexError.invalidParameter` for a target outside (0, 1], or a target asked of an
    ///   index that has no curve.
    public func tunedPoint(of curve: TuningCurve?) throws -> TuningCurve.Point? {
        guard let target = targetRecall else { return curve?.defaultPoint }
        try TuningCurve.validate(target: target)
        guard let curve else {
            throw IndexError.invalidParameter(name: "targetRecall", reason: "the index has no recall curve: build it with a recall target or run `i3 tune`")
        }
        return curve.point(for: target)
    }

    /// All defaults.
    public static let `default` = SearchParameters()
}
