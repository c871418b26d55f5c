/// FNV-1a, 64-bit (Fowler–Noll–Vo): a stable, seedless hash of a string's UTF-8 bytes, used where a
/// value must not change between runs or machines (the dictionary task's split, the lexical test
/// encoder's token weights). Not for hash tables of untrusted keys.
public enum FNV1a {
    /// The 64-bit FNV-1a hash of `s`'s UTF-8 bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
    public static func hash64(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h ^= UInt64(b); h = h &* 0x0000_0100_0000_01b3 }
        return h
    }
}
