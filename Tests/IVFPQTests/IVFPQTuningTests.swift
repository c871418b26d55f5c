import Foundation
import IndexCore
import Testing
import TestSupport
@testable import IVFPQ

@Suite struct IVFPQTuningTests {
    /// Tuning fits the cheapest settings for a target; plain searches then use them, the fit is saved with
    /// the index, and explicit settings still win.
    @Test func tunedDefaultsReachTheTargetAndPersist() throws {
        let index = try IVFPQFixture.build(.l2, nlist: 32)
        #expect(index.searchDefaults == nil)
        let low = try index.tune(targetRecall: 0.5, k: 10, sampleSize: 64)
        let high = try index.tune(targetRecall: 0.97, k: 10, sampleSize: 64)
        #expect(low.sampleRecall >= 0.5 && high.sampleRecall >= 0.97)
        // A higher target never buys less work.
        #expect(high.nprobe * 10 + high.refineFactor >= low.nprobe * 10 + low.refineFactor || high.refineFactor > low.refineFactor)
        #expect(high.sampleSize == 64 && high.k == 10)
        #expect(index.searchDefaults == high)
        // Real (held-out) queries: recall of a plain search with the tuned defaults against exact search,
        // compared with the untuned library default (8 lists, no re-ranking).
        let tuned = try IVFPQFixture.recall(index, metric: .l2, k: 10, parameters: .default)
        let explicit = try IVFPQFixture.recall(index, metric: .l2, k: 10,
                                               parameters: SearchParameters(nprobe: high.nprobe, refineFactor: high.refineFactor))
        #expect(tuned == explicit)
        #expect(tuned >= 0.9)
        let overridden = try index.search(TestData.row(IVFPQFixture.queries, 0, dimension: IVFPQFixture.d), k: 10,
                                          parameters: SearchParameters(nprobe: 1, refineFactor: 1))
        let byHand = try IVFPQFixture.build(.l2, nlist: 32)
            .search(TestData.row(IVFPQFixture.queries, 0, dimension: IVFPQFixture.d), k: 10, parameters: SearchParameters(nprobe: 1))
        #expect(overridden == byHand)

        let dir = try TemporaryDirectory()
        try index.save(to: dir.path("tuned"))
        let opened = try IVFPQIndex.open(directory: dir.path("tuned"))
        #expect(opened.searchDefaults == high)
        #expect(try IVFPQFixture.recall(opened, metric: .l2, k: 10, parameters: .default) == tuned)
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
