import CVectorKernels
import IndexCore
import VectorKernels

/// Scans inverted lists for one query: builds the query's lookup tables once, then, per probed list,
/// scores every code by asymmetric distance computation and keeps the best in a bounded heap.
///
/// - Inner product / cosine: `⟨q, c_l + r⟩ = ⟨q, c_l⟩ + Σ_j ⟨q_j, r_j⟩`; one table per query
///   (`⟨q_j, codeword⟩`), the list only adds its coarse term.
/// - L2 (faiss's precomputed-table trick): `‖q − c_l − r‖² = ‖q − c_l‖² + Σ_j (‖r_j‖² + 2⟨c_{l,j}, r_j⟩)
///   − 2 Σ_j ⟨q_j, r_j⟩`; the middle term is precomputed per list at training, the last per query.
///   Long lists get the two tables summed once (one lookup per sub-code); short lists are scanned
///   with both tables (two lookups per sub-code, no m × 256 additions).
///
/// Heap entries carry the slot key `list << 32 | offset`; the caller maps them to ids or re-ranks them.
/// Lives for one query (no state is kept in the index between searches).
struct ListScanner {
    let pq: ProductQuantizer
    let metric: Metric
    /// L2: `nlist × m × ksub` list terms; empty otherwise.
    let listTerms: [Float]
    let tombstones: Set<UInt64>
    let filter: IDFilter?
    /// IP: ⟨q_j, codeword⟩; L2: 2⟨q_j, codeword⟩. `m × ksub`.
    private var queryTable: [Float]
    private var listTable: [Float]
    private var scores: [Float] = []

    /// Lists shorter than this are scanned with two tables instead of summing them first. With the next
    /// list's terms prefetched and the sum vectorised, summing pays off from a few dozen codes: on
    /// Fashion-MNIST (m = 56, lists of ~59 codes) 1 and 16 gave the same QPS, 64 was 10–20 % slower at
    /// nprobe = 64 (`I3Bench ann`, alternating runs).
    static let summedTableMinimumListLength = 16

    init(query: UnsafePointer<Float>, pq: ProductQuantizer, metric: Metric, listTerms: [Float],
         tombstones: Set<UInt64>, filter: IDFilter?) {
        self.pq = pq
        self.metric = metric
        self.listTerms = listTerms
        self.tombstones = tombstones
        self.filter = filter
        let size = pq.m * pq.ksub
        var table = [Float](repeating: 0, count: size)
        table.withUnsafeMutableBufferPointer { tp in
            guard let t = tp.baseAddress else { return }
            pq.innerProductTable(query, into: t)
            if metric == .l2 { for i in 0..<size { t[i] *= 2 } }
        }
        queryTable = table
        listTable = metric == .l2 ? [Float](repeating: 0, count: size) : []
    }

    /// L2: starts loading the list terms of `list` (the next list to scan) into cache, so that their
    /// m × 256 floats (57 KB for m = 56; the whole table rarely fits in the last-level cache) arrive
    /// while the current list is scanned. No effect on results; nothing to do for inner product.
    func prefetch(list: Int) {
        guard metric == .l2 else { return }
        let size = pq.m * pq.ksub
        listTerms.withUnsafeBufferPointer { lp in
            guard let base = lp.baseAddress, (list + 1) * size <= lp.count else { return }
            ivk_prefetch_bytes(base + list * size, size * MemoryLayout<Float>.size)
        }
    }

    /// Scores the codes of `list` (coarse term from `CoarseQuantizer.probe`) into `heap`.
    mutating func scan(list: Int, coarseTerm: Float, lists: InvertedLists, into heap: inout TopK) {
        let n = lists.count(list)
        guard n > 0 else { return }
        if scores.count < n { scores = [Float](repeating: 0, count: max(n, 2 * scores.count)) }
        let m = pq.m, size = m * pq.ksub
        let bias = metric == .l2 ? -coarseTerm : coarseTerm
        let l2 = metric == .l2, useSummed = n >= Self.summedTableMinimumListLength
        lists.withList(list) { ids, codes in
            guard let cb = codes.baseAddress else { return }
            scores.withUnsafeMutableBufferPointer { sp in
                guard let out = sp.baseAddress else { return }
                queryTable.withUnsafeBufferPointer { qp in
                    guard let qt = qp.baseAddress else { return }
                    if !l2 {
                        ivk_pq_scan_u8(qt, cb, n, m, bias, out)
                        return
                    }
                    listTerms.withUnsafeBufferPointer { lp in
                        guard let terms = lp.baseAddress.map({ $0 + list * size }) else { return }
                        if useSummed {
                            listTable.withUnsafeMutableBufferPointer { tp in
                                guard let t = tp.baseAddress else { return }
                                ivk_add_f32(terms, qt, size, t)
                                ivk_pq_scan_u8(t, cb, n, m, bias, out)
                            }
                        } else {
                            ivk_pq_scan2_u8(terms, qt, cb, n, m, bias, out)
                        }
                    }
                }
                let base = UInt64(list) << 32
                let checkTombs = !tombstones.isEmpty
                for i in 0..<n {
                    let s = out[i]
                    guard s > heap.threshold || !heap.isFull else { continue }
                    let key = base | UInt64(i)
                    if checkTombs, tombstones.contains(key) { continue }
                    if let f = filter, !f.allows(ids[i]) { continue }
                    heap.push(id: key, score: s)
                }
            }
        }
    }
}
