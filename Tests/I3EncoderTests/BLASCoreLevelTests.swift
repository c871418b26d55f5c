import CBLAS
import Foundation
import I3Encoder
import Testing

/// The encoder's BLAS must run kernels at the CPU's instruction-set level: on a CPU newer than
/// OpenBLAS's model table (it then falls back to SSE3 "Prescott" kernels) this fails unless the
/// package chooses the core itself.
@Suite struct BLASCoreLevelTests {
    @Test func blasCoreIsAtTheCPUsLevel() throws {
        let env = ComputeEnvironment.current
        try #require(env.blasUnavailableReason == nil, "\(env.blasUnavailableReason ?? "")")
        #expect(env.blasCoreISA >= env.cpuISA,
                "OpenBLAS runs \(env.blasCore) (\(env.blasCoreISA)) on a CPU with \(env.cpuISA); chosen by \(env.blasCoreReason)")
        #expect(env.warnings.allSatisfy { !$0.contains("kernels (") }, "\(env.warnings)")
    }

    @Test("one query and concurrent callers: same vectors, the process-wide BLAS thread count untouched")
    func smallInputsRunOnTheCallersThread() throws {
        let dir = EncoderFixtures.tinyI3
        let texts = try EncoderFixtures.tinyTexts()
        let encoder = try DualEncoder(i3Checkpoint: dir.appendingPathComponent("model.safetensors"),
                                      vocabulary: dir.appendingPathComponent("vocab.txt"),
                                      options: .init(batchSize: 8, threads: 2))
        let threadsBefore = i3blas_get_num_threads()
        let together = try encoder.encodeQueries(texts.queries)
        let alone = try texts.queries.map { try encoder.encodeQueries([$0])[0] }
        for (a, b) in zip(together, alone) { #expect(EncoderFixtures.maxAbsDiff(a, b) < 1e-5) }

        let results = ConcurrentResults(count: 4 * texts.queries.count)
        DispatchQueue.concurrentPerform(iterations: results.count) { i in
            results.set(i, try? encoder.encodeQueries([texts.queries[i % texts.queries.count]])[0])
        }
        for i in 0..<results.count {
            let v = try #require(results.get(i))
            #expect(EncoderFixtures.maxAbsDiff(v, alone[i % alone.count]) < 1e-5)
        }
        #expect(i3blas_get_num_threads() == threadsBefore)
    }
}

/// Results written by concurrent workers at distinct indices.
private final class ConcurrentResults: @unchecked Sendable {
    private var values: [[Float]?]
    private let lock = NSLock()
    var count: Int { values.count }
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: [Float]?) { lock.lock(); values[i] = v; lock.unlock() }
    func get(_ i: Int) -> [Float]? { lock.lock(); defer { lock.unlock() }; return values[i] }
}
