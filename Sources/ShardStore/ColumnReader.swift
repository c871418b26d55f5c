/// One open shard: its manifest entry, open file and decoded index.
struct OpenShard: Sendable {
    let manifest: ShardManifest
    let file: FileDescriptor
    let index: ShardIndexFile
}

/// Reads one column of a `ShardReader`: typed access to record `i`, to ranges of records, to everything,
/// and shard-by-shard streaming. Sendable and safe for concurrent reads.
///
/// Record `i` costs decoding only the LZ4 block(s) that hold it (`blockBytes`, 64 KiB by default), found
/// through the shard's index file; recently decoded blocks are kept in a small CLOCK cache (`cacheBytes`).
public final class ColumnReader: Sendable {
    /// Column name.
    public let name: String
    /// Element type.
    public let elementType: ElementType
    /// Elements per record, or nil for a variable-length column.
    public let recordLength: Int?
    /// Number of records.
    public let recordCount: Int
    /// The column's manifest entry.
    public let manifest: ColumnManifest
    let shards: [OpenShard]
    let cache: BlockCache

    init(manifest m: ColumnManifest, directory: FileDescriptor, verifyChecksums: Bool, cacheBytes: Int) throws {
        name = m.name
        elementType = m.elementType
        recordLength = m.recordLength
        recordCount = m.recordCount
        manifest = m
        cache = BlockCache(capacity: max(2, cacheBytes / m.blockBytes))
        var open: [OpenShard] = []
        for sh in m.shards {
            guard let file = try FileDescriptor.openRead(in: directory, name: sh.file) else {
                throw ShardStoreError.missingShard(path: directory.path + "/" + sh.file)
            }
            let size = try file.size()
            if size < sh.compressedBytes {
                throw ShardStoreError.truncatedFrame(path: file.path, expectedBytes: sh.compressedBytes, actualBytes: size)
            }
            guard size == sh.compressedBytes else {
                throw ShardStoreError.manifestMismatch(path: file.path, reason: "file is \(size) bytes, the manifest says \(sh.compressedBytes)")
            }
            try LZ4Frame.validateHeader(try file.readExactly(LZ4Frame.headerLength, at: 0), blockBytes: m.blockBytes, path: file.path)
            guard let indexFile = try FileDescriptor.openRead(in: directory, name: sh.indexFile) else {
                throw ShardStoreError.missingShard(path: directory.path + "/" + sh.indexFile)
            }
            let indexSize = try indexFile.size()
            if indexSize < sh.indexBytes {
                throw ShardStoreError.truncatedFrame(path: indexFile.path, expectedBytes: sh.indexBytes, actualBytes: indexSize)
            }
            guard indexSize == sh.indexBytes else {
                throw ShardStoreError.manifestMismatch(path: indexFile.path, reason: "file is \(indexSize) bytes, the manifest says \(sh.indexBytes)")
            }
            let indexBytes = try indexFile.readExactly(indexSize, at: 0)
            let indexSum = XXH32.hash(indexBytes)
            guard XXH32.label(indexSum) == sh.indexChecksum.lowercased() else {
                throw ShardStoreError.checksumMismatch(path: indexFile.path, detail: "index file", expected: sh.indexChecksum, actual: XXH32.label(indexSum))
            }
            let index = try ShardIndexFile.decode(indexBytes, path: indexFile.path, recordCount: sh.recordCount, rawBytes: sh.rawBytes,
                                                  blockBytes: m.blockBytes, variableLength: m.recordLength == nil,
                                                  compressedBytes: sh.compressedBytes)
            if let offsets = index.recordOffsets {
                let width = UInt64(m.elementType.byteWidth)
                guard offsets.allSatisfy({ $0 % width == 0 }) else {
                    throw ShardStoreError.manifestMismatch(path: indexFile.path, reason: "a record offset is not a multiple of the element size")
                }
            }
            let shard = OpenShard(manifest: sh, file: file, index: index)
            if verifyChecksums { try ColumnReader.checkFileChecksum(shard) }
            open.append(shard)
        }
        shards = open
    }

    /// Number of shards.
    public var shardCount: Int { shards.count }

    /// The records of each shard, in order.
    public var shardRecordRanges: [Range<Int>] {
        shards.map { $0.manifest.firstRecord ..< $0.manifest.firstRecord + $0.manifest.recordCount }
    }

    /// Calls `body` with each shard's index and record range, in order. Read the records inside `body`
    /// (for example with `floats(records:)`) to stream the column with memory bounded by one shard.
    public func forEachShard(_ body: (Int, Range<Int>) throws -> Void) rethrows {
        for (s, range) in shardRecordRanges.enumerated() { try body(s, range) }
    }

    /// Number of elements in record `i`.
    public func elementCount(record i: Int) throws -> Int {
        let (s, local) = try locate(i)
        return try rawRange(shard: s, local: local).count / elementType.byteWidth
    }

    // MARK: Locating records

    func locate(_ i: Int) throws -> (shard: Int, local: Int) {
        guard i >= 0, i < recordCount else { throw ShardStoreError.recordOutOfRange(column: name, index: i, count: recordCount) }
        var lo = 0, hi = shards.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if shards[mid].manifest.firstRecord <= i { lo = mid } else { hi = mid - 1 }
        }
        return (lo, i - shards[lo].manifest.firstRecord)
    }

    /// Byte range of a record inside its shard's raw bytes.
    func rawRange(shard s: Int, local: Int) throws -> Range<Int> {
        let sh = shards[s]
        if let l = recordLength {
            let w = l * elementType.byteWidth
            return local * w ..< (local + 1) * w
        }
        guard let offsets = sh.index.recordOffsets else {
            throw ShardStoreError.manifestMismatch(path: sh.file.path, reason: "variable-length shard without record offsets")
        }
        return Int(offsets[local]) ..< Int(offsets[local + 1])
    }

    func checkType(_ requested: ElementType) throws {
        guard requested == elementType else { throw ShardStoreError.typeMismatch(column: name, expected: requested, actual: elementType) }
    }

    // MARK: Verification

    /// Hashes a shard file in 1 MiB steps and compares with the manifest.
    static func checkFileChecksum(_ shard: OpenShard) throws {
        let size = shard.manifest.compressedBytes
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(1 << 20, max(size, 1)), alignment: 16)
        defer { buffer.deallocate() }
        var hasher = XXH32()
        var at = 0
        while at < size {
            let n = min(buffer.count, size - at)
            let window = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n])
            let got = try shard.file.read(into: window, at: at)
            guard got == n else { throw ShardStoreError.truncatedFrame(path: shard.file.path, expectedBytes: size, actualBytes: at + got) }
            hasher.update(UnsafeRawBufferPointer(window))
            at += n
        }
        let actual = XXH32.label(hasher.digest())
        guard actual == shard.manifest.checksum.lowercased() else {
            throw ShardStoreError.checksumMismatch(path: shard.file.path, detail: "shard file", expected: shard.manifest.checksum, actual: actual)
        }
    }

    /// Reads and decodes every shard, checking the file checksum and the frame's block and content checksums.
    public func verify() throws {
        for s in 0..<shards.count {
            let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, shards[s].manifest.rawBytes), alignment: 16)
            defer { raw.deallocate() }
            try readWholeShard(s, into: UnsafeMutableRawBufferPointer(rebasing: raw[0 ..< shards[s].manifest.rawBytes]))
        }
    }
}
