import Foundation

/// A small thread-safe LRU of decompressed blocks, keyed by (shard, block). Bounded by a block count, so a
/// reader's memory stays at `capacity × blockBytes` however many records it serves.
final class BlockCache: @unchecked Sendable {
    private struct Entry {
        var bytes: [UInt8]
        var lastUse: UInt64
    }

    private let lock = NSLock()
    private var entries: [Int: Entry] = [:]
    private var clock: UInt64 = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    static func key(shard: Int, block: Int) -> Int { shard << 32 | block }

    func get(_ key: Int) -> [UInt8]? {
        lock.lock()
        defer { lock.unlock() }
        guard var e = entries[key] else { return nil }
        clock &+= 1
        e.lastUse = clock
        entries[key] = e
        return e.bytes
    }

    func put(_ key: Int, _ bytes: [UInt8]) {
        guard capacity > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        clock &+= 1
        if entries[key] == nil, entries.count >= capacity,
           let victim = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            entries.removeValue(forKey: victim)
        }
        entries[key] = Entry(bytes: bytes, lastUse: clock)
    }
}
