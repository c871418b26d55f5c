import Foundation
import I3Encoder

/// Mines hard negatives with the base model's own exact index: for each training query, the
/// top-ranked passages that are not judged relevant.
public enum HardNegativeMiner {
    /// `passageVectors`/`queryVectors` from the base encoder; returns `depth` passage indices per query.
    public static func mine(queryVectors: [[Float]], passageVectors: [[Float]], positives: [[Int]], depth: Int) -> [[Int]] {
        ExactSearch.topK(queries: queryVectors, passages: passageVectors, k: depth, exclude: positives.map(Set.init))
            .map { $0.map { Int($0.id) } }
    }
}
