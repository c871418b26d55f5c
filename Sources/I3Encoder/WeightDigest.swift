/// A fast, stable 128-bit digest of weight bytes (two independent 64-bit multiply-xorshift lanes),
/// used as a model identity so indexes can refuse vectors from another model. Not cryptographic.
enum WeightDigest {
    static func hex(of bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> String {
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ seed
        var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F &+ seed
        let n = bytes.count
        let words = n / 8
        if let base = bytes.baseAddress {
            for i in 0..<words {
                let w = base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
                a = (a ^ w) &* 0x100_0000_01B3
                a ^= a >> 29
                b = (b &+ w) &* 0xFF51_AFD7_ED55_8CCD
                b ^= b >> 32
            }
            var tail: UInt64 = 0
            for i in (8 * words)..<n { tail = (tail << 8) | UInt64(base.load(fromByteOffset: i, as: UInt8.self)) }
            a = (a ^ tail ^ UInt64(n)) &* 0x100_0000_01B3
            b = (b &+ tail &+ UInt64(n)) &* 0xFF51_AFD7_ED55_8CCD
        }
        return hex64(mix(a)) + hex64(mix(b))
    }

    static func combine(_ parts: [String]) -> String {
        let joined = Array(parts.joined(separator: "|").utf8)
        return joined.withUnsafeBytes { hex(of: $0, seed: 17) }
    }

    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func hex64(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
