import Foundation
import IndexCore
import ShardStore
import VectorKernels

/// Opening helpers shared by the late-interaction objects, on the package's index file convention
/// (`StoredIndexHeader`: kind `index.<type>`, integer format, `index.dimension`, `index.metric` = ip,
/// `index.count` = passages, settings as `param.*`, the caller's keys as `user.*`), with named
/// `IndexError.corrupt` errors for inconsistent columns.
struct StoredObject {
    let reader: ShardReader
    let header: StoredIndexHeader
    let path: String

    /// Opens `directory` and checks the convention for `type` at `format`.
    init(directory: URL, type: String, format: Int, expectedDimension: Int?) throws {
        (reader, header) = try StoredIndex.open(directory: directory, type: type, supportedFormats: format...format,
                                                expectedDimension: expectedDimension, expectedMetric: .innerProduct)
        path = directory.path
    }

    func corrupt(_ reason: String) -> IndexError { .corrupt(path: path, reason: reason) }

    func int(_ name: String) throws -> Int { try header.intParameter(name, path: path) }
    func string(_ name: String) throws -> String { try header.stringParameter(name, path: path) }

    /// A column that must hold `records` records of `length` values each (nil = variable).
    func column(_ name: String, records: Int, length: Int?) throws -> ColumnReader {
        let c = try reader.column(name)
        guard c.recordCount == records else { throw corrupt("column \(name) has \(c.recordCount) records, expected \(records)") }
        if let l = length, c.recordLength != l {
            throw corrupt("column \(name) has records of \(c.recordLength ?? 0) values, expected \(l)")
        }
        return c
    }

    /// Offsets read from an int64 column: `count + 1` values from 0 to `total`, never decreasing.
    func offsets(_ name: String, count: Int, total: Int) throws -> [Int] {
        let o = try column(name, records: count + 1, length: 1).allInt64s().map(Int.init)
        guard o.first == 0, o.last == total else { throw corrupt("column \(name) must run from 0 to \(total)") }
        for p in 0..<count where o[p + 1] < o[p] { throw corrupt("column \(name) decreases at entry \(p)") }
        return o
    }
}
