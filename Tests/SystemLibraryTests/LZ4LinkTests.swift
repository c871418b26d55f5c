import CLZ4
import Testing

/// Proves liblz4 is linked and used: LZ4 frames with content checksums round-trip.
@Suite struct LZ4LinkTests {
    @Test func frameRoundTripWithChecksum() throws {
        let text = Array(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 2000).utf8)
        var prefs = LZ4F_preferences_t()
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        prefs.frameInfo.contentSize = UInt64(text.count)
        let bound = LZ4F_compressFrameBound(text.count, &prefs)
        var compressed = [UInt8](repeating: 0, count: bound)
        let written = LZ4F_compressFrame(&compressed, bound, text, text.count, &prefs)
        #expect(LZ4F_isError(written) == 0)
        #expect(written < text.count / 10, "repetitive text compresses well")
        compressed.removeSubrange(written...)

        var dctx: OpaquePointer?
        #expect(LZ4F_isError(LZ4F_createDecompressionContext(&dctx, UInt32(LZ4F_VERSION))) == 0)
        defer { LZ4F_freeDecompressionContext(dctx) }
        var out = [UInt8](repeating: 0, count: text.count)
        var dstSize = out.count, srcSize = compressed.count
        let rc = LZ4F_decompress(dctx, &out, &dstSize, compressed, &srcSize, nil)
        #expect(rc == 0, "frame fully decoded")
        #expect(dstSize == text.count)
        #expect(out == text)
    }

    @Test func corruptedFrameIsDetectedByContentChecksum() {
        let data = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 7)) }
        var prefs = LZ4F_preferences_t()
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        let bound = LZ4F_compressFrameBound(data.count, &prefs)
        var compressed = [UInt8](repeating: 0, count: bound)
        let written = LZ4F_compressFrame(&compressed, bound, data, data.count, &prefs)
        compressed.removeSubrange(written...)
        compressed[written - 2] ^= 0xFF  // inside the content checksum
        var dctx: OpaquePointer?
        _ = LZ4F_createDecompressionContext(&dctx, UInt32(LZ4F_VERSION))
        defer { LZ4F_freeDecompressionContext(dctx) }
        var out = [UInt8](repeating: 0, count: data.count)
        var dstSize = out.count, srcSize = compressed.count
        let rc = LZ4F_decompress(dctx, &out, &dstSize, compressed, &srcSize, nil)
        #expect(LZ4F_isError(rc) != 0)
    }
}
