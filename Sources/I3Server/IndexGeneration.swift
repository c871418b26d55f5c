import Foundation
import I3Retriever

/// One loaded version of the index directory. A request takes one generation and uses only it, so an
/// answer never mixes two versions of the index, whatever reloads happen meanwhile.
public final class IndexGeneration: Sendable {
    /// 1 for the index opened at start, +1 per reload.
    public let number: Int
    /// The opened directory.
    public let retriever: Retriever
    /// The directory's identity when it was opened (what the watcher compares against).
    public let identity: DirectoryIdentity?
    /// When this generation started serving.
    public let loadedAt: Date
    /// Passage id (from the collection file) to the index's internal id.
    private let internalIDs: [String: UInt64]

    /// Opens the lookup from passage ids to internal ids (reads every stored passage once).
    init(number: Int, retriever: Retriever, identity: DirectoryIdentity?) throws {
        var map: [String: UInt64] = [:]
        map.reserveCapacity(retriever.count)
        for i in 0 ..< UInt64(retriever.count) {
            map[try retriever.passage(internalID: i).id] = i
        }
        self.number = number
        self.retriever = retriever
        self.identity = identity
        self.internalIDs = map
        self.loadedAt = Date()
    }

    /// The internal id of the passage `id`, or nil when the index has no such passage.
    public func internalID(of id: String) -> UInt64? { internalIDs[id] }
}
