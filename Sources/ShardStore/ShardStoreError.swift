/// Every failure of the shard store, naming the file and what is wrong with it.
public enum ShardStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed: path, what was being done, and the system's reason.
    case io(path: String, operation: String, reason: String)
    /// The object directory or its `manifest.json` does not exist.
    case missingManifest(path: String)
    /// The manifest cannot be used: not the expected envelope, bad JSON, a self-checksum mismatch, invalid values.
    case corruptManifest(path: String, reason: String)
    /// The object was written in a format major version this reader does not know.
    case unknownVersion(path: String, found: String, supported: String)
    /// A shard or shard index file listed in the manifest is absent.
    case missingShard(path: String)
    /// A file is shorter than the manifest says (or a frame ends early).
    case truncatedFrame(path: String, expectedBytes: Int, actualBytes: Int)
    /// Stored bytes do not hash to the recorded checksum (`detail` says which checksum: file, block n, content).
    case checksumMismatch(path: String, detail: String, expected: String, actual: String)
    /// An LZ4 frame is malformed: path and what is wrong.
    case corruptFrame(path: String, reason: String)
    /// The manifest and the files disagree (sizes, counts, offsets): path and what differs.
    case manifestMismatch(path: String, reason: String)
    /// No column of that name; the available names are listed.
    case columnNotFound(name: String, available: [String])
    /// A column of that name was already added to the writer.
    case duplicateColumn(String)
    /// The column holds `actual` elements but `expected` were requested or appended.
    case typeMismatch(column: String, expected: ElementType, actual: ElementType)
    /// Record `index` does not exist; the column has `count` records.
    case recordOutOfRange(column: String, index: Int, count: Int)
    /// Appended data does not fit the column's fixed record length.
    case recordLengthMismatch(column: String, recordLength: Int, got: Int)
    /// One record is larger than a whole shard may be.
    case recordTooLarge(column: String, bytes: Int, maxShardBytes: Int)
    /// A stored string record is not valid UTF-8.
    case invalidUTF8(path: String, record: Int)
    /// A parameter is out of range: name and why.
    case invalidArgument(name: String, reason: String)
    /// The writer was already committed or aborted.
    case writerClosed(path: String)

    public var description: String {
        switch self {
        case let .io(p, op, r): return "\(p): \(op) failed: \(r)"
        case let .missingManifest(p): return "\(p): no shard store here (manifest.json is missing)"
        case let .corruptManifest(p, r): return "\(p): corrupt manifest: \(r)"
        case let .unknownVersion(p, f, s): return "\(p): unknown format version \(f) (this reader supports \(s))"
        case let .missingShard(p): return "\(p): shard file is missing"
        case let .truncatedFrame(p, e, a): return "\(p): truncated: expected \(e) bytes, found \(a)"
        case let .checksumMismatch(p, d, e, a): return "\(p): checksum mismatch (\(d)): expected \(e), computed \(a)"
        case let .corruptFrame(p, r): return "\(p): corrupt LZ4 frame: \(r)"
        case let .manifestMismatch(p, r): return "\(p): does not match the manifest: \(r)"
        case let .columnNotFound(n, a): return "no column named \"\(n)\" (columns: \(a.joined(separator: ", ")))"
        case let .duplicateColumn(n): return "column \"\(n)\" was already added"
        case let .typeMismatch(c, e, a): return "column \"\(c)\" holds \(a.rawValue), not \(e.rawValue)"
        case let .recordOutOfRange(c, i, n): return "column \"\(c)\": record \(i) is out of range 0..<\(n)"
        case let .recordLengthMismatch(c, l, g):
            return "column \"\(c)\": \(g) elements is not a whole number of \(l)-element records"
        case let .recordTooLarge(c, b, m): return "column \"\(c)\": a record of \(b) bytes exceeds the shard size limit of \(m) bytes"
        case let .invalidUTF8(p, r): return "\(p): record \(r) is not valid UTF-8"
        case let .invalidArgument(n, r): return "invalid \(n): \(r)"
        case let .writerClosed(p): return "\(p): the writer was already committed or aborted"
        }
    }
}
