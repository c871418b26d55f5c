/// A bounded selection of the `k` best `(id, score)` pairs, higher score first, ties broken by the
/// smaller id. Backed by a binary min-heap on contiguous storage (the root is the worst kept entry),
/// so `push` is O(log k) and rejects most candidates with one comparison once full.
public struct TopK: Sendable {
    /// One kept entry.
    public struct Entry: Sendable, Equatable {
        public var id: UInt64
        public var score: Float
        @inlinable public init(id: UInt64, score: Float) { self.id = id; self.score = score }
    }

    public let k: Int
    @usableFromInline var heap: [Entry]

    /// An empty selection of at most `k` entries (`k` ≥ 0).
    public init(k: Int) {
        self.k = max(0, k)
        heap = []
        heap.reserveCapacity(self.k)
    }

    /// Number of kept entries.
    @inlinable public var count: Int { heap.count }
    /// True when `k` entries are kept.
    @inlinable public var isFull: Bool { heap.count >= k }
    /// The worst kept score (the admission threshold once full); `-infinity` while not full.
    @inlinable public var threshold: Float { isFull && k > 0 ? heap[0].score : -.infinity }

    /// `a` ranks below `b`: lower score, or equal score and larger id.
    @inlinable static func worse(_ a: Entry, _ b: Entry) -> Bool {
        a.score < b.score || (a.score == b.score && a.id > b.id)
    }

    /// Offers a candidate; returns true when it was kept.
    @inlinable @discardableResult
    public mutating func push(id: UInt64, score: Float) -> Bool {
        guard k > 0 else { return false }
        let e = Entry(id: id, score: score)
        if heap.count < k {
            heap.append(e)
            siftUp(heap.count - 1)
            return true
        }
        guard TopK.worse(heap[0], e) else { return false }
        heap[0] = e
        siftDown(0)
        return true
    }

    @inlinable mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let p = (i - 1) >> 1
            guard TopK.worse(heap[i], heap[p]) else { break }
            heap.swapAt(i, p)
            i = p
        }
    }

    @inlinable mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var m = l
            if l + 1 < n && TopK.worse(heap[l + 1], heap[l]) { m = l + 1 }
            guard TopK.worse(heap[m], heap[i]) else { break }
            heap.swapAt(i, m)
            i = m
        }
    }

    /// The kept entries in heap order (unsorted), for callers that re-score them all anyway.
    @inlinable public var unsortedEntries: [Entry] { heap }

    /// The kept entries, best first (score descending, then id ascending).
    public func sorted() -> [Entry] {
        heap.sorted { TopK.worse($1, $0) }
    }
}
