import Foundation
import IndexCore
import Synchronization
import VectorKernels

/// The HNSW graph (Malkov & Yashunin, "Efficient and robust approximate nearest neighbor search using
/// Hierarchical Navigable Small World graphs", TPAMI 2018): storage, the id → slot map, the entry
/// point, and the algorithm — one layer search (`searchLayer`, Algorithm 2) shared by insertion and
/// queries, insertion (Algorithm 1) and the neighbour-selection heuristic (Algorithm 4).
///
/// Locking contract (kept by `HNSWIndex`): `grow` and wholesale replacement run under the index's
/// write lock; searches, insertions and removals run under its read lock and synchronise among
/// themselves with the stripe locks (link lists), `idLock` (slot allocation, id map, level RNG) and
/// `entryLock` (raising the top level).
final class HNSWGraph: @unchecked Sendable {
    let dimension: Int
    let metric: Metric
    let parameters: HNSWParameters
    let codec: VectorCodec
    /// Normalisation factor of the level distribution, 1 / ln(M).
    let levelMultiplier: Double

    /// Replaced only under the index's write lock (see `grow`).
    private(set) var store: NodeStore
    let contexts: SearchContextPool
    private let stripes = LockStripes()
    private let idLock = NSLock()
    private let entryLock = NSLock()
    /// Packed entry point: 0 when empty, else `(topLevel + 1) << 32 | slot`.
    private let entry = Atomic<UInt64>(0)

    // Guarded by idLock.
    private(set) var slotCount = 0
    private var slotMap = SlotMap()
    private(set) var tombstoneCount = 0
    private var levelRandom: SeededRandom

    init(dimension: Int, metric: Metric, parameters: HNSWParameters, codec: VectorCodec, capacity: Int = 1024) {
        self.dimension = dimension
        self.metric = metric
        self.parameters = parameters
        self.codec = codec
        levelMultiplier = 1 / log(Double(parameters.m))
        store = NodeStore(maxM: parameters.m, vectorBytes: codec.vectorBytes, capacity: capacity)
        contexts = SearchContextPool(dimension: dimension)
        levelRandom = SeededRandom(seed: parameters.seed)
    }

    deinit {
        slotMap.deallocate()
        store.deallocate(slotCount: slotCount)
    }

    /// Installs the id map and counters of a graph whose slots were filled directly (loading).
    /// Before the graph is shared with any other thread.
    /// Maps every live slot's id; returns an id found on two live slots (a corrupt file), else nil.
    func restoreBookkeeping(slotCount: Int) -> UInt64? {
        idLock.withLock {
            self.slotCount = slotCount
            slotMap.deallocate()
            slotMap = SlotMap(minimumCapacity: slotCount)
            tombstoneCount = 0
            for s in 0..<slotCount {
                if store.isDeleted(UInt32(s)) {
                    tombstoneCount += 1
                } else if slotMap.insert(slot: UInt32(s), labels: store.labels) != nil {
                    return store.labels[s]
                }
            }
            // Continue the level sequence reproducibly, but not by repeating the levels already drawn.
            levelRandom = SeededRandom(seed: parameters.seed ^ (UInt64(slotCount) &* 0x9E37_79B9_7F4A_7C15))
            return nil
        }
    }

    // MARK: - Entry point, capacity, ids

    /// A node and its top level: where searches start.
    typealias EntryPoint = (slot: UInt32, level: Int)

    /// The entry slot and the top level, or nil for an empty graph.
    @inline(__always) var entryPoint: EntryPoint? {
        let e = entry.load(ordering: .acquiring)
        return e == 0 ? nil : (UInt32(truncatingIfNeeded: e), Int(e >> 32) - 1)
    }

    func setEntryPoint(slot: UInt32, level: Int) {
        entry.store(UInt64(level + 1) << 32 | UInt64(slot), ordering: .releasing)
    }

    var liveCount: Int { idLock.withLock { slotMap.count } }
    var tombstones: Int { idLock.withLock { tombstoneCount } }
    func slot(of id: UInt64) -> UInt32? { idLock.withLock { slotMap.slot(of: id, labels: store.labels) } }

    /// Makes room for `needed` slots in all (node buffers, upper-link arena, id map). Only under the
    /// index's write lock.
    func reserve(_ needed: Int) {
        guard needed > store.capacity else { return }
        let capacity = max(needed, store.capacity + store.capacity / 2)
        store.grow(to: capacity, slotCount: slotCount)
        idLock.withLock { slotMap.reserve(capacity, labels: store.labels) }
    }

    /// Room for exactly `count` slots in all (never fewer than those in use): node buffers and id map;
    /// with `count` = the slots in use, the upper-link arena is compacted too. Only under the index's
    /// write lock.
    func setCapacity(_ count: Int) {
        let used = slotCount
        let capacity = max(count, used, 1)
        store.resize(to: capacity, slotCount: used)
        if capacity == max(used, 1) {
            store.compactUpperLinks(slotCount: used)
            idLock.withLock { slotMap.shrinkToFit(labels: store.labels) }
        } else {
            store.upper.reserve(blocks: NodeStore.expectedUpperBlocks(slots: capacity - used, maxM: parameters.m))
            idLock.withLock { slotMap.reserve(capacity, labels: store.labels) }
        }
    }

    /// Free slots left.
    var freeSlots: Int { idLock.withLock { store.capacity - slotCount } }

    /// A level drawn from the exponential distribution floor(−ln(U) · 1/ln(M)).
    private func drawLevel() -> Int {
        let u = max(levelRandom.nextUnitDouble(), 1e-300)
        return min(Int(-log(u) * levelMultiplier), 63)
    }

    /// Takes fresh slots for `ids` in order (levels drawn in the same order, so they depend only on the
    /// seed and the order); an id already present has its old slot tombstoned. Nil when they do not fit.
    func allocateSlots(for ids: UnsafeBufferPointer<UInt64>) -> [(slot: UInt32, level: Int)]? {
        idLock.withLock {
            guard slotCount + ids.count <= store.capacity else { return nil }
            return ids.map { id in
                let s = UInt32(slotCount)
                slotCount += 1
                let level = store.initializeNode(Int(s), label: id, level: drawLevel())
                if let old = slotMap.insert(slot: s, labels: store.labels), store.markDeleted(old) { tombstoneCount += 1 }
                return (s, level)
            }
        }
    }

    /// Tombstones `id`'s slot; false when the id is unknown.
    func remove(id: UInt64) -> Bool {
        idLock.withLock {
            guard let s = slotMap.remove(id, labels: store.labels) else { return false }
            if store.markDeleted(s) { tombstoneCount += 1 }
            return true
        }
    }

    // MARK: - Layer search (Algorithm 2), shared by insertion and queries

    @inline(__always)
    private func admits(_ s: UInt32, _ admission: Admission, _ store: NodeStore) -> Bool {
        switch admission {
        case .all: return true
        case .live: return !store.isDeleted(s)
        case .liveAllowed(let filter): return !store.isDeleted(s) && filter.allows(store.labels[Int(s)])
        }
    }

    /// Best-first search of one layer from `entry` for the prepared query `q`: leaves in `ctx.results`
    /// (keyed by −distance, worst on top) the up to `ef` nearest admitted slots found. Every reached slot
    /// is traversed; `admission` only decides which may become results, so filtered and deleted nodes
    /// still route. With `ef` = 1 this is the greedy descent of the upper layers.
    func searchLayer(_ q: UnsafePointer<Float>, bias: Float, entry: UInt32, ef: Int, level: Int,
                     admission: Admission, ctx: SearchContext, store: NodeStore) {
        let codec = self.codec
        var visited = ctx.visited
        var candidates = ctx.candidates   // min-heap on distance: the nearest unexpanded slot on top
        var results = ctx.results         // min-heap on −distance: the worst kept result on top
        defer {
            ctx.visited = visited
            ctx.candidates = candidates
            ctx.results = results
        }
        visited.reset(capacity: store.capacity)
        candidates.removeAll()
        results.removeAll()

        _ = visited.testAndSet(entry)
        let d0 = codec.distance(q, bias: bias, store.vector(entry))
        candidates.push(d0, entry)
        if admits(entry, admission, store) { results.push(-d0, entry) }
        var bound: Float = results.isEmpty ? .infinity : -results.topKey
        // Prefetch up to 4 cache lines of each next vector: a short vector (GloVe-50: 200 B over up to
        // 4 lines) is then fully in flight; longer ones stream on from the hardware prefetcher.
        let prefetchBytes = min(store.vectorBytes, 256)

        while !candidates.isEmpty {
            // Stop when the nearest unexpanded candidate is farther than every kept result.
            if candidates.topKey > bound && results.count >= ef { break }
            let current = candidates.topSlot
            candidates.pop()
            let links = store.links(current, level: level)
            let n = links.count
            guard n > 0 else { continue }
            let first = links[0]
            visited.prefetch(first)
            store.prefetchVector(first, bytes: prefetchBytes)
            for i in 0..<n {
                let neighbor = links[i]
                if i + 1 < n {
                    let next = links[i + 1]
                    visited.prefetch(next)
                    store.prefetchVector(next, bytes: prefetchBytes)
                }
                if visited.testAndSet(neighbor) { continue }
                let d = codec.distance(q, bias: bias, store.vector(neighbor))
                guard results.count < ef || d < bound else { continue }
                candidates.push(d, neighbor)
                if admits(neighbor, admission, store) {
                    results.push(-d, neighbor)
                    if results.count > ef { results.pop() }
                    bound = -results.topKey
                }
            }
        }
    }

    /// Greedy descent from the entry point to the layer above `level`: the slot to start `level` from.
    private func descend(_ q: UnsafePointer<Float>, bias: Float, from entry: (slot: UInt32, level: Int),
                         to level: Int, ctx: SearchContext, store: NodeStore) -> UInt32 {
        var current = entry.slot
        var l = entry.level
        while l > level {
            searchLayer(q, bias: bias, entry: current, ef: 1, level: l, admission: .all, ctx: ctx, store: store)
            current = ctx.results.topSlot
            l -= 1
        }
        return current
    }

    // MARK: - Queries

    /// The `k` best admitted neighbours of `query` (validated, normalised for cosine), best first.
    func search(_ query: UnsafePointer<Float>, k: Int, ef: Int, filter: IDFilter?) -> [Neighbor] {
        let store = self.store
        guard let top = entryPoint else { return [] }
        return contexts.withContext(capacity: store.capacity) { ctx in
            let bias = codec.prepare(query, into: ctx.query)
            let start = descend(ctx.query, bias: bias, from: top, to: 0, ctx: ctx, store: store)
            let admission: Admission = filter.map { .liveAllowed($0) } ?? .live
            searchLayer(ctx.query, bias: bias, entry: start, ef: max(ef, k), level: 0,
                        admission: admission, ctx: ctx, store: store)
            var found: [Neighbor] = []
            found.reserveCapacity(ctx.results.count)
            var results = ctx.results
            while !results.isEmpty {
                found.append(Neighbor(id: store.labels[Int(results.topSlot)], score: results.topKey))
                results.pop()
            }
            ctx.results = results
            found.sort(by: Neighbor.ranksBefore)
            if found.count > k { found.removeLast(found.count - k) }
            return found
        }
    }

    // MARK: - Insertion (Algorithm 1)

    /// The stored vector of `s` as a prepared query: the stored floats themselves for float32,
    /// else decoded (through `scratch`) and prepared into `out`.
    @inline(__always)
    private func prepared(_ s: UInt32, into out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                          store: NodeStore) -> (UnsafePointer<Float>, Float) {
        if codec.storage == .float32 {
            return (store.floatVector(s), 0)
        }
        codec.decode(store.vector(s), into: scratch)
        return (UnsafePointer(out), codec.prepare(scratch, into: out))
    }

    /// Links slot `s` (allocated, vector written, at `level`) into the graph.
    func link(_ s: UInt32, level: Int, ctx: SearchContext) {
        let store = self.store
        let (q, bias) = prepared(s, into: ctx.query, scratch: ctx.decoded, store: store)

        // Only one insertion at a time may raise the top level: it keeps the entry lock until it is linked.
        let below: EntryPoint? = entryLock.withLock {
            guard let top = entryPoint else {
                setEntryPoint(slot: s, level: level)
                return nil
            }
            guard level > top.level else { return top }
            insertLinks(s, level: level, query: q, bias: bias, top: top, ctx: ctx, store: store)
            setEntryPoint(slot: s, level: level)
            return nil
        }
        if let top = below { insertLinks(s, level: level, query: q, bias: bias, top: top, ctx: ctx, store: store) }
    }

    /// Chooses `s`'s neighbours below `top` and publishes the links (the body of `link`).
    private func insertLinks(_ s: UInt32, level: Int, query q: UnsafePointer<Float>, bias: Float, top: EntryPoint,
                             ctx: SearchContext, store: NodeStore) {
        var start = descend(q, bias: bias, from: top, to: level, ctx: ctx, store: store)
        let highest = min(level, top.level)
        let m = parameters.m
        // First choose the neighbours on every level, top-down (each level's search starts from the nearest
        // node found on the level above); then publish the links bottom-up. A concurrent search can reach
        // `s` on level l only through a back-link on level l, and by then `s` is fully linked on every level
        // below, so a descent that ends on `s` never starts its level-0 search from a node without links.
        // The graph is the same as with the top-down order of Algorithm 1: a level's search reads only that
        // level's links, which linking the levels above does not touch.
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: (highest + 1) * m) { chosen in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: highest + 1) { counts in
                for l in stride(from: highest, through: 0, by: -1) {
                    counts[l] = 0
                    searchLayer(q, bias: bias, entry: start, ef: parameters.efConstruction, level: l,
                                admission: .all, ctx: ctx, store: store)
                    var results = ctx.results
                    let found = results.count
                    withUnsafeTemporaryAllocation(of: (distance: Float, slot: UInt32).self, capacity: found) { pairs in
                        // Results pop worst first: fill from the back for ascending distance.
                        var i = found
                        while !results.isEmpty {
                            i -= 1
                            pairs[i] = (-results.topKey, results.topSlot)
                            results.pop()
                        }
                        // A concurrent insertion may already have linked s here; never link s to itself.
                        var kept = 0
                        for j in 0..<found where pairs[j].slot != s {
                            pairs[kept] = pairs[j]
                            kept += 1
                        }
                        guard kept > 0 else { return }
                        counts[l] = selectNeighbors(UnsafeMutableBufferPointer(rebasing: pairs[0..<kept]), limit: m,
                                                    into: UnsafeMutableBufferPointer(rebasing: chosen[(l * m)..<(l * m + m)]),
                                                    ctx: ctx, store: store)
                        start = pairs[0].slot
                    }
                    ctx.results = results
                }
                for l in 0...highest {
                    let mine = UnsafeBufferPointer(rebasing: chosen[(l * m)..<(l * m + counts[l])])
                    addLinks(from: s, to: mine, level: l, ctx: ctx, store: store)
                    withUnsafePointer(to: s) { back in
                        for t in mine {
                            addLinks(from: t, to: UnsafeBufferPointer(start: back, count: 1), level: l, ctx: ctx, store: store)
                        }
                    }
                }
            }
        }
    }

    /// The neighbour-selection heuristic (Algorithm 4, as in hnswlib's getNeighborsByHeuristic2): walk
    /// the candidates nearest first and keep one only if it is closer to the base than to every one kept,
    /// so links spread in directions instead of clustering. `pairs` are sorted by distance to the base.
    /// Writes at most `limit` slots to `chosen`; returns how many.
    private func selectNeighbors(_ pairs: UnsafeMutableBufferPointer<(distance: Float, slot: UInt32)>, limit: Int,
                                 into chosen: UnsafeMutableBufferPointer<UInt32>, ctx: SearchContext,
                                 store: NodeStore) -> Int {
        if pairs.count <= limit {
            for i in 0..<pairs.count { chosen[i] = pairs[i].slot }
            return pairs.count
        }
        var c = 0
        for i in 0..<pairs.count {
            if c >= limit { break }
            let (d, e) = pairs[i]
            let (pe, be) = prepared(e, into: ctx.candidate, scratch: ctx.decoded, store: store)
            var keep = true
            for j in 0..<c where codec.distance(pe, bias: be, store.vector(chosen[j])) < d {
                keep = false
                break
            }
            if keep {
                chosen[c] = e
                c += 1
            }
        }
        return c
    }

    /// Adds links `node → targets` at `level` under the node's lock; when the list overflows, the union
    /// is pruned with the heuristic by distance to `node`.
    private func addLinks(from node: UInt32, to targets: UnsafeBufferPointer<UInt32>, level: Int,
                          ctx: SearchContext, store: NodeStore) {
        stripes.withLock(node) {
            let links = store.links(node, level: level)
            let limit = links.capacity
            var count = links.count
            var overflow = false
            for t in targets where t != node {
                if links.contains(t, among: count) { continue }
                if count < limit {
                    links.set(count, t)
                    count += 1
                    links.publish(count: count)
                } else {
                    overflow = true
                }
            }
            guard overflow else { return }
            // Prune: current links plus the targets that did not fit, by distance to `node`.
            withUnsafeTemporaryAllocation(of: (distance: Float, slot: UInt32).self, capacity: count + targets.count) { pairs in
                let (pn, bn) = prepared(node, into: ctx.other, scratch: ctx.decoded, store: store)
                var n = 0
                for i in 0..<count {
                    let t = links[i]
                    pairs[n] = (codec.distance(pn, bias: bn, store.vector(t)), t)
                    n += 1
                }
                for t in targets where t != node {
                    var present = false
                    for i in 0..<count where pairs[i].slot == t {
                        present = true
                        break
                    }
                    if present { continue }
                    pairs[n] = (codec.distance(pn, bias: bn, store.vector(t)), t)
                    n += 1
                }
                var used = UnsafeMutableBufferPointer(rebasing: pairs[0..<n])
                used.sort(by: HNSWGraph.nearerFirst)
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: limit) { chosen in
                    let c = selectNeighbors(used, limit: limit, into: chosen, ctx: ctx, store: store)
                    for i in 0..<c { links.set(i, chosen[i]) }
                    links.publish(count: c)
                }
            }
        }
    }

    /// Order of candidate pairs: distance ascending, then slot.
    private static func nearerFirst(_ a: (distance: Float, slot: UInt32), _ b: (distance: Float, slot: UInt32)) -> Bool {
        a.distance < b.distance || (a.distance == b.distance && a.slot < b.slot)
    }

    // MARK: - Bulk operations

    /// Allocates slots for `ids`, encodes `rows` (row-major, normalised for cosine) into them and links
    /// them on `threads` threads (1: in order, deterministic). False when capacity is short (nothing done).
    func insert(rows: UnsafeBufferPointer<Float>, ids: UnsafeBufferPointer<UInt64>, threads: Int) -> Bool {
        guard let nodes = allocateSlots(for: ids) else { return false }
        let store = self.store
        let d = dimension
        for (r, node) in nodes.enumerated() {
            if let base = rows.baseAddress { codec.encode(base + r * d, into: store.vector(node.slot)) }
        }
        let workers = max(1, min(threads, nodes.count))
        if workers == 1 {
            contexts.withContext(capacity: store.capacity) { ctx in
                for node in nodes { link(node.slot, level: node.level, ctx: ctx) }
            }
            return true
        }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            self.contexts.withContext(capacity: store.capacity) { ctx in
                while true {
                    let r = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if r >= nodes.count { break }
                    self.link(nodes[r].slot, level: nodes[r].level, ctx: ctx)
                }
            }
        }
        return true
    }

    /// Bytes of the graph, vectors, ids, locks and idle search contexts.
    var memoryBytes: Int {
        let idMap = idLock.withLock { slotMap.memoryBytes }
        return store.memoryBytes + idMap + stripes.memoryBytes + contexts.memoryBytes + codec.mins.count * 8
    }
}

extension HNSWGraph {
    /// The live vectors decoded (row-major) and their ids, in slot order. Under the index's write lock.
    func liveVectors() -> (rows: [Float], ids: [UInt64]) {
        let store = self.store
        var rows: [Float] = []
        var ids: [UInt64] = []
        let n = slotCount
        rows.reserveCapacity(n * dimension)
        ids.reserveCapacity(n)
        var scratch = [Float](repeating: 0, count: dimension)
        for s in 0..<n where !store.isDeleted(UInt32(s)) {
            scratch.withUnsafeMutableBufferPointer { b in
                if let out = b.baseAddress { codec.decode(store.vector(UInt32(s)), into: out) }
            }
            rows.append(contentsOf: scratch)
            ids.append(store.labels[s])
        }
        return (rows, ids)
    }
}

extension HNSWGraph {
    /// The links of `slot` at `level` (empty above the slot's level). For persistence and tests.
    func links(of slot: UInt32, level: Int) -> [UInt32] {
        let store = self.store
        guard Int(slot) < slotCount, level <= Int(store.levels[Int(slot)]) else { return [] }
        return store.links(slot, level: level).array
    }
}
