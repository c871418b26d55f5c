import Foundation

/// A fixed set of threads that run searches (CPU work that must not block Swift's cooperative pool or
/// NIO's event loops), with a bounded queue and a wait deadline: a search that cannot start in time is
/// answered 503 instead of piling up.
final class SearchExecutor: @unchecked Sendable {
    private struct Job {
        let deadline: ContinuousClock.Instant
        let run: () -> Void
        let expire: () -> Void
    }

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var head = 0
    private var stopping = false
    private var threads: [Thread] = []
    private let queueLimit: Int
    private let timeout: Duration

    init(threads count: Int, queueLimit: Int, timeout: Duration) {
        self.queueLimit = queueLimit
        self.timeout = timeout
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
            let job = Job(deadline: deadline,
                          run: { c.resume(with: Result { try body() }) },
                          expire: {
                              c.resume(throwing: APIError(.serviceUnavailable, code: "timeout",
                                                          message: "no search thread became free within the request timeout (\(self.timeout)); retry later"))
                          })
            condition.lock()
            let pending = jobs.count - head
            if stopping || pending >= queueLimit {
                condition.unlock()
                c.resume(throwing: APIError(.serviceUnavailable, code: stopping ? "shutting_down" : "overloaded",
                                            message: stopping ? "the server is shutting down" : "\(pending) searches are waiting; retry later"))
                return
            }
            jobs.append(job)
            condition.signal()
            condition.unlock()
        }
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count, !stopping { condition.wait() }
            if head == jobs.count {
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head > 1024, head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            if ContinuousClock.now > job.deadline { job.expire() } else { job.run() }
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
