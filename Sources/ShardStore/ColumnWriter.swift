/// Streams one column into shard files inside the writer's temporary directory. Holds one open shard
/// (one raw and one compressed LZ4 block) plus, for variable-length columns, the current shard's record
/// offsets: memory does not grow with the column.
final class ColumnWriter {
    let name: String
    let elementType: ElementType
    let recordLength: Int?
    let maxShardBytes: Int
    let blockBytes: Int
    let directory: String

    private(set) var shards: [ShardManifest] = []
    private var current: LZ4ShardFileWriter?
    private var currentRecords = 0
    private var currentOffsets: [UInt64] = []
    private(set) var recordCount = 0

    init(name: String, elementType: ElementType, recordLength: Int?, maxShardBytes: Int, blockBytes: Int, directory: String) throws {
        if let l = recordLength {
            guard l > 0, l <= Int(Int32.max) else {
                throw ShardStoreError.invalidArgument(name: "recordLength", reason: "must be positive, got \(l)")
            }
            let bytes = l * elementType.byteWidth
            guard bytes <= maxShardBytes else {
                throw ShardStoreError.recordTooLarge(column: name, bytes: bytes, maxShardBytes: maxShardBytes)
            }
        }
        self.name = name
        self.elementType = elementType
        self.recordLength = recordLength
        self.maxShardBytes = maxShardBytes
        self.blockBytes = blockBytes
        self.directory = directory
    }

    private func openShard() throws -> LZ4ShardFileWriter {
        if let c = current { return c }
        let file = ColumnNames.shardFile(column: name, shard: shards.count)
        let w = try LZ4ShardFileWriter(path: directory + "/" + file, blockBytes: blockBytes)
        current = w
        currentRecords = 0
        currentOffsets = []
        return w
    }

    /// Appends whole fixed-length records given as `elements` values in `bytes`.
    func appendRecords(_ bytes: UnsafeRawBufferPointer, elements: Int) throws {
        guard let l = recordLength else {
            throw ShardStoreError.invalidArgument(name: "column \(name)", reason: "variable-length column: use appendRecord(…) for one record at a time")
        }
        guard elements % l == 0 else { throw ShardStoreError.recordLengthMismatch(column: name, recordLength: l, got: elements) }
        let recordBytes = l * elementType.byteWidth
        var remaining = elements / l
        var offset = 0
        while remaining > 0 {
            let shard = try openShard()
            let room = (maxShardBytes - shard.rawBytes) / recordBytes
            if room == 0 {
                try finishShard()
                continue
            }
            let take = min(room, remaining)
            try shard.append(UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + take * recordBytes]))
            offset += take * recordBytes
            remaining -= take
            currentRecords += take
            recordCount += take
        }
    }

    /// Appends exactly one record of `elements` values.
    func appendRecord(_ bytes: UnsafeRawBufferPointer, elements: Int) throws {
        if let l = recordLength {
            guard elements == l else { throw ShardStoreError.recordLengthMismatch(column: name, recordLength: l, got: elements) }
            try appendRecords(bytes, elements: elements)
            return
        }
        guard bytes.count <= maxShardBytes else {
            throw ShardStoreError.recordTooLarge(column: name, bytes: bytes.count, maxShardBytes: maxShardBytes)
        }
        if let c = current, c.rawBytes + bytes.count > maxShardBytes { try finishShard() }
        let shard = try openShard()
        currentOffsets.append(UInt64(shard.rawBytes))
        try shard.append(bytes)
        currentRecords += 1
        recordCount += 1
    }

    /// Closes the open shard: finishes its frame, writes its index file, fsyncs both.
    func finishShard() throws {
        guard let shard = current else { return }
        let checksum = try shard.finish()
        var offsets: [UInt64]?
        if recordLength == nil {
            currentOffsets.append(UInt64(shard.rawBytes))
            offsets = currentOffsets
        }
        let index = ShardIndexFile(recordCount: currentRecords, rawBytes: shard.rawBytes, blockBytes: blockBytes,
                                   blockOffsets: shard.blockOffsets, recordOffsets: offsets)
        let indexName = ColumnNames.indexFile(column: name, shard: shards.count)
        let indexBytes = index.encoded()
        let indexFile = try FileDescriptor.create(directory + "/" + indexName)
        try indexBytes.withUnsafeBytes { try indexFile.write($0) }
        try indexFile.sync()
        shards.append(ShardManifest(
            file: ColumnNames.shardFile(column: name, shard: shards.count), indexFile: indexName,
            firstRecord: recordCount - currentRecords, recordCount: currentRecords,
            rawBytes: shard.rawBytes, compressedBytes: shard.compressedBytes, checksum: XXH32.label(checksum),
            indexBytes: indexBytes.count, indexChecksum: XXH32.label(XXH32.hash(indexBytes))))
        current = nil
        currentOffsets = []
        currentRecords = 0
    }

    /// The column's manifest entry (call after `finishShard`).
    var manifest: ColumnManifest {
        ColumnManifest(name: name, elementType: elementType, recordLength: recordLength, recordCount: recordCount,
                       rawBytes: shards.reduce(0) { $0 + $1.rawBytes },
                       compressedBytes: shards.reduce(0) { $0 + $1.compressedBytes },
                       blockBytes: blockBytes, shards: shards)
    }
}
