import CBLAS
import VectorKernels

/// Exact inner-product top-k of query vectors against passage vectors (one SGEMM per block of queries,
/// then a top-k heap per query): hard-negative mining and dev evaluation.
public enum ExactSearch {
    /// For each query, the `k` best passage indices (best first) and their scores, skipping
    /// `exclude[q]` (e.g. the query's positives) when given.
    public static func topK(queries: [[Float]], passages: [[Float]], k: Int, exclude: [Set<Int>]? = nil) -> [[TopK.Entry]] {
        guard let d = passages.first?.count, !queries.isEmpty, k > 0 else { return queries.map { _ in [] } }
        let n = passages.count
        var p = [Float](repeating: 0, count: n * d)
        for (i, v) in passages.enumerated() { for j in 0..<min(d, v.count) { p[i * d + j] = v[j] } }
        let block = 64
        var out: [[TopK.Entry]] = []
        out.reserveCapacity(queries.count)
        var q = [Float](repeating: 0, count: block * d)
        var scores = [Float](repeating: 0, count: block * n)
        for start in stride(from: 0, to: queries.count, by: block) {
            let m = min(block, queries.count - start)
            for r in 0..<m { let v = queries[start + r]; for j in 0..<min(d, v.count) { q[r * d + j] = v[j] } }
            q.withUnsafeBufferPointer { qb in
                p.withUnsafeBufferPointer { pb in
                    scores.withUnsafeMutableBufferPointer { sb in
                        i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasTrans, Int32(m), Int32(n), Int32(d), 1,
                                    qb.baseAddress, Int32(d), pb.baseAddress, Int32(d), 0, sb.baseAddress, Int32(n))
                    }
                }
            }
            for r in 0..<m {
                var heap = TopK(k: k)
                let skip = exclude?[start + r] ?? []
                for i in 0..<n where !skip.contains(i) { _ = heap.push(id: UInt64(i), score: scores[r * n + i]) }
                out.append(heap.sorted())
            }
        }
        return out
    }
}
