// swift-tools-version: 6.0
// I3Retriever: implicit-interaction (I^3) dense passage retrieval in Swift.
// Dependencies point one way, down (see docs/architecture.md):
//   CLZ4, CBLAS (dlopen of OpenBLAS), CVectorKernels  ->  VectorKernels, ShardStore  ->  IndexCore, KMeans
//   ->  HNSW, IVFPQ, LateInteraction   |   WordPieceTokenizer -> I3Encoder -> I3Training   |   I3Retriever  ->  I3Server  ->  i3, I3Bench
import PackageDescription

let package = Package(
    name: "I3Retriever",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ShardStore", targets: ["ShardStore"]),
        .library(name: "VectorKernels", targets: ["VectorKernels"]),
        .library(name: "IndexCore", targets: ["IndexCore"]),
        .library(name: "KMeans", targets: ["KMeans"]),
        .library(name: "HNSW", targets: ["HNSW"]),
        .library(name: "IVFPQ", targets: ["IVFPQ"]),
        .library(name: "LateInteraction", targets: ["LateInteraction"]),
        .library(name: "WordPieceTokenizer", targets: ["WordPieceTokenizer"]),
        .library(name: "I3Encoder", targets: ["I3Encoder"]),
        .library(name: "DataSets", targets: ["DataSets"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .library(name: "TerminalProgress", targets: ["TerminalProgress"]),
        .library(name: "I3Retriever", targets: ["I3Retriever"]),
        .library(name: "I3Training", targets: ["I3Training"]),
        .library(name: "I3Server", targets: ["I3Server"]),
        .executable(name: "i3", targets: ["i3"]),
        .executable(name: "I3Bench", targets: ["I3Bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // OpenBLAS (Debian libopenblas-dev / libopenblas0), opened with dlopen after its kernels are chosen
        // from cpuid (not linked: a linked OpenBLAS picks them before any of our code runs; docs/encoder.md).
        .target(name: "CBLAS", path: "Sources/CBLAS",
                linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // System library from Debian: liblz4-dev.
        .systemLibrary(name: "CLZ4", path: "Sources/CLZ4", providers: [.apt(["liblz4-dev"])]),

        // SIMD distance kernels in C, compiled per ISA with target attributes, chosen at run time (cpuid).
        .target(name: "CVectorKernels", path: "Sources/CVectorKernels"),
        // Distances, normalisation, top-k heap, seeded RNG.
        .target(name: "VectorKernels", dependencies: ["CVectorKernels"]),
        // Versioned, checksummed LZ4 shards: writer, reader, typed columns.
        .target(name: "ShardStore", dependencies: ["CLZ4"]),
        // The index protocol, Neighbor, metric, ids, errors, exact flat index (the oracle).
        .target(name: "IndexCore", dependencies: ["VectorKernels", "ShardStore"]),
        // k-means (BLAS assignment), reused by IVF-PQ and the late-interaction bench.
        .target(name: "KMeans", dependencies: ["CBLAS", "CVectorKernels", "VectorKernels"]),
        .target(name: "HNSW", dependencies: ["IndexCore", "CVectorKernels", "VectorKernels", "ShardStore"]),
        .target(name: "IVFPQ", dependencies: ["IndexCore", "CVectorKernels", "VectorKernels", "ShardStore", "KMeans", "CBLAS"]),
        // Late interaction (ColBERT/PLAID): packed token store, exact MaxSim, PLAID-style compressed index.
        .target(name: "LateInteraction", dependencies: ["IndexCore", "CVectorKernels", "VectorKernels", "ShardStore", "KMeans", "CBLAS"]),
        .target(name: "WordPieceTokenizer"),
        .target(name: "I3Encoder", dependencies: ["CBLAS", "CVectorKernels", "VectorKernels", "WordPieceTokenizer"]),
        // Retrieval data: passage TSV, TREC queries/qrels/runs, the Debian dictionary task (GCIDE + WordNet).
        .target(name: "DataSets"),
        // Retrieval metrics (trec_eval definitions) and latency statistics.
        .target(name: "Evaluation", dependencies: ["DataSets"]),
        // A progress bar for long jobs on standard error.
        .target(name: "TerminalProgress"),
        // Training: owned parameters with gradients, forward-with-cache and backward of every BERT/I^3 op,
        // InfoNCE + reconstruction losses, AdamW, checkpoints; writes sentence-transformers directories.
        .target(name: "I3Training", dependencies: ["I3Encoder", "CBLAS", "CVectorKernels", "VectorKernels", "WordPieceTokenizer"]),
        .target(name: "I3Retriever", dependencies: [
            "DataSets", "TerminalProgress", "I3Encoder", "IndexCore", "HNSW", "IVFPQ", "ShardStore", "VectorKernels",
        ]),
        // The retriever as an HTTP service (Hummingbird): routes, JSON types, errors, metrics, hot reload, search page.
        .target(name: "I3Server", dependencies: [
            "I3Retriever", "IndexCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], resources: [.embedInCode("Resources/openapi.json"), .embedInCode("Resources/search.html")]),
        .executableTarget(name: "i3", dependencies: [
            "I3Server",
            "I3Retriever", "I3Encoder", "I3Training", "IndexCore", "DataSets", "Evaluation", "TerminalProgress",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Benchmark support (no product): data set directories, recall, curves, JSON points, SVG plots.
        .target(name: "BenchSupport", dependencies: ["IndexCore", "VectorKernels"]),
        .executableTarget(name: "I3Bench", dependencies: [
            "BenchSupport", "I3Retriever", "Evaluation",
            "I3Encoder", "I3Training", "WordPieceTokenizer", "IndexCore", "HNSW", "IVFPQ", "ShardStore", "VectorKernels", "CVectorKernels", "CBLAS",
            "DataSets", "LateInteraction",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Seeded mutation fuzzing of every reader of untrusted files (scripts/fuzz.sh); not a product.
        .target(name: "Fuzzing", dependencies: [
            "DataSets", "HNSW", "I3Encoder", "I3Retriever", "IndexCore", "IVFPQ", "ShardStore", "TestSupport",
            "VectorKernels", "WordPieceTokenizer",
        ]),
        .executableTarget(name: "I3Fuzz", dependencies: ["Fuzzing"]),

        // Child process for the shard-store crash (SIGKILL) and bounded-memory tests; not a product.
        .executableTarget(name: "ShardCrashProbe", dependencies: ["ShardStore"]),

        // Shared test helpers: seeded data generators, brute-force oracle, temp directories.
        .target(name: "TestSupport", dependencies: ["IndexCore", "VectorKernels"], path: "Sources/TestSupport"),

        .testTarget(name: "SystemLibraryTests", dependencies: ["CBLAS", "CLZ4"]),
        .testTarget(name: "VectorKernelsTests", dependencies: ["VectorKernels", "CVectorKernels"]),
        .testTarget(name: "ShardStoreTests", dependencies: ["ShardStore", "VectorKernels", "TestSupport"]),
        .testTarget(name: "IndexCoreTests", dependencies: ["IndexCore", "ShardStore", "VectorKernels", "TestSupport"]),
        .testTarget(name: "KMeansTests", dependencies: ["KMeans", "CVectorKernels", "VectorKernels", "TestSupport"]),
        .testTarget(name: "HNSWTests", dependencies: ["HNSW", "IndexCore", "ShardStore", "VectorKernels", "TestSupport"]),
        .testTarget(name: "IVFPQTests", dependencies: ["IVFPQ", "IndexCore", "ShardStore", "CVectorKernels", "VectorKernels", "TestSupport"]),
        .testTarget(name: "LateInteractionTests", dependencies: [
            "LateInteraction", "I3Encoder", "IndexCore", "ShardStore", "CVectorKernels", "VectorKernels", "TestSupport",
        ]),
        .testTarget(name: "WordPieceTokenizerTests", dependencies: ["WordPieceTokenizer", "TestSupport"]),
        .testTarget(name: "I3EncoderTests", dependencies: ["I3Encoder", "CBLAS", "CVectorKernels", "TestSupport"]),
        .testTarget(name: "I3TrainingTests", dependencies: ["I3Training", "I3Encoder", "CBLAS", "CVectorKernels", "VectorKernels", "WordPieceTokenizer", "TestSupport"]),
        .testTarget(name: "BenchSupportTests", dependencies: ["BenchSupport", "IndexCore", "TestSupport"]),
        .testTarget(name: "I3ServerTests", dependencies: [
            "I3Server", "I3Retriever", "IndexCore", "VectorKernels", "TestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "DataSetsTests", dependencies: ["DataSets", "TestSupport"]),
        .testTarget(name: "FuzzingTests", dependencies: ["Fuzzing"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "DataSets", "TestSupport"]),
        .testTarget(name: "TerminalProgressTests", dependencies: ["TerminalProgress"]),
        .testTarget(name: "I3RetrieverTests", dependencies: ["I3Retriever", "DataSets", "Evaluation", "TerminalProgress", "I3Encoder", "IndexCore", "HNSW", "IVFPQ", "VectorKernels", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
