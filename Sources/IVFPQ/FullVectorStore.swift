import CVectorKernels
import IndexCore
import VectorKernels

/// The full-precision vectors kept for exact re-ranking, addressed like the codes: (list, offset).
///
/// Vectors added in this session live in memory, one contiguous `[Float]` per list. An index opened
/// from disk without `loadFullVectors` reads the vectors it was saved with through the shard store's
/// random access (`DiskVectors`): list `l`, offset `o` < `diskCount[l]` is record `listStart[l] + o`
/// of the `vectors` column; later additions to the list are in memory after them.
final class FullVectorStore: @unchecked Sendable {
    let dimension: Int
    /// Per list: vectors at offsets `diskCount[l] ..< count`, row-major.
    private(set) var memory: [[Float]]
    /// Read-only vectors on disk, when opened without loading them.
    let disk: (any DiskVectors)?

    init(listCount: Int, dimension: Int, disk: (any DiskVectors)? = nil) {
        self.dimension = dimension
        self.memory = Array(repeating: [], count: listCount)
        self.disk = disk
    }

    /// Replaces the in-memory vectors of `list` (loading a saved index).
    func setMemory(list: Int, vectors: [Float]) { memory[list] = vectors }

    func append(list: Int, vector: UnsafeBufferPointer<Float>) { memory[list].append(contentsOf: vector) }

    /// Bytes held in memory.
    var memoryBytes: Int { memory.reduce(0) { $0 + $1.count * MemoryLayout<Float>.size } }

    /// Exact scores (`metric` convention, higher is better) of the vectors at `offsets` (ascending) of
    /// `list` against the query at `q`, appended to `out`.
    func scores(list: Int, offsets: ArraySlice<UInt32>, query q: UnsafePointer<Float>, metric: Metric,
                into out: inout [Float]) throws {
        let onDisk = disk?.count(list: list) ?? 0
        var rows: [UInt32] = []
        for o in offsets {
            if Int(o) < onDisk {
                let s = try withVector(list: list, offset: Int(o)) { metric.score(q, $0, count: dimension) }
                out.append(s)
            } else {
                rows.append(o - UInt32(onDisk))
            }
        }
        guard !rows.isEmpty else { return }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: rows.count))
        try memory[list].withUnsafeBufferPointer { p in
            guard let b = p.baseAddress, let last = rows.last, (Int(last) + 1) * dimension <= p.count else {
                throw IndexError.corrupt(path: "vectors", reason: "no full vector for list \(list)")
            }
            out.withUnsafeMutableBufferPointer { op in
                guard let o = op.baseAddress else { return }
                ivk_score_rows_f32(q, b, rows, rows.count, dimension, metric == .l2 ? 1 : 0, o + start)
            }
        }
    }

    /// Runs `body` with the vector at `offset` of `list`.
    func withVector<R>(list: Int, offset: Int, _ body: (UnsafePointer<Float>) throws -> R) throws -> R {
        let onDisk = disk?.count(list: list) ?? 0
        if offset < onDisk, let disk {
            let v = try disk.vector(list: list, offset: offset)
            return try v.withUnsafeBufferPointer { p in
                guard let b = p.baseAddress else { throw IndexError.corrupt(path: "vectors", reason: "empty record") }
                return try body(b)
            }
        }
        let start = (offset - onDisk) * dimension
        return try memory[list].withUnsafeBufferPointer { p in
            guard let b = p.baseAddress, start >= 0, start + dimension <= p.count else {
                throw IndexError.corrupt(path: "vectors", reason: "no full vector for list \(list) offset \(offset)")
            }
            return try body(b + start)
        }
    }
}

/// Full vectors of a saved index read from disk on demand.
protocol DiskVectors: Sendable {
    /// Vectors of `list` stored on disk (offsets `0 ..< count`).
    func count(list: Int) -> Int
    /// The vector at `offset` of `list`.
    func vector(list: Int, offset: Int) throws -> [Float]
}
