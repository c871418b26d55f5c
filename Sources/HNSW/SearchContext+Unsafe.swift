import CVectorKernels
import IndexCore
import Foundation

/// A binary min-heap of `(key, slot)` pairs on one contiguous buffer, reused across searches.
/// The result set stores `-distance` as key so that its top is the worst kept result.
struct SlotHeap {
    private(set) var keys: UnsafeMutablePointer<Float>
    private(set) var slots: UnsafeMutablePointer<UInt32>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(16, capacity)
        keys = .allocate(capacity: self.capacity)
        slots = .allocate(capacity: self.capacity)
    }

    func deallocate() {
        keys.deallocate()
        slots.deallocate()
    }

    @inline(__always) var isEmpty: Bool { count == 0 }
    @inline(__always) var topKey: Float { keys[0] }
    @inline(__always) var topSlot: UInt32 { slots[0] }

    @inline(__always) mutating func removeAll() { count = 0 }

    mutating func push(_ key: Float, _ slot: UInt32) {
        if count == capacity { reserve(2 * capacity) }
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if keys[parent] <= key { break }
            keys[i] = keys[parent]
            slots[i] = slots[parent]
            i = parent
        }
        keys[i] = key
        slots[i] = slot
    }

    /// Removes the top (smallest key).
    mutating func pop() {
        count -= 1
        guard count > 0 else { return }
        let key = keys[count], slot = slots[count]
        var i = 0
        while true {
            var child = 2 * i + 1
            if child >= count { break }
            if child + 1 < count && keys[child + 1] < keys[child] { child += 1 }
            if key <= keys[child] { break }
            keys[i] = keys[child]
            slots[i] = slots[child]
            i = child
        }
        keys[i] = key
        slots[i] = slot
    }

    private mutating func reserve(_ n: Int) {
        let k = UnsafeMutablePointer<Float>.allocate(capacity: n)
        k.update(from: keys, count: count)
        keys.deallocate()
        keys = k
        let s = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
        s.update(from: slots, count: count)
        slots.deallocate()
        slots = s
        capacity = n
    }
}

/// Which slots may enter a layer search's result set (all slots are traversed either way).
enum Admission {
    /// Every slot (upper-layer descent and insertion: deleted nodes still route).
    case all
    /// Slots without a tombstone.
    case live
    /// Live slots whose external id the filter allows.
    case liveAllowed(IDFilter)
}

/// The visited set of a search: one tag per slot, a slot is visited when its tag equals the current
/// epoch, so clearing is a counter increment (the array is wiped only when the counter wraps).
struct VisitedSet {
    private(set) var tags: UnsafeMutablePointer<UInt16>
    private(set) var capacity: Int
    private var epoch: UInt16 = 0

    init(capacity: Int) {
        self.capacity = capacity
        tags = .allocate(capacity: max(1, capacity))
        tags.initialize(repeating: 0, count: max(1, capacity))
    }

    func deallocate() { tags.deallocate() }

    /// Starts a new search over `capacity` slots.
    mutating func reset(capacity needed: Int) {
        if needed > capacity {
            tags.deallocate()
            capacity = max(needed, capacity * 2)
            tags = .allocate(capacity: capacity)
            tags.initialize(repeating: 0, count: capacity)
            epoch = 0
        }
        epoch &+= 1
        if epoch == 0 {
            tags.update(repeating: 0, count: capacity)
            epoch = 1
        }
    }

    /// Marks `s` visited; returns true when it already was.
    @inline(__always) func testAndSet(_ s: UInt32) -> Bool {
        let p = tags + Int(s)
        if p.pointee == epoch { return true }
        p.pointee = epoch
        return false
    }

    /// Starts loading slot `s`'s tag into cache.
    @inline(__always) func prefetch(_ s: UInt32) { ivk_prefetch(tags + Int(s)) }
}

/// Scratch memory of one search or insertion, checked out of a `SearchContextPool` so that no search
/// allocates once the pool is warm: visited tags, the two heaps, prepared-query buffers.
final class SearchContext {
    var visited: VisitedSet
    var candidates: SlotHeap
    var results: SlotHeap
    /// Prepared query (insert: the new node) and a second buffer (insert: the node whose list is pruned).
    let query: UnsafeMutablePointer<Float>
    let other: UnsafeMutablePointer<Float>
    /// Insert: the candidate being tested by the neighbour-selection heuristic.
    let candidate: UnsafeMutablePointer<Float>
    /// Decoded-vector scratch.
    let decoded: UnsafeMutablePointer<Float>

    init(dimension: Int, capacity: Int) {
        visited = VisitedSet(capacity: capacity)
        candidates = SlotHeap(capacity: 256)
        results = SlotHeap(capacity: 256)
        query = .allocate(capacity: dimension)
        other = .allocate(capacity: dimension)
        decoded = .allocate(capacity: dimension)
        candidate = .allocate(capacity: dimension)
    }

    deinit {
        visited.deallocate()
        candidates.deallocate()
        results.deallocate()
        query.deallocate()
        other.deallocate()
        decoded.deallocate()
        candidate.deallocate()
    }

    var memoryBytes: Int { visited.capacity * 2 }
}

/// A stack of reusable search contexts (one per concurrently running search or insertion).
final class SearchContextPool: @unchecked Sendable {
    private let dimension: Int
    private let lock = NSLock()
    private var free: [SearchContext] = []
    private var created = 0
    private var visitedBytes = 0

    init(dimension: Int) { self.dimension = dimension }

    /// Runs `body` with a context whose visited set covers `capacity` slots.
    @inline(__always)
    func withContext<T>(capacity: Int, _ body: (SearchContext) throws -> T) rethrows -> T {
        let ctx = checkOut(capacity: capacity)
        defer { checkIn(ctx) }
        return try body(ctx)
    }

    private func checkOut(capacity: Int) -> SearchContext {
        let ctx: SearchContext? = lock.withLock { free.popLast() }
        if let ctx { return ctx }
        let fresh = SearchContext(dimension: dimension, capacity: capacity)
        lock.withLock { created += 1 }
        return fresh
    }

    private func checkIn(_ ctx: SearchContext) {
        lock.withLock {
            free.append(ctx)
        }
    }

    /// Bytes of the idle contexts' visited tags.
    var memoryBytes: Int { lock.withLock { free.reduce(0) { $0 + $1.memoryBytes } } }
}
