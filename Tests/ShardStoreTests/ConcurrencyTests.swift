import Foundation
import ShardStore
import Testing
import VectorKernels
import TestSupport

/// Four threads reading the same object at once (random records, ranges, whole columns) all get the right data.
@Suite struct ConcurrencyTests {
    @Test func fourThreadsReadTheSameObject() throws {
        let dir = try TemporaryDirectory()
        let url = dir.path("o")
        let n = 4000, d = 16
        let data = (0..<(n * d)).map { Float($0) }
        let texts = (0..<n).map { "text \($0) " + String(repeating: "ab", count: $0 % 17) }
        var w = try ShardWriter(directory: url, kind: "k", maxShardBytes: 50_000, blockBytes: 4096)
        try w.addColumn("v", type: .float32, recordLength: d)
        try w.addColumn("t", type: .utf8)
        try w.append(floats: data, to: "v")
        for t in texts { try w.appendRecord(string: t, to: "t") }
        try w.commit()
        // A tiny cache, so that threads evict each other's blocks all the time.
        let reader = try ShardReader(directory: url, cacheBytes: 16384)
        #expect(try reader.column("v").shardCount > 4)

        let failures = LockedCounter()
        let done = DispatchGroup()
        for t in 0..<4 {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                do {
                    let v = try reader.column("v"), s = try reader.column("t")
                    var rng = SeededRandom(seed: UInt64(t + 1))
                    for k in 0..<1500 {
                        let i = Int(rng.next() % UInt64(n))
                        if try v.floats(record: i) != Array(data[i * d ..< (i + 1) * d]) { failures.add() }
                        if try s.string(record: i) != texts[i] { failures.add() }
                        if k % 300 == 0 {
                            let a = Int(rng.next() % UInt64(n)), b = min(n, a + 700)
                            if try v.floats(records: a ..< b) != Array(data[a * d ..< b * d]) { failures.add() }
                        }
                    }
                    if try v.allFloats() != data { failures.add() }
                    if try s.allStrings() != texts { failures.add() }
                } catch {
                    failures.add()
                }
            }
            thread.start()
        }
        done.wait()
        #expect(failures.value == 0)
    }
}

/// A counter shared by test threads.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
