import CBLAS
import CVectorKernels
import IndexCore
import VectorKernels

/// The raw-pointer stages of a PLAID search and decompression.
enum PLAIDKernels {
    /// Decompresses `count` tokens starting at token `first` into `out` (`count × dimension` floats).
    static func decompress(_ index: PLAIDIndex, tokens first: Int, count n: Int, into out: UnsafeMutablePointer<Float>) {
        guard n > 0 else { return }
        let d = index.dimension, bytes = index.codec.bytesPerToken(dimension: d)
        index.centroids.withUnsafeBufferPointer { c in
            index.codes.withUnsafeBufferPointer { codes in
                index.residuals.withUnsafeBufferPointer { r in
                    index.codec.lookup.withUnsafeBufferPointer { lut in
                        guard let cb = c.baseAddress, let codeBase = codes.baseAddress, let rb = r.baseAddress,
                              let lb = lut.baseAddress else { return }
                        ivk_residual_decompress(cb, codeBase + first, rb + first * bytes, n, d, Int32(index.codec.bits), lb, out)
                    }
                }
            }
        }
    }

    static func search(_ index: PLAIDIndex, query: QueryTokens, k: Int, parameters sp: PLAIDSearchParameters) -> [Neighbor] {
        let d = index.dimension, m = query.count, kc = index.centroidCount, n = index.passageCount
        guard n > 0 else { return [] }
        // 1. centroid scores S = C·Qᵀ (K × m)
        var s = [Float](repeating: 0, count: kc * m)
        index.centroids.withUnsafeBufferPointer { c in
            query.vectors.withUnsafeBufferPointer { q in
                s.withUnsafeMutableBufferPointer { sp in
                    i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasTrans, Int32(kc), Int32(m), Int32(d), 1,
                                c.baseAddress, Int32(d), q.baseAddress, Int32(d), 0, sp.baseAddress, Int32(m))
                }
            }
        }
        // 2. candidates: union of the lists of each query vector's top-nprobe centroids
        var marked = [Bool](repeating: false, count: n)
        var candidates: [Int32] = []
        let nprobe = min(sp.nprobe, kc)
        var keep = [UInt8](repeating: 0, count: kc)
        var probe = [Bool](repeating: false, count: kc)
        if nprobe >= kc {
            for c in 0..<kc { probe[c] = true }
        } else {
            for i in 0..<m {
                var top = TopK(k: nprobe)
                for c in 0..<kc { top.push(id: UInt64(c), score: s[c * m + i]) }
                for e in top.sorted() { probe[Int(e.id)] = true }
            }
        }
        for c in 0..<kc where probe[c] {
            for j in index.ivfOffsets[c]..<index.ivfOffsets[c + 1] {
                let p = Int(index.ivf[j])
                if !marked[p] { marked[p] = true; candidates.append(index.ivf[j]) }
            }
        }
        // centroids kept by the pruned interaction: best score over the query rows ≥ t_cs
        for c in 0..<kc {
            var best = -Float.infinity
            for i in 0..<m { best = max(best, s[c * m + i]) }
            keep[c] = best >= sp.centroidScoreThreshold ? 1 : 0
        }
        var scratch = [Float](repeating: 0, count: max(m, 1))
        let survivors: [Int] = s.withUnsafeBufferPointer { sb in
            index.codes.withUnsafeBufferPointer { codes in
                scratch.withUnsafeMutableBufferPointer { best in
                    guard let sBase = sb.baseAddress, let codeBase = codes.baseAddress, let bestBase = best.baseAddress else { return [] }
                    // 3. pruned centroid interaction → ndocs
                    var stage2 = TopK(k: sp.ndocs)
                    keep.withUnsafeBufferPointer { kb in
                        guard let keepBase = kb.baseAddress else { return }
                        for p in candidates {
                            let lo = index.offsets[Int(p)], cnt = index.offsets[Int(p) + 1] - lo
                            let score = ivk_centroid_interaction(sBase, m, codeBase + lo, cnt, keepBase, bestBase)
                            stage2.push(id: UInt64(p), score: score)
                        }
                    }
                    // 4. full centroid interaction → ndocs/4 (at least k)
                    var stage3 = TopK(k: max(k, sp.ndocs / 4))
                    for e in stage2.sorted() {
                        let p = Int(e.id), lo = index.offsets[p], cnt = index.offsets[p + 1] - lo
                        let score = ivk_centroid_interaction(sBase, m, codeBase + lo, cnt, nil, bestBase)
                        stage3.push(id: UInt64(p), score: score)
                    }
                    return stage3.sorted().map { Int($0.id) }
                }
            }
        }
        // 5. decompress the survivors and score exactly
        var top = TopK(k: k)
        var buffer = [Float]()
        query.vectors.withUnsafeBufferPointer { q in
            scratch.withUnsafeMutableBufferPointer { best in
                guard let qb = q.baseAddress, let bestBase = best.baseAddress else { return }
                for p in survivors {
                    let lo = index.offsets[p], cnt = index.offsets[p + 1] - lo
                    if buffer.count < max(1, cnt * d) { buffer = [Float](repeating: 0, count: max(1, cnt * d)) }
                    let score: Float = buffer.withUnsafeMutableBufferPointer { b in
                        guard let bb = b.baseAddress else { return 0 }
                        decompress(index, tokens: lo, count: cnt, into: bb)
                        return MaxSimKernels.score(qb, rows: m, bb, count: cnt, dimension: d, best: bestBase)
                    }
                    top.push(id: UInt64(p), score: score)
                }
            }
        }
        // positions → external ids; ties keep the position order, which is the id order for ascending ids
        var out = top.sorted().map { Neighbor(id: index.ids[Int($0.id)], score: $0.score) }
        out.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        return out
    }
}
