import Foundation
@testable import I3Server
import Synchronization
import Testing

/// The executor's batching of single text queries: who gets batched with whom, in what order, and what
/// happens when one query of a batch fails.
@Suite struct SearchExecutorBatchingTests {
    /// A fake encoder: the vector of a query is its length; an empty query fails; every call's batch is logged.
    final class FakeEncoder: Sendable {
        let calls = Mutex<[[String]]>([])
        func encode(_ queries: [String]) throws -> [[Float]] {
            calls.withLock { $0.append(queries) }
            if queries.contains("") { throw APIError.invalid("query", "empty") }
            return queries.map { [Float($0.count)] }
        }
    }

    /// Holds the executor's only thread until `release()`, so that the test can queue work behind it.
    final class Gate: Sendable {
        private let open = Mutex(false)
        let entered = Mutex(false)
        func wait() {
            entered.withLock { $0 = true }
            while !open.withLock({ $0 }) { usleep(1000) }
        }
        func release() { open.withLock { $0 = true } }
    }

    /// Polls `condition` for up to 5 s.
    static func waitUntil(_ condition: () -> Bool) async {
        for _ in 0 ..< 5000 where !condition() { try? await Task.sleep(for: .milliseconds(1)) }
    }

    @Test func queuedTextQueriesForOneEncoderAreEncodedTogetherInArrivalOrder() async throws {
        let executor = SearchExecutor(threads: 1, queueLimit: 100, timeout: .seconds(30), maxEncodeBatch: 4)
        defer { executor.shutdown() }
        let a = FakeEncoder(), b = FakeEncoder(), gate = Gate()
        let blocker = Task { try await executor.run { gate.wait(); return 0 } }
        await Self.waitUntil { gate.entered.withLock { $0 } }

        // Queued behind the blocker: six queries for encoder a, interleaved with two for b and one vector search.
        let queries: [(String, FakeEncoder)] = [("a1", a), ("b1", b), ("a22", a), ("a333", a), ("a4444", a),
                                                ("b22", b), ("a55555", a), ("a666666", a)]
        var tasks: [Task<Float, any Error>] = []
        for (i, (q, e)) in queries.enumerated() {
            tasks.append(Task { try await executor.runText(q, encoderKey: ObjectIdentifier(e), encode: { try e.encode($0) }) { v, _ in v[0] } })
            // Wait until it is queued, so that the arrival order is the loop's order.
            let queued = tasks.count
            await Self.waitUntil { executor.queuedCount == queued }
            if i == 3 {
                tasks.append(Task { try await executor.run { Float(-1) } })
                let queued = tasks.count
                await Self.waitUntil { executor.queuedCount == queued }
            }
        }
        #expect(executor.queuedCount == 9)
        gate.release()
        _ = try await blocker.value
        var got: [Float] = []
        for t in tasks { got.append(try await t.value) }
        #expect(got == [2, 2, 3, 4, -1, 5, 3, 6, 7])
        // One thread: its share is everything queued, at most 4 per pass; a's queries keep their order.
        #expect(a.calls.withLock { $0 } == [["a1", "a22", "a333", "a4444"], ["a55555", "a666666"]])
        #expect(b.calls.withLock { $0 } == [["b1", "b22"]])
    }

    /// Queues `queries` (for encoder `e`, in this order) behind a job that holds the executor's only
    /// thread, then lets it go; returns the requests' answers (the vector's first number) or errors.
    static func queueBehindBlockedThread(_ queries: [String], encoder e: FakeEncoder,
                                         maxEncodeBatch: Int) async throws -> [Result<Float, any Error>] {
        let executor = SearchExecutor(threads: 1, queueLimit: 100, timeout: .seconds(30), maxEncodeBatch: maxEncodeBatch)
        defer { executor.shutdown() }
        let gate = Gate()
        let blocker = Task { try await executor.run { gate.wait(); return 0 } }
        await waitUntil { gate.entered.withLock { $0 } }
        var tasks: [Task<Float, any Error>] = []
        for (i, q) in queries.enumerated() {
            tasks.append(Task { try await executor.runText(q, encoderKey: ObjectIdentifier(e), encode: { try e.encode($0) }) { v, _ in v[0] } })
            await waitUntil { executor.queuedCount == i + 1 }
        }
        gate.release()
        _ = try await blocker.value
        var out: [Result<Float, any Error>] = []
        for t in tasks { out.append(await t.result) }
        return out
    }

    @Test func aFailingQueryFailsAloneAndTheOthersOfItsBatchAreAnswered() async throws {
        let e = FakeEncoder()
        let r = try await Self.queueBehindBlockedThread(["x", "", "xyz"], encoder: e, maxEncodeBatch: 16)
        #expect(try r[0].get() == 1)
        #expect(throws: APIError.self) { try r[1].get() }
        #expect(try r[2].get() == 3)
        // The batch of three failed, then each was encoded alone.
        #expect(e.calls.withLock { $0 } == [["x", "", "xyz"], ["x"], [""], ["xyz"]])
    }

    @Test func batchingOffEncodesEachQueryAlone() async throws {
        let e = FakeEncoder()
        let r = try await Self.queueBehindBlockedThread(["p", "qq", "rrr"], encoder: e, maxEncodeBatch: 1)
        #expect(try r.map { try $0.get() } == [1, 2, 3])
        #expect(e.calls.withLock { $0 } == [["p"], ["qq"], ["rrr"]])
    }
}
