import Foundation
import Testing
@testable import BenchSupport

@Suite struct RecallCurveTests {
    let curve = RecallCurve(points: [
        .init(recall: 0.80, qps: 10_000), .init(recall: 0.90, qps: 5_000),
        .init(recall: 0.97, qps: 1_000), .init(recall: 0.85, qps: 2_000), // dominated by (0.90, 5000)
    ])

    @Test func frontierDropsDominatedPointsAndSortsByRecall() {
        #expect(curve.frontier == [.init(recall: 0.80, qps: 10_000), .init(recall: 0.90, qps: 5_000),
                                   .init(recall: 0.97, qps: 1_000)])
    }

    @Test func exactPointReadsItsQPS() {
        #expect(curve.qps(atRecall: 0.90) == .interpolated(5_000))
    }

    @Test func interpolatesLogLinearlyBetweenNeighbours() throws {
        // Halfway between (0.80, 10000) and (0.90, 5000) on a log axis: the geometric mean.
        let r = try #require(curve.qps(atRecall: 0.85))
        #expect(abs(r.qps - (10_000.0 * 5_000).squareRoot()) < 1e-6)
        if case .atLeast = r { Issue.record("expected an interpolation") }
    }

    @Test func beyondTheCurveIsNilAndBelowIsALowerBound() {
        #expect(curve.qps(atRecall: 0.99) == nil)
        #expect(curve.qps(atRecall: 0.50) == .atLeast(10_000))
        #expect(RecallCurve(points: []).qps(atRecall: 0.9) == nil)
    }

    @Test func equalRecallKeepsTheFasterPoint() {
        let c = RecallCurve(points: [.init(recall: 0.9, qps: 100), .init(recall: 0.9, qps: 300)])
        #expect(c.frontier == [.init(recall: 0.9, qps: 300)])
    }
}

@Suite struct RecallTests {
    @Test func recallCountsTrueNeighboursInTheFirstK() {
        let truth: [[Int32]] = [[1, 2, 3, 4], [5, 6, 7, 8]]
        let results: [[UInt64]] = [[1, 2, 9], [8, 7, 6]]
        // k = 3: query 0 finds 1, 2 of {1,2,3}; query 1 finds 7, 6 of {5,6,7} (8 is not in its top 3).
        #expect(Recall.atK(3, results: results, truth: truth) == 4.0 / 6.0)
    }

    @Test func duplicatesAndShortListsDoNotInflateRecall() {
        #expect(Recall.atK(2, results: [[1, 1]], truth: [[1, 2]]) == 0.5)
        #expect(Recall.atK(2, results: [[2]], truth: [[1, 2]]) == 0.5)
        #expect(Recall.atK(2, results: [], truth: [[1, 2]]) == 0)
    }

    @Test func defaultSubquantizersDivideTheDimension() {
        #expect(IVFPQDefaults.subquantizers(dimension: 50) == 10)
        #expect(IVFPQDefaults.subquantizers(dimension: 784) == 56)
        #expect(IVFPQDefaults.subquantizers(dimension: 384) == 64)
        #expect(IVFPQDefaults.subquantizers(dimension: 128) == 32)
        #expect(IVFPQDefaults.subquantizers(dimension: 3) == 1)
    }
}
