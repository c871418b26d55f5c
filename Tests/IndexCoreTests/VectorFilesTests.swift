import Foundation
import IndexCore
import Testing
import TestSupport

@Suite struct VectorFilesTests {
    @Test func fvecsAndIvecsRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let data = TestData.gaussian(count: 7, dimension: 5, seed: 9)
        try VectorFiles.writeFvecs(data, dimension: 5, to: dir.path("a.fvecs"))
        let (back, d) = try VectorFiles.readFvecs(dir.path("a.fvecs"))
        #expect(d == 5 && back == data)
        #expect(try VectorFiles.readFvecs(dir.path("a.fvecs"), limit: 2).data == Array(data.prefix(10)))
        let rows: [[Int32]] = [[1, 2, 3], [4, 5, 6]]
        try VectorFiles.writeIvecs(rows, to: dir.path("g.ivecs"))
        #expect(try VectorFiles.readIvecs(dir.path("g.ivecs")) == rows)
    }

    @Test func truncatedFileIsAnError() throws {
        let dir = try TemporaryDirectory()
        try VectorFiles.writeFvecs([1, 2, 3, 4], dimension: 2, to: dir.path("a.fvecs"))
        let bytes = try Data(contentsOf: dir.path("a.fvecs"))
        try bytes.prefix(bytes.count - 3).write(to: dir.path("t.fvecs"))
        #expect(throws: VectorFileError.self) { try VectorFiles.readFvecs(dir.path("t.fvecs")) }
    }
}
