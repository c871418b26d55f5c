import CLZ4

/// LZ4 frame encoding and decoding as the store uses it: independent blocks of at most `blockBytes`
/// raw bytes (one block per flush), a checksum after every block, and a content checksum at the end.
/// Every shard file is a standard LZ4 frame (`lz4 -dc` decodes it).
enum LZ4Frame {
    /// LZ4 frame magic number.
    static let magic: UInt32 = 0x184D_2204
    /// Length of the frame header the store writes (no content size, no dictionary id).
    static let headerLength = 7
    /// End mark (4 zero bytes) plus the content checksum.
    static let trailerLength = 8
    /// Smallest and largest supported raw block size.
    static let blockBytesRange = 4096...(4 << 20)

    /// The LZ4F block-size class that holds blocks of `blockBytes`.
    static func blockSizeID(for blockBytes: Int) -> LZ4F_blockSizeID_t {
        if blockBytes <= 64 << 10 { return LZ4F_max64KB }
        if blockBytes <= 256 << 10 { return LZ4F_max256KB }
        if blockBytes <= 1 << 20 { return LZ4F_max1MB }
        return LZ4F_max4MB
    }

    static func preferences(blockBytes: Int) -> LZ4F_preferences_t {
        var prefs = LZ4F_preferences_t()
        prefs.frameInfo.blockSizeID = blockSizeID(for: blockBytes)
        prefs.frameInfo.blockMode = LZ4F_blockIndependent
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled
        prefs.compressionLevel = 0
        prefs.autoFlush = 1
        return prefs
    }

    static func errorName(_ code: Int) -> String {
        guard let name = LZ4F_getErrorName(code) else { return "LZ4F error \(code)" }
        return String(cString: name)
    }

    /// Checks the 7-byte frame header the store writes: magic, version, independent blocks, both checksums,
    /// a block size class that holds `blockBytes`, and the header checksum byte.
    static func validateHeader(_ h: [UInt8], blockBytes: Int, path: String) throws {
        guard h.count >= headerLength else {
            throw ShardStoreError.truncatedFrame(path: path, expectedBytes: headerLength, actualBytes: h.count)
        }
        let m = UInt32(h[0]) | UInt32(h[1]) << 8 | UInt32(h[2]) << 16 | UInt32(h[3]) << 24
        guard m == magic else { throw ShardStoreError.corruptFrame(path: path, reason: "bad magic number 0x\(String(m, radix: 16))") }
        let flg = h[4], bd = h[5]
        guard flg >> 6 == 1 else { throw ShardStoreError.corruptFrame(path: path, reason: "unsupported LZ4 frame version \(flg >> 6)") }
        guard flg & 0x20 != 0, flg & 0x10 != 0, flg & 0x04 != 0, flg & 0x08 == 0, flg & 0x01 == 0, flg & 0x02 == 0 else {
            throw ShardStoreError.corruptFrame(path: path, reason: "frame flags 0x\(String(flg, radix: 16)) are not the store's (independent blocks, block and content checksums)")
        }
        let sizeClass = Int(bd >> 4) & 7
        guard bd & 0x8F == 0, sizeClass >= 4 else {
            throw ShardStoreError.corruptFrame(path: path, reason: "bad block descriptor byte 0x\(String(bd, radix: 16))")
        }
        let classBytes = 1 << (8 + 2 * sizeClass)
        guard classBytes >= blockBytes else {
            throw ShardStoreError.corruptFrame(path: path, reason: "block size class \(classBytes) is smaller than the manifest's block size \(blockBytes)")
        }
        let hc = UInt8(truncatingIfNeeded: XXH32.hash(Array(h[4..<6])) >> 8)
        guard hc == h[6] else {
            throw ShardStoreError.checksumMismatch(path: path, detail: "frame header", expected: String(h[6]), actual: String(hc))
        }
    }

    /// Decodes one block stored at `range` of `file` into `rawSize` bytes, verifying its checksum.
    static func decodeBlock(file: FileDescriptor, range: Range<Int>, rawSize: Int, blockIndex: Int,
                            into dst: UnsafeMutableRawBufferPointer) throws {
        let stored = range.count
        guard stored >= 8, stored <= rawSize + rawSize / 255 + 64 + 8 else {
            throw ShardStoreError.manifestMismatch(path: file.path, reason: "block \(blockIndex) spans \(stored) bytes, implausible for \(rawSize) raw bytes")
        }
        let src = UnsafeMutableRawBufferPointer.allocate(byteCount: stored, alignment: 16)
        defer { src.deallocate() }
        let got = try file.read(into: src, at: range.lowerBound)
        guard got == stored else {
            throw ShardStoreError.truncatedFrame(path: file.path, expectedBytes: range.upperBound, actualBytes: range.lowerBound + got)
        }
        let field = UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        let dataSize = Int(field & 0x7FFF_FFFF)
        guard dataSize + 8 == stored else {
            throw ShardStoreError.corruptFrame(path: file.path, reason: "block \(blockIndex) header says \(dataSize) bytes, the index says \(stored - 8)")
        }
        let data = UnsafeRawBufferPointer(rebasing: src[4 ..< 4 + dataSize])
        let expected = UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 + dataSize, as: UInt32.self))
        let actual = XXH32.hash(data)
        guard expected == actual else {
            throw ShardStoreError.checksumMismatch(path: file.path, detail: "block \(blockIndex)",
                                                   expected: XXH32.label(expected), actual: XXH32.label(actual))
        }
        guard dst.count == rawSize, let out = dst.baseAddress, let inp = data.baseAddress else {
            if rawSize == 0 { return }
            throw ShardStoreError.corruptFrame(path: file.path, reason: "block \(blockIndex) has no room")
        }
        if field & 0x8000_0000 != 0 {
            guard dataSize == rawSize else {
                throw ShardStoreError.corruptFrame(path: file.path, reason: "stored block \(blockIndex) holds \(dataSize) bytes, expected \(rawSize)")
            }
            out.copyMemory(from: inp, byteCount: rawSize)
        } else {
            let n = LZ4_decompress_safe(inp.assumingMemoryBound(to: CChar.self), out.assumingMemoryBound(to: CChar.self),
                                        Int32(dataSize), Int32(rawSize))
            guard n == Int32(rawSize) else {
                throw ShardStoreError.corruptFrame(path: file.path, reason: "block \(blockIndex) decodes to \(n) bytes, expected \(rawSize)")
            }
        }
    }

    /// Bytes read from a shard file per step when decoding it whole.
    static let readChunkBytes = 1 << 20

    /// Decodes the whole frame in `file` (`compressedBytes` long) into exactly `dst.count` bytes, reading it in
    /// 1 MiB steps. Checks the file's XXH32 against `expectedChecksum` (reported first: a damaged file is a
    /// checksum mismatch, whatever the decoder made of it), and LZ4F checks block and content checksums.
    static func decodeFrame(file: FileDescriptor, compressedBytes: Int, expectedChecksum: UInt32,
                            into dst: UnsafeMutableRawBufferPointer) throws {
        let path = file.path
        var dctx: OpaquePointer?
        let rc = LZ4F_createDecompressionContext(&dctx, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(rc) == 0 else {
            throw ShardStoreError.io(path: path, operation: "create LZ4 decompression context", reason: errorName(rc))
        }
        defer { LZ4F_freeDecompressionContext(dctx) }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: min(readChunkBytes, max(compressedBytes, 1)), alignment: 16)
        defer { chunk.deallocate() }
        var hasher = XXH32()
        var fileOffset = 0, produced = 0, finished = false
        var frameError: ShardStoreError?
        var scratch: UInt8 = 0
        while fileOffset < compressedBytes {
            let n = min(chunk.count, compressedBytes - fileOffset)
            let window = UnsafeMutableRawBufferPointer(rebasing: chunk[0..<n])
            let got = try file.read(into: window, at: fileOffset)
            guard got == n else {
                throw ShardStoreError.truncatedFrame(path: path, expectedBytes: compressedBytes, actualBytes: fileOffset + got)
            }
            hasher.update(UnsafeRawBufferPointer(window))
            fileOffset += n
            guard frameError == nil, let src = window.baseAddress else { continue }
            var consumed = 0
            while consumed < n {
                if finished {
                    frameError = .corruptFrame(path: path, reason: "\(compressedBytes - fileOffset + n - consumed) bytes after the end of the frame")
                    break
                }
                var srcSize = n - consumed
                var dstSize = dst.count - produced
                let out: UnsafeMutableRawPointer
                if let d = dst.baseAddress, dstSize > 0 { out = d + produced } else {
                    // Output full: a 1-byte window, so that extra content is detected rather than ignored.
                    out = withUnsafeMutablePointer(to: &scratch) { UnsafeMutableRawPointer($0) }
                    dstSize = 1
                }
                let full = produced == dst.count
                let hint = LZ4F_decompress(dctx, out, &dstSize, src + consumed, &srcSize, nil)
                if LZ4F_isError(hint) != 0 {
                    let name = errorName(hint)
                    frameError = name.contains("hecksum")
                        ? .checksumMismatch(path: path, detail: name, expected: "stored", actual: "differs")
                        : .corruptFrame(path: path, reason: name)
                    break
                }
                if full && dstSize > 0 {
                    frameError = .manifestMismatch(path: path, reason: "frame holds more than the \(dst.count) raw bytes the manifest lists")
                    break
                }
                consumed += srcSize
                produced += dstSize
                if hint == 0 { finished = true; continue }
                if srcSize == 0 && dstSize == 0 {
                    frameError = .corruptFrame(path: path, reason: "the decoder made no progress at byte \(fileOffset - n + consumed)")
                    break
                }
            }
        }
        let actual = hasher.digest()
        guard actual == expectedChecksum else {
            throw ShardStoreError.checksumMismatch(path: path, detail: "shard file", expected: XXH32.label(expectedChecksum), actual: XXH32.label(actual))
        }
        if let e = frameError { throw e }
        guard finished else {
            throw ShardStoreError.truncatedFrame(path: path, expectedBytes: compressedBytes + 1, actualBytes: compressedBytes)
        }
        guard produced == dst.count else {
            throw ShardStoreError.manifestMismatch(path: path, reason: "frame holds \(produced) raw bytes, the manifest says \(dst.count)")
        }
    }
}

/// Streams one shard file: raw bytes in, one LZ4 block written per `blockBytes` of input.
/// Memory: one raw block plus one compressed block, whatever the shard size.
final class LZ4ShardFileWriter {
    let file: FileDescriptor
    let blockBytes: Int
    private var ctx: OpaquePointer?
    private var prefs: LZ4F_preferences_t
    private let block: UnsafeMutableRawBufferPointer
    private let out: UnsafeMutableRawBufferPointer
    private var blockFill = 0
    private(set) var rawBytes = 0
    private(set) var compressedBytes = 0
    /// File offset of each block header, plus the offset of the end mark once finished.
    private(set) var blockOffsets: [UInt64] = []
    private var hasher = XXH32()

    init(path: String, blockBytes: Int) throws {
        self.blockBytes = blockBytes
        prefs = LZ4Frame.preferences(blockBytes: blockBytes)
        block = .allocate(byteCount: blockBytes, alignment: 16)
        out = .allocate(byteCount: max(LZ4F_compressBound(blockBytes, &prefs), 64) + LZ4Frame.headerLength + 32, alignment: 16)
        do {
            file = try FileDescriptor.create(path)
        } catch {
            block.deallocate(); out.deallocate()
            throw error
        }
        let rc = LZ4F_createCompressionContext(&ctx, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(rc) == 0 else {
            throw ShardStoreError.io(path: path, operation: "create LZ4 compression context", reason: LZ4Frame.errorName(rc))
        }
        let n = LZ4F_compressBegin(ctx, out.baseAddress, out.count, &prefs)
        guard LZ4F_isError(n) == 0 else {
            throw ShardStoreError.io(path: path, operation: "LZ4F_compressBegin", reason: LZ4Frame.errorName(n))
        }
        try emit(count: n)
    }

    deinit {
        LZ4F_freeCompressionContext(ctx)
        block.deallocate()
        out.deallocate()
    }

    private func emit(count: Int) throws {
        let bytes = UnsafeRawBufferPointer(rebasing: out[0..<count])
        try file.write(bytes)
        hasher.update(bytes)
        compressedBytes += count
    }

    /// Appends raw bytes.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard var p = bytes.baseAddress else { return }
        var remaining = bytes.count
        rawBytes += remaining
        while remaining > 0 {
            let take = min(blockBytes - blockFill, remaining)
            (block.baseAddress.unsafelyUnwrapped + blockFill).copyMemory(from: p, byteCount: take)
            blockFill += take
            p += take
            remaining -= take
            if blockFill == blockBytes { try flushBlock() }
        }
    }

    private func flushBlock() throws {
        guard blockFill > 0 else { return }
        blockOffsets.append(UInt64(compressedBytes))
        let n = LZ4F_compressUpdate(ctx, out.baseAddress, out.count, block.baseAddress, blockFill, nil)
        guard LZ4F_isError(n) == 0 else {
            throw ShardStoreError.io(path: file.path, operation: "LZ4F_compressUpdate", reason: LZ4Frame.errorName(n))
        }
        // autoFlush with input of at most one block yields exactly one block: size field, data, checksum.
        let field = n >= 4 ? UInt32(littleEndian: UnsafeRawBufferPointer(out).loadUnaligned(as: UInt32.self)) : 0
        guard n >= 8, Int(field & 0x7FFF_FFFF) + 8 == n else {
            throw ShardStoreError.io(path: file.path, operation: "LZ4F_compressUpdate", reason: "unexpected block layout (\(n) bytes)")
        }
        try emit(count: n)
        blockFill = 0
    }

    /// Writes the last block, the end mark and content checksum, and fsyncs. Returns the file checksum.
    func finish() throws -> UInt32 {
        try flushBlock()
        blockOffsets.append(UInt64(compressedBytes))
        let n = LZ4F_compressEnd(ctx, out.baseAddress, out.count, nil)
        guard LZ4F_isError(n) == 0, n == LZ4Frame.trailerLength else {
            throw ShardStoreError.io(path: file.path, operation: "LZ4F_compressEnd", reason: LZ4F_isError(n) != 0 ? LZ4Frame.errorName(n) : "unexpected trailer of \(n) bytes")
        }
        try emit(count: n)
        try file.sync()
        return hasher.digest()
    }
}
