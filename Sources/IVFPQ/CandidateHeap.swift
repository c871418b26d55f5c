/// The best `capacity` (score, slot key) pairs of a scan: a binary min-heap whose root is the worst kept
/// entry (lower score, or equal score and larger key), in two parallel arrays. Like `TopK`, but it hands
/// out its entries unsorted, which re-ranking needs (it re-scores them all anyway).
struct CandidateHeap {
    let capacity: Int
    private(set) var scores: [Float] = []
    private(set) var keys: [UInt64] = []

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        scores.reserveCapacity(self.capacity)
        keys.reserveCapacity(self.capacity)
    }

    var count: Int { keys.count }
    var isFull: Bool { keys.count >= capacity }
    /// Scores must beat this to enter once full.
    var threshold: Float { isFull ? scores[0] : -.infinity }

    @inline(__always)
    private func worse(_ i: Int, _ j: Int) -> Bool {
        scores[i] < scores[j] || (scores[i] == scores[j] && keys[i] > keys[j])
    }

    /// Offers a candidate.
    @inline(__always)
    mutating func push(key: UInt64, score: Float) {
        if keys.count < capacity {
            scores.append(score)
            keys.append(key)
            var i = keys.count - 1
            while i > 0 {
                let p = (i - 1) >> 1
                guard worse(i, p) else { break }
                scores.swapAt(i, p); keys.swapAt(i, p)
                i = p
            }
            return
        }
        guard score > scores[0] || (score == scores[0] && key < keys[0]) else { return }
        scores[0] = score
        keys[0] = key
        var i = 0
        let n = keys.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var c = l
            if l + 1 < n && worse(l + 1, l) { c = l + 1 }
            guard worse(c, i) else { break }
            scores.swapAt(i, c); keys.swapAt(i, c)
            i = c
        }
    }

    /// Entries best first (score descending, then key ascending).
    func sorted() -> [(key: UInt64, score: Float)] {
        zip(keys, scores).map { (key: $0.0, score: $0.1) }
            .sorted { $0.score > $1.score || ($0.score == $1.score && $0.key < $1.key) }
    }
}
