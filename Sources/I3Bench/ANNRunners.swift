import Foundation

/// The index runners of `I3Bench ann`, by `--index` name.
enum ANNRunners {
    static let available: [String: any ANNRunner] = [
        "flat": FlatRunner(),
        "hnsw": HNSWRunner(),
        "ivfpq": IVFPQRunner(),
        "ivfpq-opq": IVFPQRunner(opq: true),
    ]
    /// The order `--index all` runs them in (`ivfpq-opq` only when named).
    static let order = ["flat", "hnsw", "ivfpq"]
}

/// Number of cores for the all-threads build.
enum ProcessInfoCores {
    static var count: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
