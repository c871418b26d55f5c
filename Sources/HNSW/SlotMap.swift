/// External id → live slot: an open-addressing hash table (linear probing, backward-shift deletion)
/// that stores only the `UInt32` slot per bucket and compares ids through the `labels` array, so it
/// costs 4 bytes per bucket (≤ 0.75 load) instead of a `Dictionary`'s ~12 bytes per bucket at ≤ 0.75.
/// Any bucket count works (the home bucket is the high half of hash × bucketCount), so `reserve` sizes
/// the table for a known number of ids exactly: 4 / 0.75 ≈ 5.3 bytes per id instead of up to 10.7
/// with power-of-two sizes. Not thread-safe: `HNSWGraph` guards it with its `idLock`.
struct SlotMap {
    private static let empty = UInt32.max
    private var buckets: UnsafeMutablePointer<UInt32>
    private(set) var bucketCount: Int
    private(set) var count = 0

    init(minimumCapacity: Int = 0) {
        bucketCount = SlotMap.buckets(for: minimumCapacity)
        buckets = .allocate(capacity: bucketCount)
        buckets.initialize(repeating: SlotMap.empty, count: bucketCount)
    }

    func deallocate() { buckets.deallocate() }

    var memoryBytes: Int { bucketCount * 4 }

    /// Buckets for `ids` ids at a load of at most 0.75 (at least 16).
    private static func buckets(for ids: Int) -> Int { max(16, (ids * 4 + 2) / 3) }

    /// Makes room for `ids` ids in all without growing again (rehashes once when needed).
    mutating func reserve(_ ids: Int, labels: UnsafePointer<UInt64>) {
        let n = SlotMap.buckets(for: ids)
        if n > bucketCount { rehash(to: n, labels: labels) }
    }

    /// Shrinks the table to the ids it holds (load ≤ 0.75).
    mutating func shrinkToFit(labels: UnsafePointer<UInt64>) {
        let n = SlotMap.buckets(for: count)
        if n < bucketCount { rehash(to: n, labels: labels) }
    }

    @inline(__always) private func home(_ id: UInt64) -> Int {
        Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15).multipliedFullWidth(by: UInt64(bucketCount)).high)
    }

    @inline(__always) private func next(_ i: Int) -> Int { i + 1 == bucketCount ? 0 : i + 1 }

    /// The bucket holding `id`, or nil.
    private func position(of id: UInt64, labels: UnsafePointer<UInt64>) -> Int? {
        var i = home(id)
        while true {
            let s = buckets[i]
            if s == SlotMap.empty { return nil }
            if labels[Int(s)] == id { return i }
            i = next(i)
        }
    }

    /// The live slot of `id`, or nil.
    func slot(of id: UInt64, labels: UnsafePointer<UInt64>) -> UInt32? {
        position(of: id, labels: labels).map { buckets[$0] }
    }

    /// Maps `labels[slot]` to `slot`; returns the slot it replaced, if any.
    @discardableResult
    mutating func insert(slot: UInt32, labels: UnsafePointer<UInt64>) -> UInt32? {
        let id = labels[Int(slot)]
        var i = home(id)
        while true {
            let s = buckets[i]
            if s == SlotMap.empty { break }
            if labels[Int(s)] == id {
                buckets[i] = slot
                return s
            }
            i = next(i)
        }
        if (count + 1) * 4 > bucketCount * 3 {
            rehash(to: bucketCount * 2, labels: labels)
            i = home(id)
            while buckets[i] != SlotMap.empty { i = next(i) }
        }
        buckets[i] = slot
        count += 1
        return nil
    }

    /// Unmaps `id`; returns its slot, or nil when it was not mapped.
    mutating func remove(_ id: UInt64, labels: UnsafePointer<UInt64>) -> UInt32? {
        guard var i = position(of: id, labels: labels) else { return nil }
        let removed = buckets[i]
        // Backward-shift deletion: pull later entries of the probe run into the hole when their home
        // position does not lie cyclically in (hole, their position].
        var j = i
        while true {
            j = next(j)
            let s = buckets[j]
            if s == SlotMap.empty { break }
            let k = home(labels[Int(s)])
            let staysPut = i <= j ? (i < k && k <= j) : (i < k || k <= j)
            if staysPut { continue }
            buckets[i] = s
            i = j
        }
        buckets[i] = SlotMap.empty
        count -= 1
        return removed
    }

    private mutating func rehash(to n: Int, labels: UnsafePointer<UInt64>) {
        let old = buckets, oldCount = bucketCount
        buckets = .allocate(capacity: n)
        buckets.initialize(repeating: SlotMap.empty, count: n)
        bucketCount = n
        for b in 0..<oldCount where old[b] != SlotMap.empty {
            var i = home(labels[Int(old[b])])
            while buckets[i] != SlotMap.empty { i = next(i) }
            buckets[i] = old[b]
        }
        old.deallocate()
    }
}
