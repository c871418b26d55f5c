import ArgumentParser
import IndexCore

/// The search-time knobs shared by `i3 search` and `i3 eval`.
struct SearchOptions: ParsableArguments {
    @Option(name: .long, help: "HNSW search breadth (ef).")
    var ef: Int?

    @Option(name: .long, help: "IVF-PQ lists to probe.")
    var nprobe: Int?

    @Option(name: .long, help: "IVF-PQ exact re-ranking factor.")
    var refine: Int?

    @Option(name: .long, help: "HNSW, IVF-PQ: the recall@k to reach, looked up in the recall curve fitted when the index was built (or by `i3 tune`); knobs given above win.")
    var targetRecall: Double?

    /// The parameters for the index (unset knobs keep the index's defaults).
    var parameters: SearchParameters {
        SearchParameters(ef: ef, nprobe: nprobe, refineFactor: refine, targetRecall: targetRecall)
    }
}
