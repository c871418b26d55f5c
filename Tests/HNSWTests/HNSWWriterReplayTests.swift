import HNSW
import IndexCore
import Testing
import TestSupport

/// 8 searching threads and 1 writer (adds and deletes) on one HNSW index: every search that no write
/// overlapped equals a serial replay at the same point (ConcurrentReplay). Run under ThreadSanitizer by
/// `swift test --sanitize=thread --filter WriterReplay` (see the README's reliability section).
@Suite struct HNSWWriterReplayTests {
    @Test func searchesDuringWritesEqualASerialReplay() throws {
        let d = 16
        let base = TestData.gaussian(count: 1500, dimension: d, seed: 31)
        let extra = TestData.gaussian(count: 600, dimension: d, seed: 32)
        let queries = (0..<40).map { TestData.row(TestData.gaussian(count: 40, dimension: d, seed: 33), $0, dimension: d) }
        func fresh() throws -> HNSWIndex {
            let h = try HNSWIndex(dimension: d, metric: .l2, parameters: HNSWParameters(m: 8, efConstruction: 40))
            try h.add(contentsOf: base, ids: (0..<1500).map(UInt64.init), threads: 1)
            return h
        }
        let batches = (0..<30).map { b in
            ConcurrentReplay.Batch(adds: (0..<20).map { i in (UInt64(10_000 + b * 20 + i), TestData.row(extra, b * 20 + i, dimension: d)) },
                                   removes: (0..<5).map { UInt64(b * 37 + $0) })
        }
        let outcome = try ConcurrentReplay.run(index: try fresh(), replay: try fresh(), batches: batches, queries: queries,
                                               k: 10, parameters: SearchParameters(ef: 40), searchers: 8)
        #expect(outcome.mismatches == [])
        #expect(outcome.checked > 0)
        #expect(outcome.distinctEpochs >= 2, "the searches saw only one state of the index: \(outcome.checked) checked, \(outcome.discarded) discarded")
    }
}
