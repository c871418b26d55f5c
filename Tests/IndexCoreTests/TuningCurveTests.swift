import Foundation
import Testing
@testable import IndexCore

@Suite struct TuningCurveTests {
    static func curve() throws -> TuningCurve {
        try TuningCurve(targetRecall: 0.9, k: 10, sampleSize: 64, pointsByCost: [
            .init(ef: 16, recall: 0.71), .init(ef: 24, recall: 0.70), .init(ef: 32, recall: 0.86),
            .init(ef: 48, recall: 0.86), .init(ef: 64, recall: 0.93), .init(ef: 128, recall: 0.99),
        ])
    }

    /// Dominated points are dropped; a target gets the cheapest point that reached it, or the best one.
    @Test func frontierAndLookup() throws {
        let c = try Self.curve()
        #expect(c.points.map(\.ef) == [16, 32, 64, 128])
        #expect(c.point(for: 0.5).ef == 16)
        #expect(c.point(for: 0.86).ef == 32)
        #expect(c.point(for: 0.87).ef == 64)
        #expect(c.point(for: 1.0).ef == 128)
        #expect(c.defaultPoint.ef == 64)
        #expect(throws: IndexError.self) { try TuningCurve(targetRecall: 0.9, k: 10, sampleSize: 1, pointsByCost: []) }
        #expect(throws: IndexError.self) {
            try TuningCurve(targetRecall: 0.9, k: 10, sampleSize: 1, pointsByCost: [.init(ef: 1, recall: 1.5)])
        }
    }

    /// `SearchParameters.tunedPoint`: the curve's default without a target, the target's point with one,
    /// named errors for a bad target or a target without a curve.
    @Test func searchParametersPickThePoint() throws {
        let c = try Self.curve()
        #expect(try SearchParameters().tunedPoint(of: c)?.ef == 64)
        #expect(try SearchParameters().tunedPoint(of: nil) == nil)
        #expect(try SearchParameters(targetRecall: 0.95).tunedPoint(of: c)?.ef == 128)
        #expect(throws: IndexError.self) { try SearchParameters(targetRecall: 0.95).tunedPoint(of: nil) }
        for bad in [0, -0.1, 1.5, .nan] {
            #expect(throws: IndexError.self) { try SearchParameters(targetRecall: bad).tunedPoint(of: c) }
        }
    }

    static func header(_ parameters: [String: String]) -> StoredIndexHeader {
        StoredIndexHeader(type: "hnsw", formatVersion: 1, dimension: 4, metric: .l2, count: 10, parameters: parameters)
    }

    /// What is stored reads back equal; an index without the settings has no curve.
    @Test func storageRoundTrip() throws {
        let c = try Self.curve()
        #expect(try TuningCurve(stored: Self.header(c.storedParameters), path: "x") == c)
        #expect(try TuningCurve(stored: Self.header(["m": "16"]), path: "x") == nil)
        let ivf = try TuningCurve(targetRecall: 0.99, k: 100, sampleSize: 256, pointsByCost: [
            .init(nprobe: 8, refineFactor: 1, recall: 0.6), .init(nprobe: 64, refineFactor: 4, recall: 0.97),
        ])
        #expect(ivf.storedParameters["tunedCurve"] == "nprobe=8,refineFactor=1,recall=0.6;nprobe=64,refineFactor=4,recall=0.97")
        #expect(try TuningCurve(stored: Self.header(ivf.storedParameters), path: "x") == ivf)
    }

    /// Every way a stored curve can be damaged is a `corrupt` error that says what is wrong.
    @Test func damagedCurvesAreNamedErrors() throws {
        let good = try Self.curve().storedParameters
        let cases: [(String, String, String)] = [
            ("tunedCurve", "ef=16,recall=0.7;ef=32", "has no recall"),
            ("tunedCurve", "ef=16,recall=0.7;ef=32,recall=0.6", "does not rise"),
            ("tunedCurve", "ef=16,recall=1.7", "not in [0, 1]"),
            ("tunedCurve", "ef=0,recall=0.7", "not a positive integer"),
            ("tunedCurve", "ef=x,recall=0.7", "not a positive integer"),
            ("tunedCurve", "speed=3,recall=0.7", "unknown point field"),
            ("tunedCurve", "ef16", "not name=value"),
            ("tunedCurve", "", "not name=value"),
            ("tunedTargetRecall", "high", "tunedTargetRecall"),
            ("tunedK", "-", "tunedK"),
        ]
        for (key, value, says) in cases {
            var p = good
            p[key] = value
            do {
                _ = try TuningCurve(stored: Self.header(p), path: "/idx")
                Issue.record("\(key)=\(value) was accepted")
            } catch let IndexError.corrupt(path, reason) {
                #expect(path == "/idx")
                #expect(reason.contains(says), "\(key)=\(value): \(reason)")
            }
        }
        var missing = good
        missing["tunedSampleSize"] = nil
        #expect(throws: IndexError.self) { try TuningCurve(stored: Self.header(missing), path: "/idx") }
    }
}
