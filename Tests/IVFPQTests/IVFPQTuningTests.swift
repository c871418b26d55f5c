import Foundation
import IndexCore
import Testing
import TestSupport
@testable import IVFPQ

@Suite struct IVFPQTuningTests {
    /// Tuning fits a curve of the cheapest settings per recall; plain searches use the point of the
    /// fit's target, `targetRecall` searches the point of theirs; the curve is saved with the index, and
    /// explicit settings still win.
    @Test func tunedCurveReachesTheTargetAndPersists() throws {
        let index = try IVFPQFixture.build(.l2, nlist: 32)
        #expect(index.tuningCurve == nil)
        let low = try index.tune(targetRecall: 0.5, k: 10, sampleSize: 64).defaultPoint
        let curve = try index.tune(targetRecall: 0.97, k: 10, sampleSize: 64)
        let high = curve.defaultPoint
        #expect(low.recall >= 0.5 && high.recall >= 0.97)
        #expect(curve.sampleSize == 64 && curve.k == 10 && curve.targetRecall == 0.97)
        #expect(index.tuningCurve == curve)
        // The curve's recall rises point by point, every point is a full IVF-PQ setting, and it reaches
        // the fit's ceiling or ends at the most expensive setting tried.
        #expect(zip(curve.points, curve.points.dropFirst()).allSatisfy { $0.recall < $1.recall })
        #expect(curve.points.allSatisfy { $0.nprobe != nil && $0.refineFactor != nil && $0.ef == nil })
        #expect(curve.points.last!.recall >= IVFPQIndex.tuningCeiling || curve.points.last!.nprobe == 32)
        // Both fits measured the same settings on the same sample (up to the same ceiling), so the low
        // target's point is on the new curve, and a search asking for it uses it.
        #expect(curve.point(for: 0.5) == low)
        let query = TestData.row(IVFPQFixture.queries, 0, dimension: IVFPQFixture.d)
        let p5 = curve.point(for: 0.5)
        #expect(try index.search(query, k: 10, parameters: SearchParameters(targetRecall: 0.5))
                == index.search(query, k: 10, parameters: SearchParameters(nprobe: p5.nprobe, refineFactor: p5.refineFactor)))
        // Real (held-out) queries: recall of a plain search with the tuned defaults against exact search.
        let tuned = try IVFPQFixture.recall(index, metric: .l2, k: 10, parameters: .default)
        let explicit = try IVFPQFixture.recall(index, metric: .l2, k: 10,
                                               parameters: SearchParameters(nprobe: high.nprobe, refineFactor: high.refineFactor))
        #expect(tuned == explicit)
        #expect(tuned >= 0.9)
        let overridden = try index.search(query, k: 10, parameters: SearchParameters(nprobe: 1, refineFactor: 1, targetRecall: 0.99))
        let byHand = try IVFPQFixture.build(.l2, nlist: 32).search(query, k: 10, parameters: SearchParameters(nprobe: 1))
        #expect(overridden == byHand)

        let dir = try TemporaryDirectory()
        try index.save(to: dir.path("tuned"))
        let opened = try IVFPQIndex.open(directory: dir.path("tuned"))
        #expect(opened.tuningCurve == curve)
        #expect(try IVFPQFixture.recall(opened, metric: .l2, k: 10, parameters: .default) == tuned)
        // An untuned index refuses a recall target by name.
        let untuned = try IVFPQFixture.build(.l2, nlist: 32)
        #expect(throws: IndexError.self) { try untuned.search(query, k: 10, parameters: SearchParameters(targetRecall: 0.9)) }
        for bad in [0.0, 1.01, -1] {
            #expect(throws: IndexError.self) { try index.search(query, k: 10, parameters: SearchParameters(targetRecall: bad)) }
        }
    }

    /// A fit on held-out queries measures recall on exactly those queries: the recall it stores for a
    /// point is what a search with that point's settings reaches on them, so its default meets the
    /// target on queries of that kind. Bad held-out queries are named errors.
    @Test func heldOutQueriesFitTheirOwnRecall() throws {
        let index = try IVFPQFixture.build(.l2, nlist: 32)
        let d = IVFPQFixture.d
        let queries = (0..<50).map { TestData.row(IVFPQFixture.queries, $0, dimension: d) }
        let curve = try index.tune(targetRecall: 0.9, k: 10, queries: queries)
        #expect(curve.sampleSize == 50 && curve.k == 10)
        let p = curve.defaultPoint
        let measured = try IVFPQFixture.recall(index, metric: .l2, k: 10,
                                               parameters: SearchParameters(nprobe: p.nprobe, refineFactor: p.refineFactor))
        #expect(abs(measured - p.recall) < 0.01, "stored \(p.recall), measured \(measured)")
        #expect(p.recall >= 0.9)
        #expect(try IVFPQFixture.recall(index, metric: .l2, k: 10, parameters: .default) == measured)
        #expect(throws: IndexError.self) { try index.tune(targetRecall: 0.9, queries: []) }
        #expect(throws: IndexError.self) { try index.tune(targetRecall: 0.9, queries: [Array(repeating: 0, count: d + 1)]) }
        var nan = queries[0]
        nan[1] = .nan
        #expect(throws: IndexError.self) { try index.tune(targetRecall: 0.9, queries: [queries[1], nan]) }
        #expect(index.tuningCurve == curve)
    }

    @Test func unusableTuningRequestsAreNamedErrors() throws {
        let index = try IVFPQFixture.build(.cosine, keepFull: false)
        #expect(throws: IndexError.self) { try index.tune(targetRecall: 0.9) }
        let full = try IVFPQFixture.build(.cosine)
        for bad in [0.0, 1.5, Double.nan] {
            #expect(throws: IndexError.self) { try full.tune(targetRecall: bad) }
        }
        #expect(throws: IndexError.invalidK(0)) { try full.tune(targetRecall: 0.9, k: 0) }
        #expect(throws: IndexError.self) { try full.tune(targetRecall: 0.9, k: 5000) }
        let untrained = try IVFPQIndex(dimension: 8, metric: .l2, configuration: IVFPQConfiguration(nlist: 2, subquantizers: 2))
        #expect(throws: IndexError.notTrained) { try untrained.tune(targetRecall: 0.9) }
    }
}
