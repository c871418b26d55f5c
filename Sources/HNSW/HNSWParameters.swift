import IndexCore

/// How an HNSW index stores its vectors.
public enum VectorStorage: String, Codable, Sendable, CaseIterable {
    /// 4 bytes per component; exact scores.
    case float32
    /// IEEE half precision, 2 bytes per component (about 3 significant digits).
    case float16
    /// Scalar quantization, 1 byte per component: each dimension's range `[min, max]` is trained on the
    /// data (the first batch added, or `train(_:)`) and split into 255 equal steps.
    case int8

    /// Bytes one stored component takes.
    public var bytesPerComponent: Int {
        switch self {
        case .float32: return 4
        case .float16: return 2
        case .int8: return 1
        }
    }
}

/// Build and search settings of an HNSW index (see docs/hnsw.md for how to choose them).
public struct HNSWParameters: Codable, Sendable, Equatable {
    /// Links per node on the upper layers; level 0 keeps up to `2 · m`. Memory grows with it; so does
    /// recall at a given `ef`. 12–48 is the useful range.
    public var m = 16
    /// Size of the candidate list while inserting. Higher builds a better graph, more slowly.
    public var efConstruction = 200
    /// Seed of the level generator: the same seed and insertion order (single-threaded) give the same graph.
    public var seed: UInt64 = 42
    /// How vectors are stored.
    public var storage: VectorStorage = .float32
    /// Candidate-list size of a search that does not set `SearchParameters.ef` (raised to at least `k`).
    public var defaultEf = 64

    public init(m: Int = 16, efConstruction: Int = 200, seed: UInt64 = 42, storage: VectorStorage = .float32,
                defaultEf: Int = 64) {
        self.m = m
        self.efConstruction = efConstruction
        self.seed = seed
        self.storage = storage
        self.defaultEf = defaultEf
    }

    /// Throws `IndexError.invalidParameter` when a value is out of range.
    public func validate() throws {
        guard m >= 2 && m <= 1024 else {
            throw IndexError.invalidParameter(name: "m", reason: "must be in 2...1024, got \(m)")
        }
        guard efConstruction >= 1 else {
            throw IndexError.invalidParameter(name: "efConstruction", reason: "must be at least 1, got \(efConstruction)")
        }
        guard defaultEf >= 1 else {
            throw IndexError.invalidParameter(name: "defaultEf", reason: "must be at least 1, got \(defaultEf)")
        }
    }
}
