import IndexCore
import IVFPQ
import Testing
import TestSupport

/// 8 searching threads and 1 writer (adds and deletes) on one IVF-PQ index: every search that no write
/// overlapped equals a serial replay at the same point (ConcurrentReplay).
@Suite struct IVFPQWriterReplayTests {
    @Test func searchesDuringWritesEqualASerialReplay() throws {
        func fresh() throws -> IVFPQIndex { try IVFPQFixture.build(.innerProduct) }
        let d = IVFPQFixture.d
        let extra = TestData.gaussian(count: 600, dimension: d, seed: 41)
        let queries = (0..<40).map { TestData.row(IVFPQFixture.queries, $0, dimension: d) }
        let batches = (0..<30).map { b in
            ConcurrentReplay.Batch(adds: (0..<20).map { i in (UInt64(10_000 + b * 20 + i), TestData.row(extra, b * 20 + i, dimension: d)) },
                                   removes: (0..<5).map { UInt64(b * 37 + $0) })
        }
        let outcome = try ConcurrentReplay.run(index: try fresh(), replay: try fresh(), batches: batches, queries: queries,
                                               k: 10, parameters: SearchParameters(nprobe: 8, refineFactor: 4), searchers: 8)
        #expect(outcome.mismatches == [])
        #expect(outcome.checked > 0)
        #expect(outcome.distinctEpochs >= 2, "the searches saw only one state of the index")
    }
}
