import DataSets
import Foundation
import ShardStore

/// A content digest of a passage set, equal for a collection file and for the index directory built from
/// it: FNV-1a 64 over `id\ttitle\ttext\n` of every passage in order, with the count. The kill tests
/// (tools/kill_test.sh) compare the two to prove that no passage was lost or doubled.
public struct PassageDigest: Sendable, Equatable, CustomStringConvertible {
    /// Passages.
    public var count: Int
    /// FNV-1a 64 of their ids, titles and texts.
    public var digest: UInt64

    public var description: String { "\(count) passages, digest \(String(digest, radix: 16))" }

    /// FNV-1a continued over `bytes`.
    static func feed(_ h: inout UInt64, _ s: String) {
        for b in s.utf8 { h ^= UInt64(b); h = h &* 0x0000_0100_0000_01b3 }
    }

    /// The passages of a collection TSV as `IndexBuilder` reads them (malformed lines left out), in
    /// memory bounded whatever the file's length (a `CollectionScan` finds the duplicate ids first).
    public static func of(collection url: URL) throws -> PassageDigest {
        let scan = try CollectionScan.scan(url)
        var r = try PassageTSVReader(url: url, duplicates: scan.duplicates)
        var h: UInt64 = FNV1a.hash64(""), n = 0
        while let item = try r.next() {
            guard case let .passage(p, _, _) = item else { continue }
            feed(&h, "\(p.id)\t\(p.title ?? "")\t\(p.text)\n")
            n += 1
        }
        return PassageDigest(count: n, digest: h)
    }

    /// The passages stored in an index directory (every block's checksum is checked as it is read).
    public static func of(indexDirectory dir: URL) throws -> PassageDigest {
        let passages = try ShardReader(directory: dir.appendingPathComponent("passages", isDirectory: true))
        let ids = try passages.column("ids"), titles = try passages.column("titles"), texts = try passages.column("texts")
        var h: UInt64 = FNV1a.hash64("")
        for i in 0..<ids.recordCount {
            feed(&h, "\(try ids.string(record: i))\t\(try titles.string(record: i))\t\(try texts.string(record: i))\n")
        }
        return PassageDigest(count: ids.recordCount, digest: h)
    }
}
