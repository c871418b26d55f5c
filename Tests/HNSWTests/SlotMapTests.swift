@testable import HNSW
import Testing
import VectorKernels

@Suite struct SlotMapTests {
    /// Random inserts, replacements and removals agree with a Dictionary at every step.
    @Test func agreesWithADictionary() {
        var rng = SeededRandom(seed: 5)
        let capacity = 20_000
        let labels = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        defer { labels.deallocate() }
        var map = SlotMap()
        defer { map.deallocate() }
        var reference: [UInt64: UInt32] = [:]
        var next = 0
        for step in 0..<capacity * 2 {
            let id = rng.next() % 3000   // many collisions of ids: replacements and re-inserts
            if rng.next() % 3 == 0 {
                #expect(map.remove(id, labels: labels) == reference.removeValue(forKey: id))
            } else if next < capacity {
                labels[next] = id
                #expect(map.insert(slot: UInt32(next), labels: labels) == reference.updateValue(UInt32(next), forKey: id))
                next += 1
            }
            if step % 997 == 0 {
                #expect(map.count == reference.count)
                for probe in 0..<UInt64(3000) where map.slot(of: probe, labels: labels) != reference[probe] {
                    Issue.record("id \(probe) differs at step \(step)")
                }
            }
        }
        #expect(map.memoryBytes <= 4 * 4 * max(16, reference.count) * 2)
    }
}

@Suite struct SlotMapReserveTests {
    /// `reserve` sizes the table for exactly that many ids (load ≤ 0.75, any bucket count); filling
    /// it does not grow it, and lookups and backward-shift removals work with the odd bucket count.
    @Test func reserveSizesExactly() {
        let n = 1000
        let labels = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        defer { labels.deallocate() }
        var map = SlotMap()
        defer { map.deallocate() }
        map.reserve(n, labels: labels)
        #expect(map.bucketCount == 1334)
        for s in 0..<n {
            labels[s] = UInt64(s) &* 7919 &+ 3
            #expect(map.insert(slot: UInt32(s), labels: labels) == nil)
        }
        #expect(map.bucketCount == 1334 && map.count == n)
        #expect(map.memoryBytes == 1334 * 4)
        for s in stride(from: 0, to: n, by: 3) { #expect(map.remove(labels[s], labels: labels) == UInt32(s)) }
        for s in 0..<n {
            #expect(map.slot(of: labels[s], labels: labels) == (s % 3 == 0 ? nil : UInt32(s)))
        }
    }
}
