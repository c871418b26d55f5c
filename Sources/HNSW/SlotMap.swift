/// External id → live slot: an open-addressing hash table (linear probing, backward-shift deletion)
/// that stores only the `UInt32` slot per bucket and compares ids through the `labels` array, so it
/// costs 4 bytes per bucket (≤ 0.75 load) instead of a `Dictionary`'s ~12 bytes per bucket at ≤ 0.75.
/// Not thread-safe: `HNSWGraph` guards it with its `idLock`.
struct SlotMap {
    private static let empty = UInt32.max
    private var buckets: UnsafeMutablePointer<UInt32>
    private var mask: Int
    private var shift: UInt64
    private(set) var count = 0

    init(minimumCapacity: Int = 0) {
        var n = 16
        while n * 3 / 4 < minimumCapacity { n <<= 1 }
        buckets = .allocate(capacity: n)
        buckets.initialize(repeating: SlotMap.empty, count: n)
        mask = n - 1
        shift = UInt64(64 - n.trailingZeroBitCount)
    }

    func deallocate() { buckets.deallocate() }

    var bucketCount: Int { mask + 1 }
    var memoryBytes: Int { bucketCount * 4 }

    @inline(__always) private func home(_ id: UInt64) -> Int {
        Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The bucket holding `id`, or nil.
    private func position(of id: UInt64, labels: UnsafePointer<UInt64>) -> Int? {
        var i = home(id)
        while true {
            let s = buckets[i]
            if s == SlotMap.empty { return nil }
            if labels[Int(s)] == id { return i }
            i = (i + 1) & mask
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
            i = (i + 1) & mask
        }
        if (count + 1) * 4 > bucketCount * 3 {
            rehash(to: bucketCount * 2, labels: labels)
            i = home(id)
            while buckets[i] != SlotMap.empty { i = (i + 1) & mask }
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
            j = (j + 1) & mask
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
        mask = n - 1
        shift = UInt64(64 - n.trailingZeroBitCount)
        for b in 0..<oldCount where old[b] != SlotMap.empty {
            var i = home(labels[Int(old[b])])
            while buckets[i] != SlotMap.empty { i = (i + 1) & mask }
            buckets[i] = old[b]
        }
        old.deallocate()
    }
}
