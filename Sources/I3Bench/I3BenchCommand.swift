import ArgumentParser

/// Benchmarks: ANN indexes against hnswlib/faiss, the encoder against sentence-transformers,
/// and I^3 against a late-interaction baseline.
@main
struct I3BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "I3Bench",
        abstract: "Benchmarks for I3Retriever.",
        subcommands: [AnnBenchmark.self, AnnReportCommand.self, ShardsBenchmark.self, EncodeBenchmark.self, TrainStepBenchmark.self,
                      SearchThroughputBenchmark.self, LateBenchmark.self, LatePLAIDSweep.self, LateScalingReport.self, LinearRowsBenchmark.self])
}
