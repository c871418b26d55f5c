import Foundation

/// A small thread-safe cache of decompressed blocks, keyed by (shard, block), with CLOCK eviction (an O(1)
/// approximation of least-recently-used). Bounded by a block count, so a reader's memory stays at
/// `capacity × blockBytes` however many records it serves.
final class BlockCache: @unchecked Sendable {
    private struct Slot {
        var key: Int
        var bytes: [UInt8]
        var referenced: Bool
    }

    private let lock = NSLock()
    private var slots: [Slot] = []
    private var slotOf: [Int: Int] = [:]
    private var hand = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    static func key(shard: Int, block: Int) -> Int { shard << 32 | block }

    func get(_ key: Int) -> [UInt8]? {
        lock.withLock {
            guard let s = slotOf[key] else { return nil }
            slots[s].referenced = true
            return slots[s].bytes
        }
    }

    func put(_ key: Int, _ bytes: [UInt8]) {
        guard capacity > 0 else { return }
        lock.withLock {
            if let s = slotOf[key] {
                slots[s].referenced = true
                return
            }
            if slots.count < capacity {
                slotOf[key] = slots.count
                slots.append(Slot(key: key, bytes: bytes, referenced: false))
                return
            }
            // Sweep: give referenced blocks a second chance, evict the first unreferenced one.
            while slots[hand].referenced {
                slots[hand].referenced = false
                hand = (hand + 1) % slots.count
            }
            slotOf.removeValue(forKey: slots[hand].key)
            slots[hand] = Slot(key: key, bytes: bytes, referenced: false)
            slotOf[key] = hand
            hand = (hand + 1) % slots.count
        }
    }
}
