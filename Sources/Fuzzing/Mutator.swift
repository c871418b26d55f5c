import VectorKernels

/// Seeded byte-level mutations in the style of libFuzzer's default mutators: bit flips, random and
/// "interesting" bytes, inserted, deleted and duplicated ranges, truncation, ASCII digit runs, and
/// splicing with another corpus entry. The same seed gives the same sequence of inputs.
public struct Mutator {
    var rng: SeededRandom
    /// Mutations land in the first `focusBytes` of an input 90 % of the time (file headers: a
    /// safetensors header, a manifest, a TSV's first lines), anywhere otherwise.
    public var focusBytes = 4096

    /// A mutator whose choices follow `seed`.
    public init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(rng.next() % UInt64(n)) }

    mutating func position(in count: Int) -> Int {
        guard count > 0 else { return 0 }
        return below(10) < 9 ? below(min(count, focusBytes)) : below(count)
    }

    static let interesting: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x09, 0x0A, 0x0D, 0x20, 0x22, 0x2C, 0x2D,
                                       0x30, 0x39, 0x3A, 0x5B, 0x5D, 0x7B, 0x7D, 0xC3, 0xE2, 0xF0]

    /// One to four mutations of `input`; `corpus` supplies splice partners.
    public mutating func mutate(_ input: [UInt8], corpus: [[UInt8]]) -> [UInt8] {
        var x = input
        for _ in 0...below(4) {
            switch below(10) {
            case 0 where !x.isEmpty:
                let p = position(in: x.count)
                x[p] ^= UInt8(1) << UInt8(below(8))
            case 1 where !x.isEmpty:
                x[position(in: x.count)] = UInt8(truncatingIfNeeded: rng.next())
            case 2 where !x.isEmpty:
                x[position(in: x.count)] = Self.interesting[below(Self.interesting.count)]
            case 3:
                let p = position(in: x.count + 1)
                x.insert(contentsOf: (0..<(1 + below(8))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: min(p, x.count))
            case 4 where !x.isEmpty:
                let p = position(in: x.count)
                x.removeSubrange(p..<min(x.count, p + 1 + below(16)))
            case 5 where !x.isEmpty:
                let p = position(in: x.count), n = 1 + below(min(64, x.count - p))
                x.insert(contentsOf: x[p..<(p + n)], at: position(in: x.count + 1))
            case 6 where !x.isEmpty:
                x.removeLast(below(x.count) + 1)
            case 7:
                // A run of digits or a sign where numbers are parsed (lengths, offsets, counts).
                let digits: [UInt8] = below(2) == 0 ? Array("99999999999999999999".utf8) : Array("-1".utf8)
                x.insert(contentsOf: digits.prefix(1 + below(digits.count)), at: position(in: x.count + 1))
            case 8 where corpus.count > 1:
                let other = corpus[below(corpus.count)]
                guard !other.isEmpty else { continue }
                let a = position(in: x.count + 1), b = below(other.count)
                x = Array(x.prefix(a)) + Array(other[b...].prefix(1 + below(256)))
            default:
                if !x.isEmpty { x.swapAt(position(in: x.count), position(in: x.count)) }
            }
        }
        return x
    }
}
