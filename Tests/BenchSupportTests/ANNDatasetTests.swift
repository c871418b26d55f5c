import Foundation
import IndexCore
import Testing
import TestSupport
@testable import BenchSupport

@Suite struct ANNDatasetTests {
    func writeDataset(_ dir: TemporaryDirectory, metric: String = "l2", gt: [[Int32]] = [[0, 1], [1, 0]]) throws {
        try VectorFiles.writeFvecs([0, 0, 1, 1, 2, 2], dimension: 2, to: dir.path("base.fvecs"))
        try VectorFiles.writeFvecs([0, 0.1, 1, 0.9], dimension: 2, to: dir.path("query.fvecs"))
        try VectorFiles.writeIvecs(gt, to: dir.path("groundtruth.ivecs"))
        try (metric + "\n").write(to: dir.path("metric.txt"), atomically: true, encoding: .utf8)
    }

    @Test func loadsADirectory() throws {
        let dir = try TemporaryDirectory()
        try writeDataset(dir)
        let d = try ANNDataset.load(directory: dir.url)
        #expect(d.dimension == 2 && d.baseCount == 3 && d.queryCount == 2)
        #expect(d.metric == .l2)
        #expect(d.query(1) == [1, 0.9])
        #expect(d.groundTruth == [[0, 1], [1, 0]])
        #expect(try ANNDataset.load(directory: dir.url, queryLimit: 1).queryCount == 1)
    }

    @Test func rejectsAnUnknownMetricAMissingFileAndOutOfRangeIDs() throws {
        let dir = try TemporaryDirectory()
        try writeDataset(dir, metric: "hamming")
        #expect(throws: BenchmarkError.self) { try ANNDataset.load(directory: dir.url) }
        let dir2 = try TemporaryDirectory()
        try writeDataset(dir2, gt: [[0, 7], [1, 0]])
        #expect(throws: BenchmarkError.self) { try ANNDataset.load(directory: dir2.url) }
        try FileManager.default.removeItem(at: dir2.path("metric.txt"))
        #expect(throws: BenchmarkError.self) { try ANNDataset.load(directory: dir2.url) }
    }
}
