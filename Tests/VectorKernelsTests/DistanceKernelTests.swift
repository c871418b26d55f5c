import CVectorKernels
import Dispatch
import Foundation
import Synchronization
import Testing
import VectorKernels

@Suite(.serialized) struct DistanceKernelTests {
    /// Every SIMD level the CPU has agrees with the scalar twin and a naive loop, for all tail lengths.
    @Test func simdKernelsMatchNaiveForEveryDimension() {
        let cpuLevel = ivk_isa_level()
        defer { _ = ivk_force_isa_level(cpuLevel) }
        var rng = SeededRandom(seed: 7)
        for level in 0...cpuLevel {
            #expect(ivk_force_isa_level(Int32(level)) == Int32(level))
            for n in [0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 50, 63, 64, 65, 128, 384, 784, 1000] {
                let a = (0..<n).map { _ in rng.nextGaussian() }
                let b = (0..<n).map { _ in rng.nextGaussian() }
                var dot: Double = 0, l2: Double = 0
                for i in 0..<n { dot += Double(a[i]) * Double(b[i]); l2 += Double(a[i] - b[i]) * Double(a[i] - b[i]) }
                let tol = 1e-4 * Double(max(1, n))
                #expect(abs(Double(Distances.dot(a, b) ?? .nan) - dot) < tol, "dot n=\(n) level=\(level)")
                #expect(abs(Double(Distances.l2Squared(a, b) ?? .nan) - l2) < tol, "l2 n=\(n) level=\(level)")
            }
        }
    }

    /// Forcing a level is the calling thread's alone: a thread running meanwhile keeps the CPU's level
    /// (a process-wide switch once changed the last bit of IVF-PQ re-ranking scores in a concurrent test).
    @Test func forcedLevelStaysOnItsThread() {
        let cpuLevel = ivk_isa_level()
        defer { _ = ivk_force_isa_level(cpuLevel) }
        #expect(ivk_force_isa_level(0) == 0)
        #expect(ivk_isa_level() == 0)
        let seen = Mutex<Int32>(-1)
        let done = DispatchSemaphore(value: 0)
        let other = Thread {
            seen.withLock { $0 = ivk_isa_level() }
            done.signal()
        }
        other.start()
        done.wait()
        #expect(seen.withLock { $0 } == cpuLevel)
        #expect(ivk_force_isa_level(cpuLevel) == cpuLevel)
    }

    @Test func mismatchedLengthsGiveNil() {
        #expect(Distances.dot([1, 2], [1]) == nil)
        #expect(Distances.l2Squared([1], [1, 2]) == nil)
        #expect(Distances.dot([], []) == 0)
    }

    @Test func normalizationGivesUnitLength() {
        let v = Normalization.normalized([3, 4])
        #expect(abs(v[0] - 0.6) < 1e-6 && abs(v[1] - 0.8) < 1e-6)
        #expect(Normalization.normalized([0, 0]) == [0, 0])
        #expect(Normalization.firstNonFinite([1, .nan, 2]) == 1)
        #expect(Normalization.firstNonFinite([1, 2]) == nil)
    }
}
