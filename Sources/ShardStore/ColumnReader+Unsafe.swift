/// The byte-level read paths of `ColumnReader`: whole-shard frame decoding, block-by-block decoding for
/// random access, and copying into typed arrays. All offsets come from validated index files and are
/// checked against the shard sizes before use.
extension ColumnReader {
    /// Decodes shard `s` entirely into `dst` (exactly its raw size), checking the file checksum and the
    /// frame's block and content checksums. Memory: `dst` plus a 1 MiB read buffer.
    func readWholeShard(_ s: Int, into dst: UnsafeMutableRawBufferPointer) throws {
        let shard = shards[s]
        guard let expected = ManifestFile.parseChecksum(shard.manifest.checksum.lowercased()) else {
            throw ShardStoreError.corruptManifest(path: shard.file.path, reason: "bad checksum \(shard.manifest.checksum)")
        }
        try LZ4Frame.decodeFrame(file: shard.file, compressedBytes: shard.manifest.compressedBytes,
                                 expectedChecksum: expected, into: dst)
    }

    /// Decodes block `b` of shard `s` into `dst` (exactly the block's raw size).
    private func decodeBlock(_ s: Int, _ b: Int, into dst: UnsafeMutableRawBufferPointer) throws {
        let shard = shards[s]
        let offsets = shard.index.blockOffsets
        try LZ4Frame.decodeBlock(file: shard.file, range: Int(offsets[b]) ..< Int(offsets[b + 1]), rawSize: dst.count,
                                 blockIndex: b, into: dst)
    }

    /// Block `b` of shard `s`, from the cache or decoded (and cached).
    private func cachedBlock(_ s: Int, _ b: Int, rawSize: Int) throws -> [UInt8] {
        let key = BlockCache.key(shard: s, block: b)
        if let hit = cache.get(key) { return hit }
        // Zero elements: no `unsafeUninitializedCapacity`, which would set the count of the standard
        // library's shared empty array (a write that ThreadSanitizer reports racing with other readers).
        guard rawSize > 0 else { return [] }
        let block = try [UInt8](unsafeUninitializedCapacity: rawSize) { buffer, count in
            try decodeBlock(s, b, into: UnsafeMutableRawBufferPointer(buffer))
            count = rawSize
        }
        cache.put(key, block)
        return block
    }

    /// Copies raw bytes `range` of shard `s` to `dst`, decoding only the blocks involved. Blocks covered
    /// completely are decoded straight into `dst`; partly covered ones go through the cache.
    func readRaw(shard s: Int, range: Range<Int>, into dst: UnsafeMutableRawPointer) throws {
        let shard = shards[s]
        let rawBytes = shard.manifest.rawBytes
        guard range.lowerBound >= 0, range.upperBound <= rawBytes else {
            throw ShardStoreError.manifestMismatch(path: shard.file.path, reason: "byte range \(range) is outside the shard's \(rawBytes) bytes")
        }
        if range.isEmpty { return }
        if range.count == rawBytes, shard.index.blockCount > 2 {
            try readWholeShard(s, into: UnsafeMutableRawBufferPointer(start: dst, count: rawBytes))
            return
        }
        let bb = shard.index.blockBytes
        var pos = range.lowerBound
        while pos < range.upperBound {
            let b = pos / bb
            let blockStart = b * bb
            let blockRaw = min(bb, rawBytes - blockStart)
            let from = pos - blockStart
            let take = min(blockRaw - from, range.upperBound - pos)
            let out = dst + (pos - range.lowerBound)
            if from == 0 && take == blockRaw {
                try decodeBlock(s, b, into: UnsafeMutableRawBufferPointer(start: out, count: blockRaw))
            } else {
                let block = try cachedBlock(s, b, rawSize: blockRaw)
                block.withUnsafeBytes { src in
                    if let base = src.baseAddress { out.copyMemory(from: base + from, byteCount: take) }
                }
            }
            pos += take
        }
    }

    /// Raw byte ranges, per shard, of the records in `records`.
    func rawSpans(records: Range<Int>) throws -> [(shard: Int, bytes: Range<Int>)] {
        guard records.lowerBound >= 0, records.upperBound <= recordCount else {
            throw ShardStoreError.recordOutOfRange(column: name, index: records.lowerBound < 0 ? records.lowerBound : records.upperBound - 1,
                                                   count: recordCount)
        }
        if records.isEmpty { return [] }
        var spans: [(Int, Range<Int>)] = []
        var i = records.lowerBound
        while i < records.upperBound {
            let (s, local) = try locate(i)
            let sh = shards[s].manifest
            let lastLocal = min(sh.recordCount, records.upperBound - sh.firstRecord) - 1
            let start = try rawRange(shard: s, local: local).lowerBound
            let end = try rawRange(shard: s, local: lastLocal).upperBound
            spans.append((s, start ..< end))
            i = sh.firstRecord + lastLocal + 1
        }
        return spans
    }

    /// Elements of `records`, concatenated, as `T` (the caller has checked the element type).
    func values<T: BitwiseCopyable>(_: T.Type, records: Range<Int>) throws -> [T] {
        let spans = try rawSpans(records: records)
        let total = spans.reduce(0) { $0 + $1.bytes.count }
        let width = MemoryLayout<T>.stride
        guard width == elementType.byteWidth, total % width == 0 else {
            throw ShardStoreError.manifestMismatch(path: name, reason: "raw size \(total) is not a whole number of \(elementType.rawValue) values")
        }
        guard total > 0 else { return [] }   // see cachedBlock
        return try [T](unsafeUninitializedCapacity: total / width) { buffer, count in
            guard let base = buffer.baseAddress else { count = 0; return }
            let raw = UnsafeMutableRawPointer(base)
            var at = 0
            for span in spans {
                try readRaw(shard: span.shard, range: span.bytes, into: raw + at)
                at += span.bytes.count
            }
            count = total / width
        }
    }

    /// The raw bytes of record `i`, whatever the element type.
    public func rawBytes(record i: Int) throws -> [UInt8] {
        let (s, local) = try locate(i)
        let range = try rawRange(shard: s, local: local)
        guard !range.isEmpty else { return [] }   // see cachedBlock
        return try [UInt8](unsafeUninitializedCapacity: range.count) { buffer, count in
            if let base = buffer.baseAddress { try readRaw(shard: s, range: range, into: UnsafeMutableRawPointer(base)) }
            count = range.count
        }
    }

    /// Strings of `records` (a `utf8` column), each validated as UTF-8.
    public func strings(records: Range<Int>) throws -> [String] {
        try checkType(.utf8)
        let spans = try rawSpans(records: records)
        var out: [String] = []
        out.reserveCapacity(records.count)
        for span in spans {
            let shard = shards[span.shard]
            guard let offsets = shard.index.recordOffsets else {
                throw ShardStoreError.manifestMismatch(path: shard.file.path, reason: "utf8 shard without record offsets")
            }
            let bytes = span.bytes.isEmpty ? [] : try [UInt8](unsafeUninitializedCapacity: span.bytes.count) { buffer, count in
                if let base = buffer.baseAddress { try readRaw(shard: span.shard, range: span.bytes, into: UnsafeMutableRawPointer(base)) }
                count = span.bytes.count
            }
            let first = max(records.lowerBound, shard.manifest.firstRecord) - shard.manifest.firstRecord
            let last = min(records.upperBound, shard.manifest.firstRecord + shard.manifest.recordCount) - shard.manifest.firstRecord
            for local in first..<last {
                let a = Int(offsets[local]) - span.bytes.lowerBound, b = Int(offsets[local + 1]) - span.bytes.lowerBound
                guard let s = String(validating: bytes[a..<b], as: UTF8.self) else {
                    throw ShardStoreError.invalidUTF8(path: shard.file.path, record: shard.manifest.firstRecord + local)
                }
                out.append(s)
            }
        }
        return out
    }
}
