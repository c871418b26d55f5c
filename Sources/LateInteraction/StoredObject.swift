import Foundation
import IndexCore
import ShardStore

/// Opening helpers shared by the late-interaction objects: checksums verified, kind and format checked,
/// metadata read with named `IndexError.corrupt` errors.
struct StoredObject {
    let reader: ShardReader
    let path: String

    /// Opens `directory`, verifying every checksum, and checks the kind and the `formatKey` version.
    init(directory: URL, kind: String, formatKey: String, format: String) throws {
        reader = try ShardReader(directory: directory, verifyChecksums: true)
        path = directory.path
        guard reader.kind == kind else { throw IndexError.kindMismatch(expected: kind, stored: reader.kind) }
        guard reader.metadata[formatKey] == format else {
            throw IndexError.corrupt(path: path, reason: "unsupported \(formatKey) \(reader.metadata[formatKey] ?? "none") (this reader supports \(format))")
        }
    }

    func corrupt(_ reason: String) -> IndexError { .corrupt(path: path, reason: reason) }

    func int(_ key: String) throws -> Int {
        guard let s = reader.metadata[key], let v = Int(s) else { throw corrupt("metadata \"\(key)\" is missing or not an integer") }
        return v
    }

    func string(_ key: String) throws -> String {
        guard let s = reader.metadata[key] else { throw corrupt("metadata \"\(key)\" is missing") }
        return s
    }

    /// The caller's metadata (keys stored with the `user.` prefix).
    var userMetadata: [String: String] {
        var user: [String: String] = [:]
        for (k, v) in reader.metadata where k.hasPrefix("user.") { user[String(k.dropFirst(5))] = v }
        return user
    }

    /// A column that must hold `records` records of `length` values each (nil = variable).
    func column(_ name: String, records: Int, length: Int?) throws -> ColumnReader {
        let c = try reader.column(name)
        guard c.recordCount == records else { throw corrupt("column \(name) has \(c.recordCount) records, expected \(records)") }
        if let l = length, c.recordLength != l {
            throw corrupt("column \(name) has records of \(c.recordLength ?? 0) values, expected \(l)")
        }
        return c
    }

    /// Passage offsets read from an int64 column: `passages + 1` values from 0, never decreasing.
    func offsets(_ name: String, passages: Int, total: Int) throws -> [Int] {
        let o = try column(name, records: passages + 1, length: 1).allInt64s().map(Int.init)
        guard o.first == 0, o.last == total else { throw corrupt("column \(name) must run from 0 to \(total)") }
        for p in 0..<passages where o[p + 1] < o[p] { throw corrupt("column \(name) decreases at passage \(p)") }
        return o
    }

    /// Float16 bits of a column (`float16` element type).
    func float16Bits(_ c: ColumnReader) throws -> [UInt16] {
        try c.allFloat16s().map(\.bitPattern)
    }
}

extension Dictionary where Key == String, Value == String {
    /// The caller's keys prefixed `user.` merged into stored metadata.
    func addingUser(_ user: [String: String]) -> [String: String] {
        var m = self
        for (k, v) in user { m["user." + k] = v }
        return m
    }
}
