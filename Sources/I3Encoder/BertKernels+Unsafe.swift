import CBLAS
import CVectorKernels
import Foundation

/// The forward pass's numeric kernels over raw row-major float buffers (the only unsafe hot code).
enum BertKernels {
    /// Up to this many rows a dense layer runs on `ivk_linear_rows_f32`, which reads W where it lies,
    /// instead of sgemm, which packs W on every call. Measured with `I3Bench linear-rows` (the 36 MiniLM
    /// products, one thread, AMD EPYC Zen 4, same run): the kernel is 1.3–1.7× sgemm's speed at 1 to 32
    /// rows, 1.06× at 128, 0.98–1.02× at 192–256 and 0.93× at 512, so 128 keeps it where it clearly
    /// wins. A query (tens of tokens) is on the kernel; passage batches of more rows stay on sgemm.
    static let smallRowLimit = 128

    /// `y[rows × out] = x[rows × in] · Wᵀ + b`: the small-row kernel up to `smallRowLimit` rows, else one
    /// SGEMM (bias pre-loaded, beta = 1). On the kernel a row's result never depends on the other rows of
    /// the call, so texts encoded together in up to `smallRowLimit` tokens get bit for bit the vectors
    /// they get alone; above it the BLAS's blocking can change the last bits.
    static func linear(_ x: UnsafePointer<Float>, rows: Int, _ l: Linear, into y: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        let o = l.outFeatures
        if rows <= smallRowLimit {
            ivk_linear_rows_f32(x, rows, l.weight, l.bias, l.inFeatures, o, y)
            return
        }
        for r in 0..<rows { (y + r * o).update(from: l.bias, count: o) }
        i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasTrans, Int32(rows), Int32(o), Int32(l.inFeatures),
                     1, x, Int32(l.inFeatures), l.weight, Int32(l.inFeatures), 1, y, Int32(o))
    }

    /// `x[r] = LayerNorm(x[r] + residual[r])` for each row (residual may be nil).
    static func addLayerNorm(_ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, rows: Int,
                             _ ln: LayerNormWeights, epsilon: Float) {
        let n = ln.count
        for r in 0..<rows {
            let row = x + r * n
            if let res = residual {
                let rr = res + r * n
                for i in 0..<n { row[i] += rr[i] }
            }
            var sum: Double = 0
            for i in 0..<n { sum += Double(row[i]) }
            let mean = sum / Double(n)
            var sq: Double = 0
            for i in 0..<n { let d = Double(row[i]) - mean; sq += d * d }
            let inv = Float(1 / (sq / Double(n) + Double(epsilon)).squareRoot())
            let m = Float(mean)
            for i in 0..<n { row[i] = (row[i] - m) * inv * ln.gamma[i] + ln.beta[i] }
        }
    }

    /// Exact GELU, `0.5·x·(1 + erf(x/√2))`, in place (SIMD kernel with a scalar twin in CVectorKernels).
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        ivk_gelu_erf_f32(x, count)
    }

    /// Multi-head self-attention of packed sequences: for each sequence (rows `offsets[s]..<offsets[s+1]`)
    /// and head, `ctx = softmax(Q·Kᵀ/√d)·V`, with no padding and no mask. `q`, `k`, `v`, `ctx` are
    /// `rows × hidden`; `scores` holds at least `maxLength²` floats. With `attended`, sequence `s`
    /// attends only to its first `attended[s]` positions (keys masked out beyond them, as an attention
    /// mask of 0 does for ColBERT's `[MASK]` query expansion); every position still gets an output.
    static func attention(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                          ctx: UnsafeMutablePointer<Float>, offsets: [Int], heads: Int, hidden: Int,
                          scores: UnsafeMutablePointer<Float>, attended: [Int]? = nil) {
        let d = hidden / heads
        let scale = 1 / Float(d).squareRoot()
        let ld = Int32(hidden)
        for s in 0..<(offsets.count - 1) {
            let o = offsets[s], n = offsets[s + 1] - offsets[s]
            guard n > 0 else { continue }
            let m = attended.map { min(n, max(1, $0[s])) } ?? n
            for h in 0..<heads {
                let col = o * hidden + h * d
                i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasTrans, Int32(n), Int32(m), Int32(d),
                             scale, q + col, ld, k + col, ld, 0, scores, Int32(m))
                softmaxRows(scores, rows: n, columns: m)
                i3blas_sgemm(I3BlasRowMajor, I3BlasNoTrans, I3BlasNoTrans, Int32(n), Int32(d), Int32(m),
                             1, scores, Int32(m), v + col, ld, 0, ctx + col, ld)
            }
        }
    }

    /// Row-wise softmax in place (SIMD kernel with a scalar twin in CVectorKernels).
    static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        ivk_softmax_rows_f32(x, rows, columns)
    }

    /// One post-LN BERT layer in place on `x` (`rows × hidden`, packed sequences at `offsets`).
    static func layer(_ x: UnsafeMutablePointer<Float>, rows: Int, offsets: [Int], _ w: BertLayerWeights,
                      heads: Int, epsilon: Float, workspace ws: Workspace, attended: [Int]? = nil) {
        let hidden = w.query.outFeatures
        linear(x, rows: rows, w.query, into: ws.q)
        linear(x, rows: rows, w.key, into: ws.k)
        linear(x, rows: rows, w.value, into: ws.v)
        attention(q: ws.q, k: ws.k, v: ws.v, ctx: ws.ctx, offsets: offsets, heads: heads, hidden: hidden,
                  scores: ws.scores, attended: attended)
        linear(ws.ctx, rows: rows, w.attentionOutput, into: ws.tmp)
        addLayerNorm(x, residual: ws.tmp, rows: rows, w.attentionNorm, epsilon: epsilon)
        feedForward(x, rows: rows, w, epsilon: epsilon, workspace: ws)
    }

    /// The feed-forward block: `x = LN(x + W₂·gelu(W₁·x + b₁) + b₂)`.
    static func feedForward(_ x: UnsafeMutablePointer<Float>, rows: Int, _ w: BertLayerWeights,
                            epsilon: Float, workspace ws: Workspace) {
        linear(x, rows: rows, w.intermediate, into: ws.inter)
        gelu(ws.inter, count: rows * w.intermediate.outFeatures)
        linear(ws.inter, rows: rows, w.output, into: ws.tmp)
        addLayerNorm(x, residual: ws.tmp, rows: rows, w.outputNorm, epsilon: epsilon)
    }
}

/// Per-thread scratch buffers for a forward pass; grown on demand, reused across batches.
final class Workspace {
    private(set) var rowCapacity = 0
    private(set) var scoreCapacity = 0
    let hidden: Int
    let intermediate: Int
    private(set) var x, q, k, v, ctx, tmp, inter, scores: UnsafeMutablePointer<Float>

    init(hidden: Int, intermediate: Int) {
        self.hidden = hidden
        self.intermediate = intermediate
        x = .allocate(capacity: 1); q = .allocate(capacity: 1); k = .allocate(capacity: 1)
        v = .allocate(capacity: 1); ctx = .allocate(capacity: 1); tmp = .allocate(capacity: 1)
        inter = .allocate(capacity: 1); scores = .allocate(capacity: 1)
    }

    /// Makes room for `rows` token rows and sequences up to `maxLength`.
    func reserve(rows: Int, maxLength: Int) {
        if rows > rowCapacity {
            let cap = max(rows, rowCapacity * 3 / 2)
            for p in [x, q, k, v, ctx, tmp, inter] { p.deallocate() }
            x = .allocate(capacity: cap * hidden); q = .allocate(capacity: cap * hidden)
            k = .allocate(capacity: cap * hidden); v = .allocate(capacity: cap * hidden)
            ctx = .allocate(capacity: cap * hidden); tmp = .allocate(capacity: cap * hidden)
            inter = .allocate(capacity: cap * intermediate)
            rowCapacity = cap
        }
        if maxLength * maxLength > scoreCapacity {
            scores.deallocate()
            scoreCapacity = maxLength * maxLength
            scores = .allocate(capacity: scoreCapacity)
        }
    }

    deinit { for p in [x, q, k, v, ctx, tmp, inter, scores] { p.deallocate() } }
}
