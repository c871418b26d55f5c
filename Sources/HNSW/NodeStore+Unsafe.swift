import CVectorKernels

/// The raw memory of an HNSW graph: every node's level-0 links and vector inline at a fixed stride,
/// its upper-level links, external id, level and tombstone bit. Internal `UInt32` *slots* index all of
/// them; external `UInt64` ids live only in `labels` (and the id → slot map of `HNSWGraph`).
///
/// Level-0 block, one record of `stride` bytes per slot (like hnswlib's `data_level0_memory_`):
///
///     slot s ── level0 + s · stride
///     ┌────────────┬──────────────────────────────────┬──────────────────────────────────┐
///     │ count: u32 │ links: u32 × maxM0  (2·M)        │ vector: dimension × (4 | 2 | 1) B │ (pad to 4 B)
///     └────────────┴──────────────────────────────────┴──────────────────────────────────┘
///      offset 0      offset 4                           offset vectorOffset = 4 + 4·maxM0
///
/// Upper levels (rare: a fraction 1/M of nodes reach level 1): `upperAddress[s]` (UInt32) addresses
/// `level(s)` consecutive blocks of `1 + M` words, `[count, links × M]` for levels 1, 2, …, level(s), in
/// the shared `UpperLinkArena` (no per-node heap block, no 8-byte pointer). Side arrays, all indexed by
/// slot: `labels[s]` (external id), `levels[s]` (top level, UInt8), `upperAddress[s]` (meaningless for
/// level 0), tombstone bits (`UInt64` words). Per slot: stride + 8 + 1 + 4 bytes + 1 bit, plus the
/// upper blocks (on average 4·(1 + M)/(M − 1) bytes).
///
/// Concurrency: link words and counts are written with release stores under the node's stripe lock
/// and read with acquire loads without a lock, so a search may run while inserts rewrite lists; it
/// sees each link either before or after the update, and every slot it sees is fully initialised
/// (vector, label, level and upper blocks are written before the slot is first linked). The buffers
/// themselves are reallocated (`grow`) only while the owner holds its write lock, with no reader.
struct NodeStore: @unchecked Sendable {
    let maxM: Int
    let maxM0: Int
    let vectorBytes: Int
    let vectorOffset: Int
    let stride: Int
    private(set) var capacity: Int
    private(set) var level0: UnsafeMutableRawPointer
    private(set) var labels: UnsafeMutablePointer<UInt64>
    private(set) var levels: UnsafeMutablePointer<UInt8>
    private(set) var upperAddress: UnsafeMutablePointer<UInt32>
    private(set) var upper: UpperLinkArena
    private(set) var tombstoneWords: UnsafeMutablePointer<UInt64>

    /// Bytes of one level-0 record for these settings.
    static func stride(maxM0: Int, vectorBytes: Int) -> Int {
        (4 + 4 * maxM0 + vectorBytes + 3) & ~3
    }

    init(maxM: Int, vectorBytes: Int, capacity: Int) {
        self.maxM = maxM
        maxM0 = 2 * maxM
        self.vectorBytes = vectorBytes
        vectorOffset = 4 + 4 * 2 * maxM
        stride = NodeStore.stride(maxM0: 2 * maxM, vectorBytes: vectorBytes)
        self.capacity = max(1, capacity)
        level0 = .allocate(byteCount: self.capacity * stride, alignment: 64)
        labels = .allocate(capacity: self.capacity)
        levels = .allocate(capacity: self.capacity)
        upperAddress = .allocate(capacity: self.capacity)
        upper = UpperLinkArena(blockWords: 1 + maxM)
        upper.reserve(blocks: NodeStore.expectedUpperBlocks(slots: self.capacity, maxM: maxM))
        tombstoneWords = .allocate(capacity: (self.capacity + 63) / 64)
        tombstoneWords.initialize(repeating: 0, count: (self.capacity + 63) / 64)
    }

    /// Frees everything (the owner calls it once, in deinit).
    func deallocate(slotCount: Int) {
        level0.deallocate()
        labels.deallocate()
        levels.deallocate()
        upperAddress.deallocate()
        upper.deallocate()
        tombstoneWords.deallocate()
    }

    /// Reallocates every buffer to hold `newCapacity` slots, keeping the first `slotCount`.
    /// Only with no concurrent reader or writer.
    mutating func grow(to newCapacity: Int, slotCount: Int) {
        guard newCapacity > capacity else { return }
        resize(to: newCapacity, slotCount: slotCount)
    }

    /// Reallocates every slot buffer to exactly `newCapacity` (≥ `slotCount`, ≥ 1) slots, keeping the
    /// first `slotCount`. Only with no concurrent reader or writer.
    mutating func resize(to newCapacity: Int, slotCount: Int) {
        guard newCapacity != capacity, newCapacity >= max(1, slotCount) else { return }
        let l0 = UnsafeMutableRawPointer.allocate(byteCount: newCapacity * stride, alignment: 64)
        l0.copyMemory(from: level0, byteCount: slotCount * stride)
        level0.deallocate()
        level0 = l0
        let lb = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity)
        lb.update(from: labels, count: slotCount)
        labels.deallocate()
        labels = lb
        let lv = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        lv.update(from: levels, count: slotCount)
        levels.deallocate()
        levels = lv
        let up = UnsafeMutablePointer<UInt32>.allocate(capacity: newCapacity)
        up.update(from: upperAddress, count: slotCount)
        upperAddress.deallocate()
        upperAddress = up
        if newCapacity > slotCount {
            upper.reserve(blocks: NodeStore.expectedUpperBlocks(slots: newCapacity - slotCount, maxM: maxM))
        }
        let oldWords = (capacity + 63) / 64, newWords = (newCapacity + 63) / 64
        let tw = UnsafeMutablePointer<UInt64>.allocate(capacity: newWords)
        tw.update(from: tombstoneWords, count: min(oldWords, newWords))
        if newWords > oldWords { tw.advanced(by: oldWords).initialize(repeating: 0, count: newWords - oldWords) }
        tombstoneWords.deallocate()
        tombstoneWords = tw
        capacity = newCapacity
    }

    /// Moves the upper blocks of the first `slotCount` slots into a fresh arena of exactly the blocks
    /// they use (one chunk) and frees the old one. Only with no concurrent reader or writer.
    mutating func compactUpperLinks(slotCount: Int) {
        let fresh = UpperLinkArena(blockWords: 1 + maxM)
        fresh.reserve(blocks: (0..<slotCount).reduce(0) { $0 + Int(levels[$1]) })
        for s in 0..<slotCount where levels[s] > 0 {
            let words = Int(levels[s]) * (1 + maxM)
            // Cannot fail: the reserved chunk holds exactly these blocks.
            guard let address = fresh.allocate(Int(levels[s])) else { continue }
            fresh.block(address).update(from: upper.block(upperAddress[s]), count: words)
            upperAddress[s] = address
        }
        upper.deallocate()
        upper = fresh
    }

    /// Upper-level blocks that `slots` new nodes need on average (a level ≥ l with probability M^−l,
    /// so 1/(M − 1) blocks per node), with 5 % and 32 blocks to spare: the arena's next chunk size.
    static func expectedUpperBlocks(slots: Int, maxM: Int) -> Int {
        slots <= 0 ? 0 : Int((Double(slots) * 1.05 / Double(maxM - 1)).rounded(.up)) + 32
    }

    /// Sets up slot `s` (not yet linked anywhere): label, level, empty link lists. Returns the level
    /// given, or 0 in the (unreachable in practice) case that the upper-link arena's 2^32 blocks are all
    /// taken: such a node lives on level 0 only, which keeps the graph correct.
    /// Callers serialise (the graph's `idLock`).
    @discardableResult
    func initializeNode(_ s: Int, label: UInt64, level: Int) -> Int {
        labels[s] = label
        level0.advanced(by: s * stride).storeBytes(of: 0, as: UInt32.self)
        var level = level
        if level > 0 {
            if let address = upper.allocate(level) { upperAddress[s] = address } else { level = 0 }
        }
        levels[s] = UInt8(level)
        return level
    }

    /// The stored vector of slot `s`.
    @inline(__always) func vector(_ s: UInt32) -> UnsafeMutableRawPointer {
        level0 + Int(s) * stride + vectorOffset
    }

    /// The `[count, links…]` block of slot `s` at `level`; its capacity is `maxLinks(level)`.
    @inline(__always) func linkList(_ s: UInt32, level: Int) -> UnsafeMutablePointer<UInt32> {
        if level == 0 { return (level0 + Int(s) * stride).assumingMemoryBound(to: UInt32.self) }
        // Upper blocks exist for every level ≤ levels[s]; callers never ask for a higher one.
        return upper.block(upperAddress[Int(s)]) + (level - 1) * (1 + maxM)
    }

    @inline(__always) func maxLinks(_ level: Int) -> Int { level == 0 ? maxM0 : maxM }

    /// The link list of slot `s` at `level` as an atomic view (see `LinkList`).
    @inline(__always) func links(_ s: UInt32, level: Int) -> LinkList {
        LinkList(base: linkList(s, level: level), capacity: maxLinks(level))
    }

    /// Starts loading the first `bytes` of slot `s`'s vector into cache.
    @inline(__always) func prefetchVector(_ s: UInt32, bytes: Int) { ivk_prefetch_range(vector(s), bytes) }

    /// Slot `s`'s vector as floats (float32 storage only).
    @inline(__always) func floatVector(_ s: UInt32) -> UnsafePointer<Float> {
        UnsafePointer(vector(s).assumingMemoryBound(to: Float.self))
    }

    @inline(__always) func isDeleted(_ s: UInt32) -> Bool {
        ivk_load_acquire_u64(tombstoneWords + Int(s >> 6)) & (1 << UInt64(s & 63)) != 0
    }

    /// Sets the tombstone bit of `s`; returns whether it was clear before.
    @discardableResult
    func markDeleted(_ s: UInt32) -> Bool {
        let bit: UInt64 = 1 << UInt64(s & 63)
        return ivk_fetch_or_u64(tombstoneWords + Int(s >> 6), bit) & bit == 0
    }

    /// Bytes held by these buffers: every allocated slot (used or not) and every arena block.
    var memoryBytes: Int {
        capacity * (stride + 8 + 1 + 4) + (capacity + 63) / 64 * 8 + upper.memoryBytes
    }
}

/// A view of one `[count, links…]` block. Every read is an acquire load and every write a release store,
/// so a search running concurrently with an insertion sees each link and the count either before or
/// after an update, never torn (the layout comment of `NodeStore` explains why that is enough).
struct LinkList {
    let base: UnsafeMutablePointer<UInt32>
    /// Links the block has room for (`maxLinks(level)`).
    let capacity: Int

    /// The published number of links (never more than the capacity).
    @inline(__always) var count: Int { min(Int(ivk_load_acquire_u32(base)), capacity) }

    /// Link `i` (`i < count`).
    @inline(__always) subscript(i: Int) -> UInt32 { ivk_load_acquire_u32(base + 1 + i) }

    /// Whether one of the first `count` links is `t`.
    @inline(__always) func contains(_ t: UInt32, among count: Int) -> Bool {
        for i in 0..<count where self[i] == t { return true }
        return false
    }

    /// Writes link `i` (not yet visible beyond the published count).
    @inline(__always) func set(_ i: Int, _ t: UInt32) { ivk_store_release_u32(base + 1 + i, t) }

    /// Publishes the first `n` links.
    @inline(__always) func publish(count n: Int) { ivk_store_release_u32(base, UInt32(n)) }

    /// The published links as an array (persistence, tests).
    var array: [UInt32] { (0..<count).map { self[$0] } }
}
