/// The per-shard side file `<column>.<NNNNN>.idx`: where each LZ4 block starts in the shard file and, for
/// variable-length columns, where each record starts in the shard's raw bytes. It makes reading record `i`
/// cost one block (or two, when the record crosses a block boundary) instead of the whole shard.
///
/// Layout, all integers little-endian:
/// ```
/// offset  size  field
///      0     4  magic "I3SI"
///      4     4  index version (1)
///      8     8  recordCount
///     16     8  rawBytes
///     24     4  blockBytes (raw bytes per block; the last block may be shorter)
///     28     4  flags (bit 0: record offsets present)
///     32     8  blockCount = ceil(rawBytes / blockBytes)
///     40     8 × (blockCount + 1)   file offset of each block header, then of the end mark
///      …     8 × (recordCount + 1)  raw offset of each record, then rawBytes (only when flag bit 0)
/// ```
struct ShardIndexFile: Equatable {
    static let magic: [UInt8] = Array("I3SI".utf8)
    static let version: UInt32 = 1
    static let headerBytes = 40

    var recordCount: Int
    var rawBytes: Int
    var blockBytes: Int
    var blockOffsets: [UInt64]
    var recordOffsets: [UInt64]?

    var blockCount: Int { blockOffsets.count - 1 }

    /// The serialised bytes.
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ShardIndexFile.headerBytes + 8 * (blockOffsets.count + (recordOffsets?.count ?? 0)))
        out += ShardIndexFile.magic
        func put32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func put64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        put32(ShardIndexFile.version)
        put64(UInt64(recordCount))
        put64(UInt64(rawBytes))
        put32(UInt32(blockBytes))
        put32(recordOffsets == nil ? 0 : 1)
        put64(UInt64(blockCount))
        for o in blockOffsets { put64(o) }
        if let r = recordOffsets { for o in r { put64(o) } }
        return out
    }

    /// Parses and checks an index file against what the manifest says about its shard.
    /// Every count, offset and size is validated before use.
    static func decode(_ bytes: [UInt8], path: String, recordCount: Int, rawBytes: Int, blockBytes: Int,
                       variableLength: Bool, compressedBytes: Int) throws -> ShardIndexFile {
        func mismatch(_ reason: String) -> ShardStoreError { .manifestMismatch(path: path, reason: reason) }
        guard bytes.count >= headerBytes else {
            throw ShardStoreError.truncatedFrame(path: path, expectedBytes: headerBytes, actualBytes: bytes.count)
        }
        guard Array(bytes[0..<4]) == magic else { throw ShardStoreError.corruptFrame(path: path, reason: "not a shard index file (bad magic)") }
        return try bytes.withUnsafeBytes { raw in
            func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
            func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
            guard u32(4) == version else {
                throw ShardStoreError.unknownVersion(path: path, found: "index \(u32(4))", supported: "index \(version)")
            }
            guard u64(8) == UInt64(recordCount) else { throw mismatch("index holds \(u64(8)) records, the manifest \(recordCount)") }
            guard u64(16) == UInt64(rawBytes) else { throw mismatch("index holds \(u64(16)) raw bytes, the manifest \(rawBytes)") }
            guard u32(24) == UInt32(blockBytes) else { throw mismatch("index block size \(u32(24)), the manifest \(blockBytes)") }
            let flags = u32(28)
            guard flags == (variableLength ? 1 : 0) else { throw mismatch("index flags \(flags) do not fit the column's record layout") }
            let expectedBlocks = (rawBytes + blockBytes - 1) / blockBytes
            guard u64(32) == UInt64(expectedBlocks) else { throw mismatch("index lists \(u64(32)) blocks, \(expectedBlocks) expected") }
            let expectedSize = headerBytes + 8 * (expectedBlocks + 1) + (variableLength ? 8 * (recordCount + 1) : 0)
            guard bytes.count == expectedSize else {
                if bytes.count < expectedSize {
                    throw ShardStoreError.truncatedFrame(path: path, expectedBytes: expectedSize, actualBytes: bytes.count)
                }
                throw mismatch("index is \(bytes.count) bytes, \(expectedSize) expected")
            }
            var blocks = [UInt64](repeating: 0, count: expectedBlocks + 1)
            var previous = UInt64(LZ4Frame.headerLength)
            for b in 0...expectedBlocks {
                let o = u64(headerBytes + 8 * b)
                // Each block takes at least 8 bytes (size field + checksum) and starts after the previous one.
                guard b == 0 ? o == previous : o >= previous + 8 else { throw mismatch("block offset \(b) (\(o)) is out of order") }
                blocks[b] = o
                previous = o
            }
            guard previous + UInt64(LZ4Frame.trailerLength) == UInt64(compressedBytes) else {
                throw mismatch("blocks end at \(previous), but the shard file is \(compressedBytes) bytes")
            }
            var records: [UInt64]?
            if variableLength {
                let base = headerBytes + 8 * (expectedBlocks + 1)
                var r = [UInt64](repeating: 0, count: recordCount + 1)
                var prev: UInt64 = 0
                for i in 0...recordCount {
                    let o = u64(base + 8 * i)
                    guard o >= prev, o <= UInt64(rawBytes) else { throw mismatch("record offset \(i) (\(o)) is out of order or past the end") }
                    r[i] = o
                    prev = o
                }
                guard r[0] == 0, r[recordCount] == UInt64(rawBytes) else { throw mismatch("record offsets do not span the shard") }
                records = r
            }
            return ShardIndexFile(recordCount: recordCount, rawBytes: rawBytes, blockBytes: blockBytes,
                                  blockOffsets: blocks, recordOffsets: records)
        }
    }
}
