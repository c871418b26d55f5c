/// XXH32 (Yann Collet's xxHash, 32-bit variant), the checksum LZ4 frames use for blocks and content.
///
/// liblz4 does not export its copy, so this is a straight port of the reference algorithm
/// (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md). Streaming: `update` any number of
/// times, then `digest`. The store uses seed 0 throughout, like LZ4.
struct XXH32 {
    private static let p1: UInt32 = 2_654_435_761
    private static let p2: UInt32 = 2_246_822_519
    private static let p3: UInt32 = 3_266_489_917
    private static let p4: UInt32 = 668_265_263
    private static let p5: UInt32 = 374_761_393

    private var v1: UInt32, v2: UInt32, v3: UInt32, v4: UInt32
    private let seed: UInt32
    private var totalLength: UInt64 = 0
    private var buffer: (UInt64, UInt64) = (0, 0)  // 16 bytes of pending input
    private var buffered = 0

    init(seed: UInt32 = 0) {
        self.seed = seed
        v1 = seed &+ XXH32.p1 &+ XXH32.p2
        v2 = seed &+ XXH32.p2
        v3 = seed
        v4 = seed &- XXH32.p1
    }

    /// The checksum of `bytes` in one call.
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        var h = XXH32(seed: seed)
        h.update(bytes)
        return h.digest()
    }

    /// The checksum of a byte array.
    static func hash(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    @inline(__always) private static func round(_ acc: UInt32, _ input: UInt32) -> UInt32 {
        var a = acc &+ input &* p2
        a = (a << 13) | (a >> 19)
        return a &* p1
    }

    @inline(__always) private static func rotl(_ x: UInt32, _ r: UInt32) -> UInt32 { (x << r) | (x >> (32 - r)) }

    /// Feeds more bytes.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var p = base
        var remaining = bytes.count
        totalLength &+= UInt64(remaining)
        if buffered > 0 {
            let take = min(16 - buffered, remaining)
            let at = buffered
            withUnsafeMutableBytes(of: &buffer) { b in
                if let dst = b.baseAddress { (dst + at).copyMemory(from: p, byteCount: take) }
            }
            buffered += take
            p += take
            remaining -= take
            if buffered < 16 { return }
            let stripe = buffer
            withUnsafeBytes(of: stripe) { b in
                if let src = b.baseAddress { consumeStripes(src, stripes: 1) }
            }
            buffered = 0
        }
        let stripes = remaining / 16
        if stripes > 0 {
            consumeStripes(p, stripes: stripes)
            p += stripes * 16
            remaining -= stripes * 16
        }
        if remaining > 0 {
            let count = remaining
            withUnsafeMutableBytes(of: &buffer) { b in b.baseAddress?.copyMemory(from: p, byteCount: count) }
            buffered = remaining
        }
    }

    @inline(__always) private mutating func consumeStripes(_ p: UnsafeRawPointer, stripes: Int) {
        var a = v1, b = v2, c = v3, d = v4
        var q = p
        for _ in 0..<stripes {
            a = XXH32.round(a, UInt32(littleEndian: q.loadUnaligned(as: UInt32.self)))
            b = XXH32.round(b, UInt32(littleEndian: q.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
            c = XXH32.round(c, UInt32(littleEndian: q.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
            d = XXH32.round(d, UInt32(littleEndian: q.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
            q += 16
        }
        v1 = a; v2 = b; v3 = c; v4 = d
    }

    /// The checksum of everything fed so far.
    func digest() -> UInt32 {
        var h: UInt32
        if totalLength >= 16 {
            h = XXH32.rotl(v1, 1) &+ XXH32.rotl(v2, 7) &+ XXH32.rotl(v3, 12) &+ XXH32.rotl(v4, 18)
        } else {
            h = seed &+ XXH32.p5
        }
        h &+= UInt32(truncatingIfNeeded: totalLength)
        var tail = buffer
        let n = buffered
        withUnsafeBytes(of: &tail) { t in
            var i = 0
            while i + 4 <= n {
                h &+= UInt32(littleEndian: t.loadUnaligned(fromByteOffset: i, as: UInt32.self)) &* XXH32.p3
                h = XXH32.rotl(h, 17) &* XXH32.p4
                i += 4
            }
            while i < n {
                h &+= UInt32(t[i]) &* XXH32.p5
                h = XXH32.rotl(h, 11) &* XXH32.p1
                i += 1
            }
        }
        h ^= h >> 15
        h &*= XXH32.p2
        h ^= h >> 13
        h &*= XXH32.p3
        h ^= h >> 16
        return h
    }

    /// `"xxh32:" + 8 lowercase hex digits`, the form the manifest stores.
    static func label(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "xxh32:" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
