import Foundation

/// The index runners compiled into this build, by `--index` name. HNSWRunner.swift and
/// IVFPQRunner.swift join the build (Package.swift `exclude`) once the HNSW and IVF-PQ APIs land.
enum ANNRunners {
    static let available: [String: any ANNRunner] = [
        "flat": FlatRunner(),
    ]
    /// The order `--index all` runs them in.
    static let order = ["flat", "hnsw", "ivfpq"]
}

/// Number of cores for the all-threads build.
enum ProcessInfoCores {
    static var count: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
