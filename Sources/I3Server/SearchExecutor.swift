import Foundation

/// A fixed set of threads that run searches (CPU work that must not block Swift's cooperative pool or
/// NIO's event loops), with a bounded queue and a wait deadline: a search that cannot start in time is
/// answered 503 instead of piling up.
///
/// Single text queries are **encoded together** when several wait at once: a thread that takes a text
/// query also takes the other text queries queued for the same encoder (up to `maxEncodeBatch`, in
/// arrival order) and encodes them in one forward pass, which costs less per query than one pass each
/// (the encoder packs the sequences without padding, and a batch gives the BLAS taller matrices). It
/// never waits for a batch to fill: a query that arrives alone is encoded alone, at once. The vectors are
/// the same, bit for bit, as one query encoded alone (tested), so the hits are too.
final class SearchExecutor: @unchecked Sendable {
    /// A text query waiting to be encoded, and what to do with its vector.
    struct TextJob {
        /// Queries with the same key share an encoder (the generation's `Retriever`) and may be batched.
        let encoderKey: ObjectIdentifier
        let query: String
        /// Encodes a batch of queries with that encoder.
        let encode: ([String]) throws -> [[Float]]
        /// Searches with the vector (or reports the encoding error) and resumes the request; the instant
        /// is when the encoding of its batch began.
        let finish: (Result<[Float], any Error>, ContinuousClock.Instant) -> Void
    }

    private enum Work {
        case closure(() -> Void)
        case text(TextJob)
    }

    private struct Job {
        let deadline: ContinuousClock.Instant
        let work: Work
        let expire: () -> Void
    }

    private let condition = NSCondition()
    /// FIFO; slots taken out of order (text queries joining a batch) become nil.
    private var jobs: [Job?] = []
    private var head = 0
    private var pending = 0
    private var stopping = false
    private var threads: [Thread] = []
    private let queueLimit: Int
    private let timeout: Duration
    private let maxEncodeBatch: Int
    private let onEncodeBatch: @Sendable (Int) -> Void

    /// - Parameters:
    ///   - maxEncodeBatch: most text queries encoded in one pass (1: each alone).
    ///   - onEncodeBatch: called with the size of every encoded batch (metrics).
    init(threads count: Int, queueLimit: Int, timeout: Duration, maxEncodeBatch: Int = 16,
         onEncodeBatch: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.queueLimit = queueLimit
        self.timeout = timeout
        self.maxEncodeBatch = max(1, maxEncodeBatch)
        self.onEncodeBatch = onEncodeBatch
        for i in 0 ..< count {
            // The threads hold the executor until `shutdown()` lets them return.
            let t = Thread { self.work() }
            t.name = "i3-search-\(i)"
            t.stackSize = 8 << 20
            threads.append(t)
        }
        for t in threads { t.start() }
    }

    /// Runs `body` on a search thread.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        return try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
            enqueue(Job(deadline: deadline, work: .closure { c.resume(with: Result { try body() }) },
                        expire: { c.resume(throwing: self.timedOut()) }),
                    refuse: { c.resume(throwing: $0) })
        }
    }

    /// Encodes `query` with `retriever`'s encoder (together with other text queries waiting for the same
    /// one), then runs `body` with its vector and the instant its encoding began, on the search thread.
    func runText<T: Sendable>(_ query: String, encoderKey: ObjectIdentifier,
                              encode: @escaping @Sendable ([String]) throws -> [[Float]],
                              then body: @escaping @Sendable ([Float], ContinuousClock.Instant) throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        return try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
            let job = TextJob(encoderKey: encoderKey, query: query, encode: encode,
                              finish: { vector, start in c.resume(with: Result { try body(try vector.get(), start) }) })
            enqueue(Job(deadline: deadline, work: .text(job), expire: { c.resume(throwing: self.timedOut()) }),
                    refuse: { c.resume(throwing: $0) })
        }
    }

    /// Jobs waiting for a thread (not counting those running).
    var queuedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending
    }

    private func timedOut() -> APIError {
        APIError(.serviceUnavailable, code: "timeout",
                 message: "no search thread became free within the request timeout (\(timeout)); retry later")
    }

    private func enqueue(_ job: Job, refuse: (APIError) -> Void) {
        condition.lock()
        if stopping || pending >= queueLimit {
            let waiting = pending, stopped = stopping
            condition.unlock()
            refuse(APIError(.serviceUnavailable, code: stopped ? "shutting_down" : "overloaded",
                            message: stopped ? "the server is shutting down" : "\(waiting) searches are waiting; retry later"))
            return
        }
        jobs.append(job)
        pending += 1
        condition.signal()
        condition.unlock()
    }

    /// Takes the oldest job and, when it is a text query, further queued text queries for the same
    /// encoder: this thread's share of what waits (pending / threads, so that every thread gets work),
    /// at most `maxEncodeBatch` in all. Call with `condition` locked and `pending > 0`.
    private func takeLocked() -> [Job] {
        while jobs[head] == nil { head += 1 }
        guard let first = jobs[head] else { return [] }
        let share = min(maxEncodeBatch, max(1, (pending + threads.count - 1) / max(1, threads.count)))
        jobs[head] = nil
        head += 1
        var taken = [first]
        if case let .text(t) = first.work, share > 1 {
            var i = head
            while i < jobs.count, taken.count < share {
                if let j = jobs[i], case let .text(u) = j.work, u.encoderKey == t.encoderKey {
                    taken.append(j)
                    jobs[i] = nil
                }
                i += 1
            }
        }
        pending -= taken.count
        while head < jobs.count, jobs[head] == nil { head += 1 }
        if head > 1024, head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return taken
    }

    private func work() {
        while true {
            condition.lock()
            while pending == 0, !stopping { condition.wait() }
            if pending == 0 {
                condition.unlock()
                return
            }
            let taken = takeLocked()
            condition.unlock()
            execute(taken)
        }
    }

    private func execute(_ taken: [Job]) {
        let now = ContinuousClock.now
        var texts: [TextJob] = []
        for job in taken {
            if now > job.deadline { job.expire(); continue }
            switch job.work {
            case let .closure(body): body()
            case let .text(t): texts.append(t)
            }
        }
        guard let first = texts.first else { return }
        onEncodeBatch(texts.count)
        let start = ContinuousClock.now
        if let vectors = try? first.encode(texts.map(\.query)), vectors.count == texts.count {
            for (t, v) in zip(texts, vectors) { t.finish(.success(v), start) }
        } else {
            // A query of the batch failed: encode each alone, so that only its request gets the error.
            for t in texts {
                let alone = ContinuousClock.now
                t.finish(Result {
                    guard let v = try t.encode([t.query]).first else {
                        throw APIError(.internalServerError, code: "encoder", message: "the encoder returned no vector for the query")
                    }
                    return v
                }, alone)
            }
        }
    }

    /// Lets queued searches finish, then ends the threads.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }
}
