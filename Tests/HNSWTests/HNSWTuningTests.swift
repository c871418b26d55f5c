import Foundation
@testable import HNSW
import IndexCore
import ShardStore
import Testing
import TestSupport

@Suite struct HNSWTuningTests {
    static func recall(_ index: HNSWIndex, _ parameters: SearchParameters, k: Int = 10) throws -> Double {
        let truth = try TestData.groundTruth(base: Fixture.base, queries: Fixture.queries, dimension: Fixture.dimension,
                                             metric: .l2, k: k)
        let found = try index.search(batch: Fixture.queries, k: k, parameters: parameters, threads: 2)
        return TestData.recall(found.map { $0.map(\.id) }, truth: truth, k: k)
    }

    /// The fit gives a rising curve of `ef` values; plain searches use the point of the fit's target,
    /// `targetRecall` searches the point of theirs, explicit `ef` wins; the curve is saved with the index.
    @Test func tunedEfReachesTheTargetAndPersists() throws {
        let index = try Fixture.build(metric: .l2, threads: 1)
        #expect(index.tuningCurve == nil)
        let curve = try index.tune(targetRecall: 0.9, k: 10, sampleSize: 100)
        #expect(index.tuningCurve == curve)
        #expect(curve.k == 10 && curve.sampleSize == 100 && curve.targetRecall == 0.9)
        #expect(curve.points.allSatisfy { ($0.ef ?? 0) >= 11 && $0.nprobe == nil })
        #expect(zip(curve.points, curve.points.dropFirst()).allSatisfy { $0.recall < $1.recall && $0.ef! < $1.ef! })
        #expect(curve.defaultPoint.recall >= 0.9)
        #expect(curve.points.last!.recall >= HNSWIndex.tuningCeiling || curve.points.last!.ef == 2048)

        let q = TestData.row(Fixture.queries, 3, dimension: Fixture.dimension)
        let plain = try index.search(q, k: 10, parameters: .default)
        #expect(plain == (try index.search(q, k: 10, parameters: SearchParameters(ef: curve.defaultPoint.ef))))
        let cheap = curve.point(for: 0.5)
        #expect(try index.search(q, k: 10, parameters: SearchParameters(targetRecall: 0.5))
                == index.search(q, k: 10, parameters: SearchParameters(ef: cheap.ef)))
        #expect(try index.search(q, k: 10, parameters: SearchParameters(ef: 11, targetRecall: 0.999))
                == index.search(q, k: 10, parameters: SearchParameters(ef: 11)))
        // Held-out queries (independent of the base): the fitted default reaches close to the target.
        let heldOut = try Self.recall(index, .default)
        #expect(heldOut >= 0.85, "held-out recall@10 \(heldOut) at ef \(curve.defaultPoint.ef!)")
        #expect(try Self.recall(index, SearchParameters(targetRecall: 0.99)) >= heldOut)

        let dir = try TemporaryDirectory()
        try index.save(to: dir.path("tuned"))
        let opened = try HNSWIndex.open(directory: dir.path("tuned"))
        #expect(opened.tuningCurve == curve)
        #expect(try opened.search(q, k: 10, parameters: .default) == plain)
    }

    /// A fit on held-out queries stores the recall those queries reach: a search with the default
    /// `ef` gets it on them. Bad held-out queries (none, wrong dimension, NaN, zero for cosine) are
    /// named errors and leave the curve as it was.
    @Test func heldOutQueriesFitTheirOwnRecall() throws {
        let index = try Fixture.build(metric: .l2, threads: 1)
        let d = Fixture.dimension
        let count = Fixture.queries.count / d
        let queries = (0..<count).map { TestData.row(Fixture.queries, $0, dimension: d) }
        let curve = try index.tune(targetRecall: 0.95, k: 10, queries: queries)
        #expect(curve.sampleSize == count)
        #expect(curve.defaultPoint.recall >= 0.95 || curve.defaultPoint == curve.points.last)
        let measured = try Self.recall(index, .default)
        #expect(abs(measured - curve.defaultPoint.recall) < 0.01, "stored \(curve.defaultPoint.recall), measured \(measured)")
        #expect(throws: IndexError.self) { try index.tune(targetRecall: 0.9, queries: []) }
        #expect(throws: IndexError.self) { try index.tune(targetRecall: 0.9, queries: [Array(repeating: 1, count: d - 1)]) }
        #expect(throws: IndexError.self) { try index.tune(targetRecall: 0.9, queries: [queries[0].map { _ in Float.infinity }]) }
        let cosine = try Fixture.build(metric: .cosine, threads: 1)
        #expect(throws: IndexError.self) { try cosine.tune(targetRecall: 0.9, queries: [Array(repeating: 0, count: d)]) }
        #expect(index.tuningCurve == curve)
    }

    @Test func unusableRequestsAreNamedErrors() throws {
        let index = try Fixture.build(metric: .cosine, threads: 1)
        let q = TestData.row(Fixture.queries, 0, dimension: Fixture.dimension)
        #expect(throws: IndexError.self) { try index.search(q, k: 10, parameters: SearchParameters(targetRecall: 0.9)) }
        for bad in [0.0, 1.5, Double.nan] { #expect(throws: IndexError.self) { try index.tune(targetRecall: bad) } }
        #expect(throws: IndexError.invalidK(0)) { try index.tune(targetRecall: 0.9, k: 0) }
        #expect(throws: IndexError.self) { try index.tune(targetRecall: 0.9, k: 2000) }
        #expect(throws: IndexError.self) { try index.tune(targetRecall: 0.9, sampleSize: 0) }
        let untrained = try HNSWIndex(dimension: 4, metric: .l2, parameters: HNSWParameters(storage: .int8))
        #expect(throws: IndexError.notTrained) { try untrained.tune(targetRecall: 0.9, k: 1) }
        _ = try index.tune(targetRecall: 0.9, k: 5, sampleSize: 20)
        for bad in [0.0, -1, 2] {
            #expect(throws: IndexError.self) { try index.search(q, k: 10, parameters: SearchParameters(targetRecall: bad)) }
        }
    }

    /// A well-formed index whose stored curve is unusable is refused with a `corrupt` error saying why.
    @Test func damagedStoredCurvesAreCorrupt() throws {
        let dir = try TemporaryDirectory()
        let cases = [("nprobe=3,recall=0.5", "no ef"), ("ef=4,recall=0.9;ef=8,recall=0.8", "does not rise"),
                     ("ef=4,recall=nan", "not in [0, 1]")]
        for (i, (curve, says)) in cases.enumerated() {
            let url = dir.path("bad\(i)")
            var w = try ShardWriter(directory: url, kind: "index.hnsw", metadata: [
                "index.format": "1", "index.dimension": "2", "index.metric": "l2", "index.count": "2", "param.m": "4",
                "param.efConstruction": "10", "param.seed": "1", "param.storage": "float32", "param.defaultEf": "10",
                "param.slots": "2", "param.entry.slot": "0", "param.entry.level": "0",
                "param.tunedCurve": curve, "param.tunedTargetRecall": "0.9", "param.tunedK": "1", "param.tunedSampleSize": "2",
            ])
            try w.addColumn("ids", type: .int64, recordLength: 1)
            try w.addColumn("levels", type: .uint8, recordLength: 1)
            try w.addColumn("deleted", type: .uint8, recordLength: 1)
            try w.addColumn("vectors", type: .float32, recordLength: 2)
            try w.addColumn("links.level0", type: .int32)
            try w.addColumn("links.upper", type: .int32)
            try w.append(int64s: [1, 2], to: "ids")
            try w.append(uint8s: [0, 0], to: "levels")
            try w.append(uint8s: [0, 0], to: "deleted")
            try w.append(floats: [0, 0, 1, 1], to: "vectors")
            try w.appendRecord(int32s: [1], to: "links.level0")
            try w.appendRecord(int32s: [0], to: "links.level0")
            try w.appendRecord(int32s: [], to: "links.upper")
            try w.appendRecord(int32s: [], to: "links.upper")
            try w.commit()
            #expect {
                try HNSWIndex.open(directory: url)
            } throws: { error in
                guard case let IndexError.corrupt(_, reason) = error else { return false }
                return reason.contains("recall curve") && reason.contains(says)
            }
        }
    }
}
