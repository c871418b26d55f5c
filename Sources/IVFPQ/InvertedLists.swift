/// Storage of the inverted lists: per list, the ids and the PQ codes of its vectors, each contiguous
/// (`codes` holds `count × codeSize` bytes in the order of `ids`). In-memory here; a shard-backed
/// implementation can serve the same protocol.
///
/// Not thread-safe on its own: `IVFPQIndex` guards it with its read-write lock.
protocol InvertedLists: AnyObject, Sendable {
    /// Number of lists.
    var listCount: Int { get }
    /// Bytes per code (`m`).
    var codeSize: Int { get }
    /// Entries (live or deleted) in `list`.
    func count(_ list: Int) -> Int
    /// Runs `body` with the ids and codes of `list`.
    func withList<R>(_ list: Int, _ body: (UnsafeBufferPointer<UInt64>, UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R
    /// Appends one entry to `list`; returns its offset in the list.
    @discardableResult func append(list: Int, id: UInt64, code: UnsafeBufferPointer<UInt8>) -> Int
}

extension InvertedLists {
    /// Entries in all lists.
    var totalCount: Int { (0..<listCount).reduce(0) { $0 + count($1) } }
}

/// Inverted lists held in memory: one `[UInt64]` and one `[UInt8]` per list.
final class InMemoryInvertedLists: InvertedLists, @unchecked Sendable {
    let codeSize: Int
    private(set) var ids: [[UInt64]]
    private(set) var codes: [[UInt8]]

    init(listCount: Int, codeSize: Int) {
        self.codeSize = codeSize
        ids = Array(repeating: [], count: listCount)
        codes = Array(repeating: [], count: listCount)
    }

    var listCount: Int { ids.count }

    func count(_ list: Int) -> Int { ids[list].count }

    func withList<R>(_ list: Int, _ body: (UnsafeBufferPointer<UInt64>, UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try ids[list].withUnsafeBufferPointer { ip in
            try codes[list].withUnsafeBufferPointer { cp in try body(ip, cp) }
        }
    }

    /// Replaces the contents of `list` (loading a saved index); `codes` holds `ids.count × codeSize` bytes.
    func set(list: Int, ids newIDs: [UInt64], codes newCodes: [UInt8]) {
        ids[list] = newIDs
        codes[list] = newCodes
    }

    @discardableResult
    func append(list: Int, id: UInt64, code: UnsafeBufferPointer<UInt8>) -> Int {
        ids[list].append(id)
        codes[list].append(contentsOf: code)
        return ids[list].count - 1
    }
}
