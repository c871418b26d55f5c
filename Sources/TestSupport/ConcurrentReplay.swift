import Dispatch
import Foundation
import IndexCore
import Synchronization

/// Searches running while a writer adds and deletes, checked against a serial replay.
///
/// One writer applies `batches` in order; before a batch it makes the epoch odd and after it even again
/// (a sequence lock). `searchers` threads search meanwhile and keep a result only when the epoch was the
/// same even value before and after the search, so that no write overlapped it. Then the same batches are
/// applied one by one to `replay` (an index built the same deterministic way) and every kept result must
/// equal the replay's answer after the same number of batches.
public enum ConcurrentReplay {
    /// Operations applied together by the writer.
    public struct Batch: Sendable {
        public var adds: [(id: UInt64, vector: [Float])]
        public var removes: [UInt64]
        public init(adds: [(id: UInt64, vector: [Float])], removes: [UInt64]) {
            self.adds = adds
            self.removes = removes
        }
    }

    /// What a run saw.
    public struct Outcome: Sendable {
        /// Searches that overlapped no write and were checked against the replay.
        public var checked = 0
        /// Searches discarded because a write overlapped them.
        public var discarded = 0
        /// Epochs (batches applied) at which checked searches ran.
        public var distinctEpochs = 0
        /// Descriptions of results that differ from the replay.
        public var mismatches: [String] = []
    }

    public static func run(index: any VectorIndex, replay: any VectorIndex, batches: [Batch], queries: [[Float]],
                           k: Int, parameters: SearchParameters, searchers: Int) throws -> Outcome {
        let epoch = Atomic<Int>(0)
        let writerDone = Atomic<Bool>(false)
        let shared = Shared()
        let discarded = Atomic<Int>(0)
        let completed = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: searchers + 1) { worker in
            if worker == 0 {
                for b in batches {
                    epoch.add(1, ordering: .sequentiallyConsistent)
                    do {
                        for a in b.adds { try index.add(a.vector, id: a.id) }
                        for r in b.removes { try index.remove(id: r) }
                    } catch { shared.fail("writer: \(error)") }
                    epoch.add(1, ordering: .sequentiallyConsistent)
                    // Let the searchers see this state: wait for a round of searches (at most a second).
                    let target = completed.load(ordering: .relaxed) + 2 * searchers
                    var waited = 0
                    while completed.load(ordering: .relaxed) < target, waited < 10_000 {
                        usleep(100)
                        waited += 1
                    }
                }
                writerDone.store(true, ordering: .sequentiallyConsistent)
                return
            }
            var q = worker
            var mine: [(epoch: Int, query: Int, result: [Neighbor])] = []
            repeat {
                let before = epoch.load(ordering: .sequentiallyConsistent)
                let query = q % queries.count
                do {
                    let result = try index.search(queries[query], k: k, parameters: parameters)
                    let after = epoch.load(ordering: .sequentiallyConsistent)
                    if before == after, before % 2 == 0 { mine.append((before / 2, query, result)) } else { discarded.add(1, ordering: .relaxed) }
                } catch { shared.fail("search: \(error)") }
                completed.add(1, ordering: .relaxed)
                q += searchers
            } while !writerDone.load(ordering: .sequentiallyConsistent)
            shared.keep(mine)
        }
        if let f = shared.failure { throw ReplayFailure(description: f) }
        var outcome = Outcome()
        outcome.discarded = discarded.load(ordering: .relaxed)
        let observations = shared.kept.sorted { $0.epoch < $1.epoch }
        outcome.distinctEpochs = Set(observations.map(\.epoch)).count
        var applied = 0
        for o in observations {
            while applied < o.epoch {
                for a in batches[applied].adds { try replay.add(a.vector, id: a.id) }
                for r in batches[applied].removes { try replay.remove(id: r) }
                applied += 1
            }
            let want = try replay.search(queries[o.query], k: k, parameters: parameters)
            if want != o.result {
                outcome.mismatches.append("after \(o.epoch) batches, query \(o.query): \(o.result.map(\.id)) != replay \(want.map(\.id))")
            }
            outcome.checked += 1
        }
        let writes = batches.reduce(0) { $0 + $1.adds.count + $1.removes.count }
        print("ConcurrentReplay: \(searchers) searchers, 1 writer: \(writes) writes in \(batches.count) batches, "
              + "\(outcome.checked + outcome.discarded) searches (\(outcome.checked) checked against the replay at "
              + "\(outcome.distinctEpochs) states, \(outcome.discarded) overlapped a write), \(outcome.mismatches.count) mismatches")
        return outcome
    }

    struct ReplayFailure: Error, CustomStringConvertible { let description: String }

    /// What the threads hand back, behind an `NSLock` (which ThreadSanitizer sees, unlike `Mutex`).
    private final class Shared: @unchecked Sendable {
        private let lock = NSLock()
        private var observations: [(epoch: Int, query: Int, result: [Neighbor])] = []
        private var firstFailure: String?

        func keep(_ o: [(epoch: Int, query: Int, result: [Neighbor])]) { lock.withLock { observations.append(contentsOf: o) } }
        func fail(_ message: String) { lock.withLock { firstFailure = firstFailure ?? message } }
        var kept: [(epoch: Int, query: Int, result: [Neighbor])] { lock.withLock { observations } }
        var failure: String? { lock.withLock { firstFailure } }
    }
}
