import Foundation

/// The format version of a store: readers accept any minor version of the major versions they know.
public struct FormatVersion: Codable, Sendable, Equatable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// The version this library writes.
    public static let current = FormatVersion(major: 1, minor: 0)

    public var description: String { "\(major).\(minor)" }
}

/// One shard of a column as the manifest lists it.
public struct ShardManifest: Codable, Sendable, Equatable {
    /// Shard file name (`<column>.<NNNNN>.lz4`), relative to the object directory.
    public var file: String
    /// Its index file name (`<column>.<NNNNN>.idx`).
    public var indexFile: String
    /// Index of the shard's first record within the column.
    public var firstRecord: Int
    public var recordCount: Int
    /// Uncompressed payload bytes.
    public var rawBytes: Int
    /// Size of the shard file (the whole LZ4 frame).
    public var compressedBytes: Int
    /// XXH32 of the shard file's bytes, `xxh32:` + 8 hex digits.
    public var checksum: String
    public var indexBytes: Int
    /// XXH32 of the index file's bytes.
    public var indexChecksum: String
}

/// One named column: its type, record layout and shards.
public struct ColumnManifest: Codable, Sendable, Equatable {
    public var name: String
    public var elementType: ElementType
    /// Elements per record for fixed-length columns; nil for variable-length columns.
    public var recordLength: Int?
    public var recordCount: Int
    public var rawBytes: Int
    public var compressedBytes: Int
    /// Raw bytes per LZ4 block (the random-access granularity).
    public var blockBytes: Int
    public var shards: [ShardManifest]
}

/// The body of `manifest.json`.
public struct Manifest: Codable, Sendable, Equatable {
    /// Always `"i3-shardstore"`.
    public var format: String
    public var formatVersion: FormatVersion
    /// What the object is (for example `"index.flat"`, `"passages"`).
    public var kind: String
    /// Free-form facts (for example the model that made the vectors).
    public var metadata: [String: String]
    /// When it was committed (ISO 8601, UTC).
    public var created: String
    public var columns: [ColumnManifest]

    static let formatName = "i3-shardstore"
    static let fileName = "manifest.json"
}

/// `manifest.json` is an envelope around the body that carries the body's checksum:
/// `{"checksum":"xxh32:XXXXXXXX","manifest":<body>}` + "\n", where the checksum is XXH32 of exactly the
/// body bytes as stored. The prefix has a fixed length, so the body is found without parsing.
enum ManifestFile {
    static let prefixHead = Array(#"{"checksum":"xxh32:"#.utf8)
    static let prefixTail = Array(#"","manifest":"#.utf8)
    static var prefixLength: Int { prefixHead.count + 8 + prefixTail.count }

    static func encode(_ manifest: Manifest) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let body = try [UInt8](encoder.encode(manifest))
        let label = XXH32.label(XXH32.hash(body))
        return Array(#"{"checksum":""#.utf8) + Array(label.utf8) + prefixTail + body + Array("}\n".utf8)
    }

    /// Parses, verifies the checksum, checks the version and decodes the body.
    static func decode(_ bytes: [UInt8], path: String) throws -> Manifest {
        func corrupt(_ r: String) -> ShardStoreError { .corruptManifest(path: path, reason: r) }
        var end = bytes.count
        if end > 0, bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }  // exactly one optional newline
        guard end > prefixLength, bytes[end - 1] == UInt8(ascii: "}"),
              Array(bytes[0..<prefixHead.count]) == prefixHead,
              Array(bytes[(prefixHead.count + 8)..<prefixLength]) == prefixTail else {
            throw corrupt("not a shard-store manifest envelope ({\"checksum\":\"xxh32:…\",\"manifest\":{…}})")
        }
        let hex = String(decoding: bytes[prefixHead.count..<(prefixHead.count + 8)], as: UTF8.self)
        guard let stored = UInt32(hex, radix: 16) else { throw corrupt("checksum \"\(hex)\" is not hexadecimal") }
        let body = Array(bytes[prefixLength..<(end - 1)])
        let actual = XXH32.hash(body)
        guard actual == stored else {
            throw ShardStoreError.checksumMismatch(path: path, detail: "manifest body", expected: XXH32.label(stored), actual: XXH32.label(actual))
        }
        struct Head: Decodable { var format: String; var formatVersion: FormatVersion }
        let head: Head
        do { head = try JSONDecoder().decode(Head.self, from: Data(body)) } catch {
            throw corrupt("no format/formatVersion: \(error)")
        }
        guard head.format == Manifest.formatName else { throw corrupt("format is \"\(head.format)\", not \"\(Manifest.formatName)\"") }
        guard head.formatVersion.major == FormatVersion.current.major else {
            throw ShardStoreError.unknownVersion(path: path, found: head.formatVersion.description,
                                                 supported: "\(FormatVersion.current.major).x")
        }
        do { return try JSONDecoder().decode(Manifest.self, from: Data(body)) } catch {
            throw corrupt("\(error)")
        }
    }

    /// Checks the manifest's own consistency: names, counts, ranges, sizes. Every value that later indexes
    /// memory or names a file is validated here.
    static func validate(_ m: Manifest, path: String) throws {
        func corrupt(_ r: String) -> ShardStoreError { .corruptManifest(path: path, reason: r) }
        var names = Set<String>()
        var files = Set<String>()
        for c in m.columns {
            guard ColumnNames.isValid(c.name) else { throw corrupt("invalid column name \"\(c.name)\"") }
            guard names.insert(c.name).inserted else { throw corrupt("column \"\(c.name)\" appears twice") }
            guard LZ4Frame.blockBytesRange.contains(c.blockBytes) else { throw corrupt("column \(c.name): block size \(c.blockBytes) out of range") }
            if let l = c.recordLength {
                guard l > 0, l <= Int(Int32.max) else { throw corrupt("column \(c.name): record length \(l)") }
            }
            guard c.recordCount >= 0, c.rawBytes >= 0, c.compressedBytes >= 0 else { throw corrupt("column \(c.name): negative count") }
            var next = 0, raw = 0, packed = 0
            for (s, sh) in c.shards.enumerated() {
                let where_ = "column \(c.name) shard \(s)"
                guard ColumnNames.isValidFileName(sh.file), ColumnNames.isValidFileName(sh.indexFile) else {
                    throw corrupt("\(where_): invalid file name \"\(sh.file)\" / \"\(sh.indexFile)\"")
                }
                guard files.insert(sh.file).inserted, files.insert(sh.indexFile).inserted else { throw corrupt("\(where_): file listed twice") }
                guard sh.firstRecord == next else { throw corrupt("\(where_): first record \(sh.firstRecord), expected \(next)") }
                guard sh.recordCount >= 0, sh.rawBytes >= 0, sh.compressedBytes >= LZ4Frame.headerLength + LZ4Frame.trailerLength,
                      sh.indexBytes >= ShardIndexFile.headerBytes, sh.rawBytes <= Int(UInt32.max) * 16 else {
                    throw corrupt("\(where_): implausible sizes")
                }
                if let l = c.recordLength {
                    let (bytes, overflow) = sh.recordCount.multipliedReportingOverflow(by: l * c.elementType.byteWidth)
                    guard !overflow, bytes == sh.rawBytes else { throw corrupt("\(where_): \(sh.rawBytes) raw bytes is not \(sh.recordCount) records of \(l) \(c.elementType.rawValue)") }
                } else {
                    guard sh.rawBytes % c.elementType.byteWidth == 0 else { throw corrupt("\(where_): raw bytes not a multiple of the element size") }
                }
                guard parseChecksum(sh.checksum) != nil, parseChecksum(sh.indexChecksum) != nil else {
                    throw corrupt("\(where_): checksum is not xxh32:XXXXXXXX")
                }
                next += sh.recordCount
                raw += sh.rawBytes
                packed += sh.compressedBytes
            }
            guard next == c.recordCount, raw == c.rawBytes, packed == c.compressedBytes else {
                throw corrupt("column \(c.name): totals do not add up over its shards")
            }
        }
    }

    static func parseChecksum(_ s: String) -> UInt32? {
        guard s.hasPrefix("xxh32:"), s.utf8.count == 14 else { return nil }
        return UInt32(s.dropFirst(6), radix: 16)
    }
}

/// Rules for column and file names: they become file names, so no separators or dot-dot.
enum ColumnNames {
    static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 128, name.first != "." else { return false }
        return name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E
        }
    }

    static func isValidFileName(_ name: String) -> Bool {
        isValid(name) && name != "manifest.json"
    }

    static func shardFile(column: String, shard: Int) -> String { "\(column).\(pad(shard)).lz4" }
    static func indexFile(column: String, shard: Int) -> String { "\(column).\(pad(shard)).idx" }

    private static func pad(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 5 ? s : String(repeating: "0", count: 5 - s.count) + s
    }
}
