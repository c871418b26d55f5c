import DataSets
import Foundation
import ShardStore

/// Vectors of an existing index directory made by the same encoder, reused by a new build (for
/// example to build another index type without encoding the collection again). A passage is reused
/// only when its id, title and text are all equal; anything else is encoded.
final class VectorDonor {
    private let rowOf: [String: Int]
    private let titles: ColumnReader
    private let texts: ColumnReader
    private let vectors: ColumnReader

    init(directory: URL, encoder: any TextEncoding) throws {
        let m = try IndexManifest.read(from: directory)
        try m.check(encoder: encoder, directory: directory)
        let passages = try ShardReader(directory: directory.appendingPathComponent("passages", isDirectory: true))
        let ids = try passages.column("ids").allStrings()
        var map: [String: Int] = [:]
        map.reserveCapacity(ids.count)
        for (i, id) in ids.enumerated() { map[id] = i }
        rowOf = map
        titles = try passages.column("titles")
        texts = try passages.column("texts")
        vectors = try ShardReader(directory: directory.appendingPathComponent("vectors", isDirectory: true)).column("vectors")
    }

    /// The stored vector of `passage`, or nil when the donor does not hold exactly this passage.
    func vector(for passage: Passage) throws -> [Float]? {
        guard let r = rowOf[passage.id], try texts.string(record: r) == passage.text,
              try titles.string(record: r) == (passage.title ?? "") else { return nil }
        return try vectors.floats(record: r)
    }
}
