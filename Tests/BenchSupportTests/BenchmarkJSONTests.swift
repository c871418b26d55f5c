import Foundation
import Testing
@testable import BenchSupport

@Suite struct BenchmarkJSONTests {
    @Test func roundTripKeepsEveryField() throws {
        let p = BenchmarkPoint(dataset: "glove-50-angular", library: "i3", index: "hnsw", params: ["M": 16, "ef": 40],
                               recallAt10: 0.91, qps: 12_345.5, buildSeconds: 20.5, buildSecondsAllThreads: 11,
                               indexBytes: 1e7, bytesPerVector: 100, threads: 1, queries: 1000, k: 10, repetition: 2)
        let q = BenchmarkPoint(dataset: "f", library: "faiss", index: "ivfpq+refine", mode: "batch", params: [:],
                               recallAt10: 1, qps: 3, qpsOverheadCorrected: 4, callOverheadSeconds: 2e-6,
                               trainSeconds: 1, addSeconds: 2)
        let data = try BenchmarkJSON.encode([p, q])
        #expect(try BenchmarkJSON.decode(data) == [p, q])
        let text = try #require(String(data: data, encoding: .utf8))
        #expect(text.contains("\"recall_at_10\""))
        #expect(text.contains("\"index_bytes\""))
    }

    @Test func readsThePeersFormatWithNulls() throws {
        let json = """
        [{"dataset": "d", "library": "hnswlib", "index": "hnsw", "mode": "single", "params": {"M": 16, "ef": 10},
          "recall_at_10": 0.65, "qps": 43645.1, "qps_overhead_corrected": null, "build_seconds": 17.2,
          "build_seconds_all_threads": null, "train_seconds": null, "index_bytes": 61000000, "threads": 1}]
        """
        let points = try BenchmarkJSON.decode(Data(json.utf8))
        #expect(points.count == 1)
        #expect(points[0].params["ef"] == 10)
        #expect(points[0].qpsOverheadCorrected == nil)
        #expect(points[0].paramsText == "M=16 ef=10")
    }

    @Test func malformedJSONIsATypedErrorNamingTheField() {
        let json = #"[{"dataset": "d", "library": "x", "index": "hnsw", "mode": "single", "params": {}, "qps": 1}]"#
        #expect {
            try BenchmarkJSON.decode(Data(json.utf8), source: "bad.json")
        } throws: { error in
            guard case let BenchmarkError.badJSON(path, reason)? = error as? BenchmarkError else { return false }
            return path == "bad.json" && reason.contains("recall_at_10")
        }
    }
}
