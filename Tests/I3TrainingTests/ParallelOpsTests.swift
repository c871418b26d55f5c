import CBLAS
import CVectorKernels
import Foundation
import Testing
@testable import I3Training

/// The training ops split over the training workers (`ParallelChunks`): with two workers they give
/// what one gives (bit for bit where no sum is re-associated, within rounding where
/// dγ/dβ add per-chunk partials), and the same bits on every run at one thread count.
@Suite("Parallel training ops", .serialized)
struct ParallelOpsTests {
    /// Runs `body` with `threads` training workers, restoring the settings after.
    static func with<T>(threads: Int32, _ body: () throws -> T) rethrows -> T {
        let session = ParallelChunks.enter(workers: Int(threads))
        defer { session.restore() }
        #expect(ParallelChunks.workers == Int(threads) && i3blas_get_num_threads() == 1)
        return try body()
    }

    @Test("chunks cover the range in order, at most one per worker, none below the minimum")
    func chunking() {
        #expect(ParallelChunks.chunks(count: 0, minimumPerChunk: 4, workers: 2).isEmpty)
        #expect(ParallelChunks.chunks(count: 7, minimumPerChunk: 4, workers: 2) == [0..<7])
        #expect(ParallelChunks.chunks(count: 8, minimumPerChunk: 4, workers: 2) == [0..<4, 4..<8])
        #expect(ParallelChunks.chunks(count: 100, minimumPerChunk: 10, granularity: 16, workers: 2) == [0..<48, 48..<100])
        #expect(ParallelChunks.chunks(count: 20, minimumPerChunk: 1, granularity: 16, workers: 4) == [0..<16, 16..<20])
        let parts = ParallelChunks.chunks(count: 1001, minimumPerChunk: 10, workers: 3)
        #expect(parts.count == 3 && parts.first?.lowerBound == 0 && parts.last?.upperBound == 1001)
        #expect(zip(parts, parts.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
    }

    @Test("GELU backward: SIMD kernel against its scalar twin; 1 and 2 workers give the same bits")
    func geluBackward() {
        var r = TestRandom(40)
        let n = 40_003
        let x = r.buffer(n, scale: 3), dy = r.buffer(n)
        let reference = FloatBuffer(count: n)
        ivk_gelu_erf_grad_f32_scalar(x.base, dy.base, reference.base, n)
        func run(_ t: Int32) -> [Float] {
            Self.with(threads: t) {
                let dx = FloatBuffer(count: n)
                GELUOp.backward(x: x.base, dy: dy.base, count: n, into: dx.base)
                return dx.array
            }
        }
        let one = run(1), two = run(2)
        #expect(one == two, "1 and 2 workers differ")
        let worst = (0..<n).map { abs(Double(one[$0]) - Double(reference[$0])) / (abs(Double(reference[$0])) + 1e-3) }.max() ?? 0
        // x·φ(x) and Φ(x) nearly cancel around x ≈ −3, which magnifies the kernels' 1e-7 errors
        #expect(worst < 1e-4, "largest relative difference to libm: \(worst)")
        // in place (dx = dy), as FeedForwardBlock calls it
        let inPlace = FloatBuffer(dy.array)
        Self.with(threads: 2) { GELUOp.backward(x: x.base, dy: inPlace.base, count: n, into: inPlace.base) }
        #expect(inPlace.array == two, "in place differs")
    }

    @Test("LayerNorm forward/backward over 300 rows: 2 workers match 1, and repeat exactly")
    func layerNorm() throws {
        var r = TestRandom(41)
        let rows = 300, n = 24
        let x = r.buffer(rows * n), res = r.buffer(rows * n), dy = r.buffer(rows * n)
        func run(_ t: Int32) throws -> (y: [Float], dx: [Float], dg: [Float], db: [Float]) {
            try Self.with(threads: t) {
                let ln = try LayerNormLayer("n", count: n, epsilon: 1e-12, source: TinyModels.source(42), group: .backbone)
                let (y, cache) = ln.forward(x, residual: res, rows: rows)
                let dx = ln.backward(dy, cache: cache)
                return (y.array, dx.array, ln.gamma.gradient.array, ln.beta.gradient.array)
            }
        }
        let one = try run(1), two = try run(2), again = try run(2)
        #expect(one.y == two.y && one.dx == two.dx, "1 and 2 workers differ")
        #expect(two.dg == again.dg && two.db == again.db, "two runs at 2 workers differ")
        for (a, b) in zip(one.dg + one.db, two.dg + two.db) { #expect(abs(a - b) <= 1e-4 * max(1, abs(a))) }
    }

    @Test("self-attention over many sequences: 2 workers give the same bits as 1")
    func selfAttention() {
        var r = TestRandom(43)
        let offsets = [0, 5, 12, 13, 30, 41, 64], rows = 64, hidden = 16, heads = 4
        let q = r.buffer(rows * hidden), k = r.buffer(rows * hidden), v = r.buffer(rows * hidden), w = r.buffer(rows * hidden)
        func run(_ t: Int32) -> [[Float]] {
            Self.with(threads: t) {
                let probs = FloatBuffer(count: SelfAttentionOp.probabilityCount(offsets: offsets, heads: heads))
                let ctx = FloatBuffer(count: rows * hidden)
                SelfAttentionOp.forward(q: q.base, k: k.base, v: v.base, offsets: offsets, heads: heads, hidden: hidden,
                                        probabilities: probs.base, into: ctx.base)
                let dq = FloatBuffer(count: rows * hidden), dk = FloatBuffer(count: rows * hidden), dv = FloatBuffer(count: rows * hidden)
                SelfAttentionOp.backward(dctx: w.base, q: q.base, k: k.base, v: v.base, probabilities: probs.base,
                                         offsets: offsets, heads: heads, hidden: hidden, dq: dq.base, dk: dk.base, dv: dv.base)
                return [ctx.array, probs.array, dq.array, dk.array, dv.array]
            }
        }
        let one = run(1), two = run(2)
        #expect(one == two, "1 and 2 workers differ")
    }

    @Test("dense forward, dW, db, dx over 600 rows: 2 workers match 1 (bias sums exactly)")
    func denseBias() throws {
        var r = TestRandom(44)
        let rows = 600, inF = 8, outF = 160
        let x = r.buffer(rows * inF), dy = r.buffer(rows * outF)
        func run(_ t: Int32) throws -> ([Float], [Float]) {
            try Self.with(threads: t) {
                let layer = try DenseLayer("d", in: inF, out: outF, source: TinyModels.source(45), group: .backbone)
                for j in 0..<outF { layer.bias.value[j] = Float(j) * 0.01 }
                let y = layer.forward(x, rows: rows)
                let dx = FloatBuffer(count: rows * inF)
                layer.backward(x: x, dy: dy, rows: rows, dx: dx)
                return (y.array + dx.array + layer.weight.gradient.array, layer.bias.gradient.array)
            }
        }
        let one = try run(1), two = try run(2)
        #expect(one.1 == two.1, "bias gradients differ")
        let worst = zip(one.0, two.0).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
        #expect(worst <= 1e-5, "y, dx, dW differ by \(worst)")
    }
}
