import IndexCore
import VectorKernels

/// How a token store keeps its vectors.
public enum TokenPrecision: String, Sendable, Codable, CaseIterable {
    /// IEEE binary32, 4 bytes per component.
    case float32
    /// IEEE binary16, 2 bytes per component (ColBERT's stored format).
    case float16

    /// Bytes per component.
    public var bytes: Int { self == .float32 ? 4 : 2 }
}

/// All token vectors of a collection in one contiguous row-major matrix (`tokenCount × dimension`),
/// with per-passage row offsets and the passages' external ids: ColBERT's "packed" layout, the
/// oracle of exact MaxSim and the re-ranking store. Immutable and safe to share across threads.
public final class TokenStore: Sendable {
    /// Components per token vector.
    public let dimension: Int
    /// Storage of the vectors.
    public let precision: TokenPrecision
    /// External id of each passage, in passage order.
    public let ids: [UInt64]
    /// `passageCount + 1` row offsets: passage `p` holds rows `offsets[p]..<offsets[p+1]`.
    public let offsets: [Int]
    let float32: [Float]
    let float16: [UInt16]

    /// Number of passages.
    public var passageCount: Int { ids.count }
    /// Number of token vectors.
    public var tokenCount: Int { offsets[offsets.count - 1] }
    /// Bytes of the vectors themselves (the payload; the offsets and ids add 16 bytes per passage).
    public var payloadBytes: Int { tokenCount * dimension * precision.bytes }

    /// Packs `vectors` (`offsets.last! × dimension` floats, unit length expected) for the passages `ids`.
    /// - Throws: `IndexError.invalidParameter` for inconsistent offsets, sizes or duplicate ids,
    ///   `.nonFiniteComponent` for NaN / infinity.
    public init(vectors: [Float], offsets: [Int], ids: [UInt64], dimension: Int, precision: TokenPrecision) throws {
        try Self.validate(offsets: offsets, ids: ids, dimension: dimension, floats: vectors.count)
        if let bad = Normalization.firstNonFinite(vectors) { throw IndexError.nonFiniteComponent(component: bad % dimension) }
        self.dimension = dimension
        self.precision = precision
        self.ids = ids
        self.offsets = offsets
        switch precision {
        case .float32: float32 = vectors; float16 = []
        case .float16: float32 = []; float16 = HalfPrecision.encode(vectors)
        }
    }

    /// A store over already-encoded float16 bits (opening a saved store).
    init(float16 bits: [UInt16], offsets: [Int], ids: [UInt64], dimension: Int) throws {
        try Self.validate(offsets: offsets, ids: ids, dimension: dimension, floats: bits.count)
        self.dimension = dimension
        precision = .float16
        self.ids = ids
        self.offsets = offsets
        float32 = []
        float16 = bits
    }

    static func validate(offsets: [Int], ids: [UInt64], dimension: Int, floats: Int) throws {
        guard dimension > 0 else { throw IndexError.invalidParameter(name: "dimension", reason: "\(dimension) is not positive") }
        guard offsets.count == ids.count + 1, offsets.first == 0 else {
            throw IndexError.invalidParameter(name: "offsets", reason: "need \(ids.count + 1) offsets starting at 0, got \(offsets.count)")
        }
        for p in 0..<ids.count where offsets[p + 1] < offsets[p] {
            throw IndexError.invalidParameter(name: "offsets", reason: "offsets decrease at passage \(p)")
        }
        guard offsets[offsets.count - 1] * dimension == floats else {
            throw IndexError.invalidParameter(
                name: "vectors", reason: "\(floats) values for \(offsets[offsets.count - 1]) tokens of \(dimension) components")
        }
        guard Set(ids).count == ids.count else { throw IndexError.invalidParameter(name: "ids", reason: "ids are not unique") }
    }

    /// Number of tokens of passage `p`.
    public func tokenCount(of p: Int) -> Int { offsets[p + 1] - offsets[p] }

    /// The token vectors of passage `p` as float32 (decoded when stored as float16).
    public func vectors(of p: Int) -> [Float] {
        let lo = offsets[p] * dimension, hi = offsets[p + 1] * dimension
        switch precision {
        case .float32: return Array(float32[lo..<hi])
        case .float16: return HalfPrecision.decode(Array(float16[lo..<hi]))
        }
    }

    /// All vectors as float32, row-major (decoded when stored as float16).
    public func allVectors() -> [Float] {
        precision == .float32 ? float32 : HalfPrecision.decode(float16)
    }
}
